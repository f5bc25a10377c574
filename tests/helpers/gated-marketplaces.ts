import { buildCatalog, createMarketplaces, type Marketplace } from "../../src/reference/aggregator/index.ts";

/** A promise a test opens when it chooses: what a marketplace waits for instead of a guessed latency. */
export class Gate {
  #open!: () => void;
  promise: Promise<void>;

  constructor() {
    this.promise = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  open(): void {
    this.#open();
  }
}

/**
 * The reference marketplaces with one of them (`slow`) waiting for a gate the test holds, and each
 * shop's searches counted: so "the first event came before the slowest shop answered" is a fact of
 * the order things happened in, not of how fast the machine is.
 */
export function gatedMarketplaces(slow = "pricehunter") {
  const counts = new Map<string, { asked: number; answered: number }>();
  let gate = new Gate();
  const marketplaces: Marketplace[] = createMarketplaces(buildCatalog()).map((shop) => {
    counts.set(shop.name, { asked: 0, answered: 0 });
    return {
      ...shop,
      search: async (query: string) => {
        const count = counts.get(shop.name) ?? { asked: 0, answered: 0 };
        count.asked += 1;
        if (shop.name === slow) await gate.promise;
        const offers = await shop.search(query);
        count.answered += 1;
        return offers;
      },
    };
  });
  return {
    marketplaces,
    slow,
    counts: (name: string) => counts.get(name) ?? { asked: 0, answered: 0 },
    /** Lets the slow shop answer the searches waiting and every one after, until `close`. */
    open: () => gate.open(),
    /** Releases any search still waiting, and makes the slow shop wait again from now on. */
    close: () => {
      gate.open();
      gate = new Gate();
    },
  };
}
