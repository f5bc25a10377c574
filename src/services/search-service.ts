import { type FieldError, Forbidden, InvalidInput } from "../core/errors.ts";
import type { Caller } from "../models/caller.ts";
import { queryLengthFits, searchedQuery } from "../models/query-text.ts";
import { CATEGORY_PATTERN, type Product, QUERY_MAX_LENGTH, type Source } from "../models/search.ts";
import type { PlanLimits } from "../models/subscription.ts";
import type { AggregatorClient } from "./aggregator/index.ts";
import type { CallContext } from "./call-context.ts";
import { type LimitDecision, Limiter } from "./limiter.ts";
import { keepSearch, type RecentSearch, recentSearch } from "./recent-searches.ts";
import { withinDeadline } from "./resilience/deadline.ts";
import { SearchAnswer } from "./search-answer.ts";
import type { CacheHit, SearchCache, SharedAnswer } from "./search-cache.ts";
import { pageOf, resumeAt, type SearchCursors } from "./search-cursor.ts";
import {
  aggregatorRequest,
  type FilterInput,
  normalizeFilters,
  type SearchFilters,
} from "./search-params.ts";
import { upstreamError } from "./upstream-errors.ts";

export interface SearchInput extends FilterInput {
  query: string;
  categories?: string[] | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface NormalizedSearch {
  query: string;
  categories: string[];
  limit: number;
  filters: SearchFilters;
  /** 1 and 0 unless a cursor said otherwise. */
  page: number;
  offset: number;
}

/** What the limiter decided for one search call, with the search itself or why it is not valid. */
export type Admission =
  | { limits: LimitDecision; search: NormalizedSearch }
  | { limits: LimitDecision; search?: undefined; invalid: unknown };

/** Where an answer came from: the cache fresh, the Aggregator, or the cache past its TTL (the Aggregator failing). */
export type CacheState = "HIT" | "MISS" | "STALE";

export interface Served {
  answer: SearchAnswer;
  cache: CacheState;
}

interface Load {
  key: string;
  search: NormalizedSearch;
  ctx: CallContext;
}

/** Used when the client names no limit; still clamped to the plan's maximum. */
export const DEFAULT_LIMIT = 20;
const CATEGORY = new RegExp(CATEGORY_PATTERN);
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Checks what the schema cannot (bounds after trimming, plan limits) and applies the plan's clamp. */
export function normalizeSearch(input: SearchInput, caller: Caller): NormalizedSearch {
  const errors: FieldError[] = [];
  const query = searchedQuery(input.query);
  if (!queryLengthFits(query)) {
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
  const filters = normalizeFilters(input, errors);
  if (errors.length > 0) throw new InvalidInput("The search request is not valid.", errors);
  if (categories.length > caller.limits.maxCategories) {
    throw new Forbidden(
      `Your ${caller.plan} plan allows at most ${caller.limits.maxCategories} categories per search; ` +
        `${categories.length} were given.`,
    );
  }
  const limit = Math.min(input.limit ?? DEFAULT_LIMIT, caller.limits.maxResults);
  return { query, categories, limit, filters, page: 1, offset: 0 };
}

/** Comma-separated or repeated, trimmed, without empties or repeats, in the order given. */
function categoriesOf(given: string[]): string[] {
  return [...new Set(given.flatMap((c) => c.split(",")).map((c) => c.trim()))].filter((c) => c !== "");
}

function frozenSearch(search: NormalizedSearch): NormalizedSearch {
  Object.freeze(search.categories);
  if (search.filters.sources) Object.freeze(search.filters.sources);
  Object.freeze(search.filters);
  return Object.freeze(search);
}

function admitted(limits: LimitDecision, search: NormalizedSearch | undefined, invalid: unknown): Admission {
  return search ? { limits, search } : { limits, invalid };
}

export class SearchService {
  constructor(
    private readonly aggregator: AggregatorClient,
    private readonly limiter: Limiter,
    private readonly cache: SearchCache,
    private readonly cursors?: SearchCursors,
  ) {}

  /**
   * Every call costs a request token; only a valid search is counted against the day quota (one limiter
   * round trip either way). It throws nothing: the decision is returned first so that the caller can
   * report it (RateLimit headers) whatever `serve` then answers, a refusal, a 4xx or a 502 included.
   */
  admit(input: SearchInput, caller: Caller): Admission | Promise<Admission> {
    let search: NormalizedSearch | undefined;
    let invalid: unknown;
    try {
      search = this.#normalized(input, caller);
      if (input.cursor !== undefined) search = this.#resume(search, input.cursor, caller);
    } catch (error) {
      search = undefined;
      invalid = error;
    }
    // A later page of a search already counted is not a new search: it costs a request token only.
    // A promise only from a store that answers with one (Redis): the in-process store's decision is
    // used at once, since even an await of a plain value costs the request a turn of the event loop.
    const checked = this.limiter.check(caller, search && search.page === 1 ? "search" : "request");
    if (checked instanceof Promise) return checked.then((limits) => admitted(limits, search, invalid));
    return admitted(checked, search, invalid);
  }

  /**
   * The admitted search, or its refusal or invalidity thrown. A fresh cached answer is served as it is;
   * otherwise identical concurrent searches share one Aggregator call, and if that fails a stale answer
   * is served rather than an error. A counted search that fails is given back.
   */
  serve(admission: Admission, ctx: CallContext): Served | Promise<Served> {
    const { limits, search } = admission;
    if (!limits.allowed) throw Limiter.refusal(limits);
    if (!search) throw admission.invalid;

    const recent = recentSearch(search);
    const looked = this.cache.lookup(recent.key);
    // A fresh answer from the in-process store is served without a promise: that is every hit.
    if (looked instanceof Promise)
      return looked.then((hit) => this.#served(admission, search, recent, hit, ctx));
    return this.#served(admission, search, recent, looked, ctx);
  }

  #served(
    admission: Admission,
    search: NormalizedSearch,
    recent: RecentSearch,
    hit: CacheHit | undefined,
    ctx: CallContext,
  ): Served | Promise<Served> {
    if (hit !== undefined) keepSearch(search.query, recent);
    if (hit?.state === "fresh") return { answer: answer(hit.text, search, recent, ctx, true), cache: "HIT" };
    return this.#miss(admission.limits, search, recent, hit, ctx);
  }

  async #miss(
    limits: LimitDecision,
    search: NormalizedSearch,
    recent: RecentSearch,
    hit: CacheHit | undefined,
    ctx: CallContext,
  ): Promise<Served> {
    const { key } = recent;
    try {
      // A load this call starts is bounded by its own deadline already (the client's timeouts are cut to
      // it); one it joins runs under the first caller's, so waiting for it is raced against this one's.
      const joins = this.cache.joins(key);
      const load = this.cache.coalesce(key, this.#load, { key, search, ctx });
      const fetched = await (joins ? withinDeadline(ctx, load) : load);
      return { answer: answer(fetched, search, recent, ctx, false), cache: "MISS" };
    } catch (error) {
      if (hit) return { answer: answer(hit.text, search, recent, ctx, true), cache: "STALE" };
      await this.limiter.release(limits).catch(() => {});
      throw upstreamError("Aggregator", error);
    }
  }

  /** Admission and answer in one, for callers that report neither the decision nor the cache (the CLI). */
  async search(input: SearchInput, caller: Caller, ctx: CallContext): Promise<SearchAnswer> {
    return (await this.serve(await this.admit(input, caller), ctx)).answer;
  }

  /**
   * A frozen input is one the route shares between the requests of a hot query string
   * (api/routes/hot-queries.ts): its normalized search, which depends only on it and the plan's limits,
   * is kept beside it per plan, frozen too, so a hit does not normalize it again. Any other input is
   * normalized.
   */
  #normalized(input: SearchInput, caller: Caller): NormalizedSearch {
    if (!Object.isFrozen(input)) return normalizeSearch(input, caller);
    let byPlan = this.#normalizedInputs.get(input);
    const kept = byPlan?.get(caller.limits);
    if (kept !== undefined) return kept;
    const search = frozenSearch(normalizeSearch(input, caller));
    if (byPlan === undefined) {
      byPlan = new Map();
      this.#normalizedInputs.set(input, byPlan);
    }
    byPlan.set(caller.limits, search);
    return search;
  }

  // Per input, a search per plan's limits (a few plans: the map stays as small as the plan table).
  readonly #normalizedInputs = new WeakMap<SearchInput, Map<PlanLimits, NormalizedSearch>>();

  #resume(search: NormalizedSearch, cursor: string, caller: Caller): NormalizedSearch {
    if (!this.cursors) throw new InvalidInput("This gateway issues no cursors.", []);
    return { ...search, ...resumeAt(this.cursors, cursor, search, caller) };
  }

  // One function for every load, given what it needs as its argument.
  readonly #load = (load: Load) => this.#fetch(load.key, load.search, load.ctx);

  /** The shared part of the answer, as the JSON text that is cached and sent. */
  async #fetch(key: string, search: NormalizedSearch, ctx: CallContext): Promise<string> {
    const reply = await this.aggregator.search(aggregatorRequest(ctx.requestId, search), ctx);
    // The reply holds only the contract's fields, checked (the clients read it with the contract's
    // reader), so it is used as it is; the plan's clamp holds even if the Aggregator sends more than asked.
    const { results, sources } = reply;
    const { page, next_cursor } = pageOf(this.cursors, search, reply.has_more === true);
    const shared: SharedAnswer = {
      limit: search.limit,
      results: results.length > search.limit ? results.slice(0, search.limit) : results,
      ...(sources ? { sources } : {}),
      page,
      next_cursor,
    };
    if (reply.rate_date !== undefined) shared.rate_date = reply.rate_date;
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

export function toSource(s: Source): Source {
  return { name: s.name, ok: s.ok, took_ms: s.took_ms };
}

/**
 * A stored or shared answer, made this caller's: their request id and their spelling of the query.
 * `/search` and `/search/stream` both answer through it, so their answers are the same bytes.
 */
export function answer(
  shared: string,
  search: NormalizedSearch,
  recent: RecentSearch,
  ctx: CallContext,
  cached: boolean,
): SearchAnswer {
  const fields = { request_id: ctx.requestId, query: search.query, categories: search.categories, cached };
  return new SearchAnswer(shared, fields, recent.echo);
}
