import { entryCharge } from "../cache-charge.ts";
import type { CachePolicy, Resident } from "../cache-policy.ts";
import { TinyLfuAdmission } from "./admission.ts";
import { LruList, Node, PROBATION, PROTECTED, WINDOW } from "./lru-list.ts";

/** Caffeine's starting split: 1% window; the main cache 20% probation, 80% protected. */
const WINDOW_SHARE = 0.01;
const PROTECTED_SHARE = 0.8;
const MAX_SKETCHED = 1 << 20;

/**
 * W-TinyLFU (Caffeine's design, without its hill climber that adapts the window's size): a new entry goes
 * into a small LRU window, where a burst of uses can show it is wanted. What falls out of the window is a
 * candidate for the main cache, a segmented LRU; while that is full, the candidate gets in only if the
 * TinyLFU sketch says it is used more than the probation segment's least recently used entry, which then
 * goes. A hit in probation promotes to protected; protected's overflow goes back to probation. So a
 * one-off key passes through the window and out again, and cannot push out an entry that is in use.
 *
 * Bounded by entries and by charged bytes (cache-charge.ts), both never exceeded: the window takes 1% of
 * each but always keeps the newest entry however big, and the main cache gets whatever the window leaves.
 * Every operation is O(1) apart from eviction, which is O(entries evicted).
 */
export class WTinyLfuPolicy implements CachePolicy {
  readonly #nodes = new Map<string, Node>();
  readonly #window = new LruList(WINDOW);
  readonly #probation = new LruList(PROBATION);
  readonly #protected = new LruList(PROTECTED);
  readonly #admission: TinyLfuAdmission;
  readonly #seed: number;
  readonly #windowEntries: number;
  readonly #windowBytes: number;
  readonly #protectedEntries: number;
  readonly #protectedBytes: number;
  // The gateway sets right after a missed get of the same key: its hash is not computed twice.
  #missedKey = "";
  #missedHash = 0;

  /**
   * `seed` salts the key hash: random per process by default, so nobody can choose keys that collide with
   * a hot one in the sketch and make it look hotter; fixed in tests and in the deterministic bench.
   */
  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    seed: number = (Math.random() * 2 ** 32) >>> 0,
  ) {
    this.#seed = seed;
    this.#windowEntries = Math.max(1, Math.floor(maxEntries * WINDOW_SHARE));
    this.#windowBytes = Math.floor(maxBytes * WINDOW_SHARE);
    this.#protectedEntries = Math.floor((maxEntries - this.#windowEntries) * PROTECTED_SHARE);
    this.#protectedBytes = Math.floor((maxBytes - this.#windowBytes) * PROTECTED_SHARE);
    // Sized by what the cache can hold (by bytes, at most one entry per ENTRY_OVERHEAD), up to 2^20
    // entries: beyond that the sketch (2 MiB) and doorkeeper (16 MiB) would outweigh what they sharpen.
    const capacity = Math.min(maxEntries, Math.ceil(maxBytes / entryCharge("", "")), MAX_SKETCHED);
    this.#admission = new TinyLfuAdmission(Math.max(1, capacity), seed);
  }

  get size(): number {
    return this.#nodes.size;
  }

  get bytes(): number {
    return this.#window.bytes + this.#probation.bytes + this.#protected.bytes;
  }

  get(key: string): Resident | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) {
      // A miss is a use too: it is how a key that is asked for again and again earns its way in.
      const hash = this.#hash(key);
      this.#missedKey = key;
      this.#missedHash = hash;
      this.#admission.record(hash);
      return undefined;
    }
    this.#admission.record(node.hash);
    this.#touch(node);
    return node;
  }

  set(key: string, value: string, storedAt: number, expiresAt: number): void {
    const charge = entryCharge(key, value);
    const old = this.#nodes.get(key);
    if (charge > this.maxBytes || this.maxEntries < 1) {
      // Too big to hold at all: it evicts nothing, but the key's old value is superseded.
      if (old !== undefined) this.#remove(old);
      return;
    }
    if (old !== undefined) {
      this.#listOf(old).unlink(old);
      old.value = value;
      old.storedAt = storedAt;
      old.expiresAt = expiresAt;
      old.charge = charge;
      // Rewritten in place, it stays in its region as the most recently used.
      this.#listOf(old).pushHead(old);
      if (old.region === PROTECTED) this.#demoteProtected();
    } else {
      const hash = key === this.#missedKey ? this.#missedHash : this.#hash(key);
      const node = new Node(key, value, storedAt, expiresAt, charge, hash);
      this.#nodes.set(key, node);
      this.#window.pushHead(node);
    }
    this.#evict(storedAt);
  }

  delete(key: string): void {
    const node = this.#nodes.get(key);
    if (node !== undefined) this.#remove(node);
  }

  forEach(fn: (entry: Resident, key: string) => void): void {
    for (const list of [this.#window, this.#probation, this.#protected]) {
      list.forEach((node) => {
        fn(node, node.key);
      });
    }
  }

  #hash(key: string): number {
    return Bun.hash.murmur32v3(key, this.#seed);
  }

  #listOf(node: Node): LruList {
    return node.region === WINDOW
      ? this.#window
      : node.region === PROBATION
        ? this.#probation
        : this.#protected;
  }

  #touch(node: Node): void {
    if (node.region === PROBATION) {
      this.#probation.unlink(node);
      this.#protected.pushHead(node);
      this.#demoteProtected();
    } else {
      this.#listOf(node).moveToHead(node);
    }
  }

  #demoteProtected(): void {
    const list = this.#protected;
    while (list.count > this.#protectedEntries || list.bytes > this.#protectedBytes) {
      const tail = list.tail;
      if (tail === undefined) return;
      list.unlink(tail);
      this.#probation.pushHead(tail);
    }
  }

  #remove(node: Node): void {
    this.#listOf(node).unlink(node);
    this.#nodes.delete(node.key);
  }

  #overBy(count: number, bytes: number): boolean {
    const held = this.#window.count + this.#probation.count + this.#protected.count;
    return held + count > this.maxEntries || this.bytes + bytes > this.maxBytes;
  }

  #evict(now: number): void {
    const window = this.#window;
    while (window.count > 1 && (window.count > this.#windowEntries || window.bytes > this.#windowBytes)) {
      const candidate = window.tail as Node;
      // Out of every list while it competes, so the totals count only what is kept.
      window.unlink(candidate);
      if (this.#admit(candidate, now)) this.#probation.pushHead(candidate);
      else this.#nodes.delete(candidate.key);
    }
    // The window's newest entry alone can still be over the bounds (a big one, or the window below its
    // share after deletions): make room from the main cache, least valuable first.
    while (this.#overBy(0, 0)) {
      const victim = this.#probation.tail ?? this.#protected.tail ?? window.tail;
      if (victim === undefined) return;
      this.#remove(victim);
    }
  }

  /** Makes room for the candidate in the main cache if it beats each victim it needs gone; else false. */
  #admit(candidate: Node, now: number): boolean {
    while (this.#overBy(1, candidate.charge)) {
      const victim = this.#probation.tail ?? this.#protected.tail;
      if (victim === undefined) return false;
      // An expired victim is no contest: it is gone to any reader already.
      if (victim.expiresAt > now && !this.#admission.admit(candidate.hash, victim.hash)) {
        return false;
      }
      this.#remove(victim);
    }
    return true;
  }
}
