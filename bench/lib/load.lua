-- wrk script: a bearer token on every request; MODE=miss gives each request its own query (cache miss),
-- MODE=hit repeats one. Counts non-2xx answers and prints a JSON summary line the runner parses.
local token = os.getenv("BENCH_TOKEN") or ""
local mode = os.getenv("BENCH_MODE") or "miss"
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function request()
  counter = counter + 1
  local query = mode == "hit" and "benchmark" or ("q" .. tid .. "x" .. counter)
  return wrk.format("GET", "/search?query=" .. query, { ["authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("non2xx") or 0) end
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.3f,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration / 1e6, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
