import { type RedisConnection, script } from "./redis-connection.ts";
import type { Redeemed, Rotation, Session, SessionStore } from "./session-store.ts";

// Keys: <prefix>session:<sid> (a hash: the family), <prefix>refresh:<token hash> (the sid, for every
// token the family had, so a reused one still names it), <prefix>user-sessions:<user id> (a set of sids).

const CREATE = script(`
redis.call('HSET', KEYS[1], 'user', ARGV[2], 'started', ARGV[3], 'ends', ARGV[4], 'cur', ARGV[5], 'used', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[6])
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[7]) then redis.call('PEXPIRE', KEYS[3], ARGV[7]) end
return 1
`);

// The family's key is derived from what the first key holds, so this script runs on a single Redis
// (not a cluster), which is what the gateway supports.
const FIND = script(`
local sid = redis.call('GET', KEYS[1])
if not sid then return false end
local f = redis.call('HMGET', ARGV[1] .. 'session:' .. sid, 'user', 'started', 'ends', 'cur')
if not f[1] then return false end
local current = '0'
if f[4] == ARGV[2] then current = '1' end
return {sid, f[1], f[2], f[3], current}
`);

// One step, so that of two concurrent redeems of the same token exactly one rotates; time is Redis's own,
// so instances with skewed clocks agree on the grace window.
const REDEEM = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'cur', 'prev', 'grace', 'sealed', 'used')
if f[1] == ARGV[1] then
  if ARGV[2] == '' then return {'current'} end
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'grace', tostring(now + tonumber(ARGV[5])), 'sealed', ARGV[3], 'used', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[4])
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
  return {'rotated'}
end
if f[2] == ARGV[1] and f[5] == '0' and now < tonumber(f[3] or '0') then
  redis.call('HSET', KEYS[1], 'used', '1')
  return {'grace', f[4]}
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[6])
return {'reused'}
`);

const REMOVE = script(`
local f = redis.call('HMGET', KEYS[1], 'user', 'started', 'ends')
if not f[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'user-sessions:' .. f[1], ARGV[2])
return f
`);

const MEMBERS = script("return redis.call('SMEMBERS', KEYS[1])");

/** Sessions shared by every gateway instance; keys are namespaced by `prefix`. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  #session = (sid: string) => `${this.prefix}session:${sid}`;
  #refresh = (hash: string) => `${this.prefix}refresh:${hash}`;
  #user = (userId: string) => `${this.prefix}user-sessions:${userId}`;

  async create(session: Session, tokenHash: string, ttlMs: number): Promise<void> {
    const keys = [this.#session(session.sid), this.#refresh(tokenHash), this.#user(session.userId)];
    await this.redis.eval(CREATE, keys, [
      session.sid,
      session.userId,
      session.startedAt,
      session.endsAt,
      tokenHash,
      Math.max(1, Math.ceil(ttlMs)),
      Math.max(1, Math.ceil(session.endsAt - Date.now())),
    ]);
  }

  async find(tokenHash: string): Promise<{ session: Session; current: boolean } | undefined> {
    const reply = (await this.redis.eval(FIND, [this.#refresh(tokenHash)], [this.prefix, tokenHash])) as
      | string[]
      | null;
    if (!reply) return undefined;
    const [sid, userId, startedAt, endsAt, current] = reply as [string, string, string, string, string];
    return {
      session: { sid, userId, startedAt: Number(startedAt), endsAt: Number(endsAt) },
      current: current === "1",
    };
  }

  async redeem(session: Session, tokenHash: string, rotation?: Rotation): Promise<Redeemed> {
    const keys = [
      this.#session(session.sid),
      this.#refresh(rotation?.nextHash ?? tokenHash),
      this.#user(session.userId),
      this.#refresh(tokenHash),
    ];
    const reply = (await this.redis.eval(REDEEM, keys, [
      tokenHash,
      rotation?.nextHash ?? "",
      rotation?.sealedAnswer ?? "",
      Math.max(1, Math.ceil(rotation?.ttlMs ?? 1)),
      Math.max(0, Math.ceil(rotation?.graceMs ?? 0)),
      session.sid,
    ])) as string[];
    const outcome = reply[0];
    if (outcome === "grace") return { outcome, sealedAnswer: reply[1] ?? "" };
    if (outcome === "rotated" || outcome === "reused" || outcome === "current") return { outcome };
    return { outcome: "unknown" };
  }

  async remove(sid: string): Promise<Session | undefined> {
    const reply = (await this.redis.eval(REMOVE, [this.#session(sid)], [this.prefix, sid])) as
      | string[]
      | null;
    if (!reply) return undefined;
    const [userId, startedAt, endsAt] = reply as [string, string, string];
    return { sid, userId, startedAt: Number(startedAt), endsAt: Number(endsAt) };
  }

  async sessionsOf(userId: string): Promise<string[]> {
    return ((await this.redis.eval(MEMBERS, [this.#user(userId)], [])) as string[] | null) ?? [];
  }

  /** The connection is shared (and closed) by whoever created it. */
  close(): void {}
}
