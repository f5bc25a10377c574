/** An entry of the W-TinyLFU cache, linked into the list of its region (intrusive, so a move is O(1)). */
export class Node {
  prev: Node = this;
  next: Node = this;
  region: Region = WINDOW;
  constructor(
    readonly key: string,
    public value: string,
    public storedAt: number,
    public expiresAt: number,
    public charge: number,
    readonly hash: number,
  ) {}
}

/** Which list a node is on: the window, or the main cache's probation or protected segment. */
export type Region = 0 | 1 | 2;
export const WINDOW: Region = 0;
export const PROBATION: Region = 1;
export const PROTECTED: Region = 2;

/**
 * A doubly linked list in recency order with its own totals: the head is the most recently used, the
 * tail the next to go. A sentinel node makes every insert and unlink branch-free.
 */
export class LruList {
  readonly #sentinel = new Node("", "", 0, 0, 0, 0);
  count = 0;
  bytes = 0;

  constructor(readonly region: Region) {}

  /** The least recently used, or undefined when empty. */
  get tail(): Node | undefined {
    const last = this.#sentinel.prev;
    return last === this.#sentinel ? undefined : last;
  }

  pushHead(node: Node): void {
    const head = this.#sentinel.next;
    node.prev = this.#sentinel;
    node.next = head;
    head.prev = node;
    this.#sentinel.next = node;
    node.region = this.region;
    this.count += 1;
    this.bytes += node.charge;
  }

  unlink(node: Node): void {
    node.prev.next = node.next;
    node.next.prev = node.prev;
    node.prev = node;
    node.next = node;
    this.count -= 1;
    this.bytes -= node.charge;
  }

  moveToHead(node: Node): void {
    if (this.#sentinel.next === node) return;
    node.prev.next = node.next;
    node.next.prev = node.prev;
    const head = this.#sentinel.next;
    node.prev = this.#sentinel;
    node.next = head;
    head.prev = node;
    this.#sentinel.next = node;
  }

  /** From the tail towards the head; `fn` may unlink the node it is given. */
  forEach(fn: (node: Node) => void): void {
    let node = this.#sentinel.prev;
    while (node !== this.#sentinel) {
      const newer = node.prev;
      fn(node);
      node = newer;
    }
  }
}
