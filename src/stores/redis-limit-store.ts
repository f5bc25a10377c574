import type { BucketSpec, CounterSpec, Decision, LimitStore, WindowCount } from "./limit-store.ts";
import { type RedisConnection, script } from "./redis-connection.ts";

// The GCRA of gcra.ts plus the optional counter, in one script: one round trip, atomic across instances.
// Time comes from Redis itself so that instances with skewed clocks still agree.
const DECIDE = script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local nxt = tat + interval
local allowed, remaining, reset, retry = 0, 0, tat - now, nxt - period - now
local slack = 0.000001 + math.abs(nxt) * 2.220446049250313e-16 * 2 * (limit + 1)
if nxt - now <= period + slack then
  allowed = 1
  remaining = math.min(limit - 1, math.floor((period - (nxt - now) + slack) / interval))
  reset = nxt - now
  retry = 0
  redis.call('SET', KEYS[1], string.format('%.6f', nxt), 'PX', math.max(1, math.ceil(nxt - now)))
end
local mode = tonumber(ARGV[3])
local cAllowed, count, cReset = 1, 0, 0
if mode > 0 then
  count = tonumber(redis.call('GET', KEYS[2])) or 0
  if mode == 2 and allowed == 1 then
    if count < tonumber(ARGV[4]) then
      count = redis.call('INCR', KEYS[2])
      if count == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
    else
      cAllowed = 0
    end
  end
  cReset = redis.call('PTTL', KEYS[2])
  if cReset < 0 then cReset = tonumber(ARGV[5]) end
end
return {allowed, remaining, string.format('%.3f', reset), string.format('%.3f', retry), cAllowed, count, cReset}
`);

const RELEASE = script(`
local v = tonumber(redis.call('GET', KEYS[1])) or 0
if v > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`);

const INCREMENT = script(`
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  redis.call('PEXPIRE', key, ARGV[1])
  out[#out + 1] = n
  out[#out + 1] = redis.call('PTTL', key)
end
return out
`);

const READ = script(`
local out = {}
for i, key in ipairs(KEYS) do
  out[#out + 1] = tonumber(redis.call('GET', key)) or 0
  out[#out + 1] = math.max(0, redis.call('PTTL', key))
end
return out
`);

const REMOVE = script("return redis.call('DEL', KEYS[1])");

function pairs(reply: unknown): WindowCount[] {
  const values = (reply as unknown[]).map(Number);
  const out: WindowCount[] = [];
  for (let i = 0; i < values.length; i += 2) out.push({ count: values[i] ?? 0, resetMs: values[i + 1] ?? 0 });
  return out;
}

/** Limits shared by every gateway instance; keys are namespaced by `prefix`. */
export class RedisLimitStore implements LimitStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async decide(bucket: BucketSpec, counter?: CounterSpec): Promise<Decision> {
    const keys = [this.prefix + bucket.key, counter ? this.prefix + counter.key : this.prefix + bucket.key];
    const mode = counter ? (counter.take ? 2 : 1) : 0;
    const reply = (await this.redis.eval(DECIDE, keys, [
      bucket.limit,
      bucket.periodMs,
      mode,
      counter?.limit ?? 0,
      Math.max(1, Math.ceil(counter?.ttlMs ?? 1)),
    ])) as unknown[];
    const [allowed, remaining, reset, retry, cAllowed, count, cReset] = reply.map(Number) as number[];
    const decision: Decision = {
      bucket: { allowed: allowed === 1, remaining: remaining ?? 0, resetMs: reset ?? 0, retryMs: retry ?? 0 },
    };
    if (counter) decision.counter = { allowed: cAllowed === 1, count: count ?? 0, resetMs: cReset ?? 0 };
    return decision;
  }

  async release(key: string): Promise<void> {
    await this.redis.eval(RELEASE, [this.prefix + key], []);
  }

  async read(keys: string[]): Promise<WindowCount[]> {
    return pairs(
      await this.redis.eval(
        READ,
        keys.map((k) => this.prefix + k),
        [],
      ),
    );
  }

  async increment(keys: string[], windowMs: number): Promise<WindowCount[]> {
    return pairs(
      await this.redis.eval(
        INCREMENT,
        keys.map((k) => this.prefix + k),
        [Math.ceil(windowMs)],
      ),
    );
  }

  async remove(key: string): Promise<void> {
    await this.redis.eval(REMOVE, [this.prefix + key], []);
  }

  /** The connection is shared (and closed) by whoever created it. */
  close(): void {}
}
