-- wrk script: a bearer token on every request; MODE=miss gives each request its own query (cache miss, in
-- this run and every other),
-- MODE=hit repeats one, MODE=zipf takes the queries of BENCH_QUERIES in order (bench/lib/zipf.ts), wrapping
-- if the run outlasts the file. Counts non-2xx answers and X-Cache HITs (a target that sends no X-Cache has
-- no hit ratio) and prints a JSON summary line the runner parses.
local token = os.getenv("BENCH_TOKEN") or ""
local mode = os.getenv("BENCH_MODE") or "miss"
-- Unique per wrk run: without it each run's counter starts again at 1, and a run shorter than the cache's
-- bound replays the previous run's queries as hits (a 1 s warm-up then a 2 s run read a 0.43 hit ratio).
local run = os.getenv("BENCH_RUN") or "0"
local counter = 0
local thread_id = 0
local threads = {}
local queries = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  run_id = os.time()
  non2xx = 0
  cache_hits = 0
  cache_answers = 0
  if mode == "zipf" then
    for line in io.lines(os.getenv("BENCH_QUERIES")) do queries[#queries + 1] = line end
  end
end

function request()
  counter = counter + 1
  local query
  if mode == "hit" then
    query = "benchmark"
  elseif mode == "zipf" then
    query = queries[(counter - 1) % #queries + 1]
  else
    query = "q" .. run .. "x" .. tid .. "x" .. counter
  end
  return wrk.format("GET", "/search?query=" .. query, { ["authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  local cache = headers["x-cache"] or headers["X-Cache"]
  if cache then
    cache_answers = cache_answers + 1
    if cache == "HIT" then cache_hits = cache_hits + 1 end
  end
end

function done(summary, latency, requests)
  local bad, hits, answers = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    hits = hits + (thread:get("cache_hits") or 0)
    answers = answers + (thread:get("cache_answers") or 0)
  end
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.3f,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"cache_hits":%d,"cache_answers":%d}\n',
    summary.requests, summary.duration / 1e6, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), hits, answers))
end
