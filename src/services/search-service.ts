import { type FieldError, Forbidden, InvalidInput } from "../core/errors.ts";
import { CATEGORY_PATTERN, type Product, QUERY_MAX_LENGTH, type Source } from "../models/search.ts";
import type { AggregatorClient } from "./aggregator-client.ts";
import type { Caller } from "./auth-service.ts";
import type { CallContext } from "./http-client.ts";
import { Limiter } from "./limiter.ts";
import { withinDeadline } from "./resilience/deadline.ts";
import { SearchAnswer } from "./search-answer.ts";
import { SearchCache, type SharedAnswer } from "./search-cache.ts";
import { upstreamError } from "./upstream-errors.ts";

export interface SearchInput {
  query: string;
  categories?: string[] | undefined;
  limit?: number | undefined;
}

export interface NormalizedSearch {
  query: string;
  categories: string[];
  limit: number;
}

/** Used when the client names no limit; still clamped to the plan's maximum. */
export const DEFAULT_LIMIT = 20;
const CATEGORY = new RegExp(CATEGORY_PATTERN);
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Checks what the schema cannot (bounds after trimming, plan limits) and applies the plan's clamp. */
export function normalizeSearch(input: SearchInput, caller: Caller): NormalizedSearch {
  const errors: FieldError[] = [];
  const query = input.query.trim().normalize("NFC");
  // A string has at most as many code points as UTF-16 units, so only a long one needs counting.
  const length = query.length > QUERY_MAX_LENGTH ? [...query].length : query.length;
  if (length < 1 || length > QUERY_MAX_LENGTH) {
    errors.push({ field: "query", message: `must be 1 to ${QUERY_MAX_LENGTH} characters after trimming` });
  } else if (CONTROL.test(query)) {
    errors.push({ field: "query", message: "must not contain control characters" });
  }
  const categories = input.categories?.length ? categoriesOf(input.categories) : [];
  for (const category of categories) {
    if (!CATEGORY.test(category)) {
      errors.push({
        field: "categories",
        message: `"${category.slice(0, 50)}" must match ${CATEGORY_PATTERN}`,
      });
    }
  }
  if (errors.length > 0) throw new InvalidInput("The search request is not valid.", errors);
  if (categories.length > caller.limits.maxCategories) {
    throw new Forbidden(
      `Your ${caller.plan} plan allows at most ${caller.limits.maxCategories} categories per search; ` +
        `${categories.length} were given.`,
    );
  }
  const limit = Math.min(input.limit ?? DEFAULT_LIMIT, caller.limits.maxResults);
  return { query, categories, limit };
}

/** Comma-separated or repeated, trimmed, without empties or repeats, in the order given. */
function categoriesOf(given: string[]): string[] {
  return [...new Set(given.flatMap((c) => c.split(",")).map((c) => c.trim()))].filter((c) => c !== "");
}

export class SearchService {
  constructor(
    private readonly aggregator: AggregatorClient,
    private readonly limiter: Limiter,
    private readonly cache: SearchCache,
  ) {}

  /**
   * Every call costs a request token; only a valid search is counted against the day quota, and one
   * that then fails is given back (one limiter round trip either way). A fresh cached answer is served
   * as it is; otherwise identical concurrent searches share one Aggregator call, and if that fails a
   * stale answer is served rather than an error.
   */
  async search(input: SearchInput, caller: Caller, ctx: CallContext): Promise<SearchAnswer> {
    let search: NormalizedSearch | undefined;
    let invalid: unknown;
    try {
      search = normalizeSearch(input, caller);
    } catch (error) {
      invalid = error;
    }
    const decision = await this.limiter.check(caller, search ? "search" : "request");
    ctx.limits = decision;
    if (!decision.allowed) throw Limiter.refusal(decision);
    if (!search) throw invalid;

    const key = SearchCache.key(search);
    const hit = await this.cache.lookup(key);
    if (hit?.state === "fresh") {
      ctx.cache = "HIT";
      return answer(hit.text, search, ctx, true);
    }
    try {
      // A load this call starts is bounded by its own deadline already (the client's timeouts are cut to
      // it); one it joins runs under the first caller's, so waiting for it is raced against this one's.
      const joins = this.cache.joins(key);
      const load = this.cache.coalesce(key, () => this.#fetch(key, search, ctx));
      const fetched = await (joins ? withinDeadline(ctx, load) : load);
      ctx.cache = "MISS";
      return answer(fetched, search, ctx, false);
    } catch (error) {
      if (hit) {
        ctx.cache = "STALE";
        return answer(hit.text, search, ctx, true);
      }
      await this.limiter.release(decision).catch(() => {});
      throw upstreamError("Aggregator", error);
    }
  }

  /** The shared part of the answer, as the JSON text that is cached and sent. */
  async #fetch(key: string, search: NormalizedSearch, ctx: CallContext): Promise<string> {
    const reply = await this.aggregator.search({ request_id: ctx.requestId, ...search }, ctx);
    const shared: SharedAnswer = {
      limit: search.limit,
      // The plan's clamp holds even if the Aggregator sends more than asked.
      results: reply.results.slice(0, search.limit).map(toProduct),
    };
    if (reply.sources) shared.sources = reply.sources.map(toSource);
    return this.cache.save(key, shared);
  }
}

/**
 * Only the contract's fields: the schema check lets extra properties through, and whatever a backend adds
 * must not reach clients, the cache or the CLI's --json output.
 */
export function toProduct(p: Product): Product {
  const product: Product = {
    id: p.id,
    title: p.title,
    price: p.price,
    currency: p.currency,
    url: p.url,
    source: p.source,
  };
  if (p.image_url !== undefined) product.image_url = p.image_url;
  if (p.rating !== undefined) product.rating = p.rating;
  return product;
}

function toSource(s: Source): Source {
  return { name: s.name, ok: s.ok, took_ms: s.took_ms };
}

/** A stored or shared answer, made this caller's: their request id and their spelling of the query. */
function answer(shared: string, search: NormalizedSearch, ctx: CallContext, cached: boolean): SearchAnswer {
  return new SearchAnswer(shared, {
    request_id: ctx.requestId,
    query: search.query,
    categories: search.categories,
    cached,
  });
}
