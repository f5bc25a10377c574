import { type Command, InvalidArgumentError } from "commander";
import { rateLimitHeaders } from "../../src/api/rate-limit-headers.ts";
import { type Product, type SearchResponse, SORTS, type SortName } from "../../src/models/search.ts";
import type { MarketplaceResult } from "../../src/models/search-stream.ts";
import { Limiter } from "../../src/services/limiter.ts";
import type { SearchInput } from "../../src/services/search-service.ts";
import { cliErrorOf } from "../lib/errors.ts";
import { GatewayClient } from "../lib/gateway-client.ts";
import { GATEWAY_URL_ENV, resolveGatewayUrl } from "../lib/gateway-url.ts";
import { CliError, EXIT, type IO } from "../lib/io.ts";
import { printable } from "../lib/printable.ts";
import { quotaOf, quotaText } from "../lib/quota.ts";
import { bearerToken, openSession } from "../lib/session.ts";
import { renderTable } from "../lib/table.ts";
import { watchInProcess, watchRemote } from "../lib/watch.ts";

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("must be a whole number of 1 or more");
  return Number(value);
}

const collect = (value: string, previous: string[]) => [...previous, value];
const collectList = (value: string, previous: string[]) => [...previous, ...value.split(",")];

function sortName(value: string): SortName {
  if (!(SORTS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${SORTS.join(", ")}`);
  return value as SortName;
}

function price(value: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(value)) throw new InvalidArgumentError("must be a decimal number of 0 or more");
  return Number(value);
}

interface SearchOptions {
  url?: string;
  category: string[];
  limit?: number;
  sort?: SortName;
  minPrice?: number;
  maxPrice?: number;
  currency?: string;
  sources: string[];
  page?: number;
  all?: boolean;
  json?: boolean;
  config?: string;
  watch?: boolean;
}

/** One search's outcome, wherever it ran; `plan` names the plan when a cut `-n` needs it. */
interface Searched {
  answer: SearchResponse;
  headers: Headers;
  plan: () => Promise<string | undefined>;
}

/** The search's parameters, the same on every page; only the cursor changes. */
type SearchParameters = Omit<SearchInput, "cursor">;

/**
 * Asks for one page of the search (the first without a cursor), over HTTP or in-process; with
 * `onSource`, through the stream, each marketplace's offers told as they arrive.
 */
interface Pager {
  page(cursor?: string, onSource?: (source: MarketplaceResult) => void): Promise<Searched>;
  close(): Promise<void>;
}

const rowsOf = (products: SearchResponse["results"]) =>
  products.map((p) => [p.title, `${p.price.toFixed(2)} ${p.currency}`, p.source]);

/** One marketplace's offers as they arrive (--watch): a line naming it, then its own small table. */
function printSource(io: IO, options: SearchOptions, source: MarketplaceResult): void {
  if (options.json) {
    io.stdout(`${JSON.stringify({ event: "source", data: source })}\n`);
    return;
  }
  const how = source.ok ? `${source.results.length} offers` : "failed";
  io.stdout(`${printable(source.name)}: ${how} (${Math.round(source.took_ms)} ms)\n`);
  if (source.results.length > 0)
    io.stdout(
      `${renderTable(["TITLE", "PRICE", "SOURCE"], rowsOf(source.results), ["left", "right", "left"])}\n\n`,
    );
}

function print(
  io: IO,
  options: SearchOptions,
  { answer, headers }: Searched,
  plan: string | undefined,
  results: Product[] = answer.results,
): void {
  if (options.watch) io.stdout(results.length > 0 ? "All marketplaces, merged:\n" : "");
  if (results.length === 0) {
    io.stdout(`No products found for "${printable(answer.query)}".\n`);
  } else {
    io.stdout(`${renderTable(["TITLE", "PRICE", "SOURCE"], rowsOf(results), ["left", "right", "left"])}\n`);
  }
  const quota = quotaOf(headers);
  const details = [
    options.all ? `${plural(answer.page ?? 1, "page")} of limit ${answer.limit}` : `limit ${answer.limit}`,
    ...(!options.all && (answer.page ?? 1) > 1 ? [`page ${answer.page}`] : []),
    ...(answer.rate_date ? [`rates of ${answer.rate_date}`] : []),
    ...(plan ? [`${plan} plan`] : []),
    ...(quota ? [quotaText(quota)] : []),
  ];
  if (results.length > 0) io.stderr(`${results.length} results (${details.join("; ")})\n`);
}

async function inProcessPager(io: IO, input: SearchParameters, configFile?: string): Promise<Pager> {
  const session = await openSession(io, configFile);
  try {
    const token = await bearerToken(session, io);
    const caller = await session.services.auth.authenticate(`Bearer ${token}`, session.ctx);
    return {
      page: async (cursor, onSource) => {
        const asked = cursor === undefined ? input : { ...input, cursor };
        const admission = await session.services.search.admit(asked, caller);
        if (!admission.limits.allowed) throw Limiter.refusal(admission.limits);
        const headers = new Headers(rateLimitHeaders(admission.limits));
        const plan = async () => caller.plan;
        if (onSource) {
          const answer = await watchInProcess(session.services.streams, admission, session.ctx, onSource);
          return { answer, headers, plan };
        }
        const { answer } = await session.services.search.serve(admission, session.ctx);
        return { answer: answer.value, headers, plan };
      },
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

function remotePager(io: IO, url: string, input: SearchParameters): Pager {
  const client = new GatewayClient(url, io);
  const base = {
    query: input.query,
    categories: input.categories ?? [],
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.sort ? { sort: input.sort } : {}),
    ...(input.min_price !== undefined ? { min_price: input.min_price } : {}),
    ...(input.max_price !== undefined ? { max_price: input.max_price } : {}),
    ...(input.currency ? { currency: input.currency } : {}),
    ...(input.sources?.length ? { sources: input.sources } : {}),
  };
  // The answer says what limit was used, not why: only the profile names the plan, asked only when
  // needed, and only to word a message, so a refusal here (the minute's requests used up) is not the search's.
  const plan = () =>
    client
      .authorized((authorization) => client.api.profile.get({ headers: { authorization } }))
      .then(({ data }) => data.plan as string | undefined)
      .catch(() => undefined);
  return {
    page: async (cursor, onSource) => {
      const query = cursor === undefined ? base : { ...base, cursor };
      const { data, headers } = onSource
        ? await watchRemote(client, query, onSource)
        : await client.authorized((authorization) =>
            client.api.search.get({ query, headers: { authorization } }),
          );
      return { answer: data, headers, plan };
    },
    close: async () => {},
  };
}

/**
 * The page asked for (--page N follows N - 1 cursors), or with --all every page up to the last or to
 * the plan's depth, whose 403 ends the walk with what was found so far.
 */
async function walk(
  io: IO,
  pager: Pager,
  options: SearchOptions,
): Promise<{ last: Searched; results: Product[] }> {
  // --watch tells the page that is printed as it arrives; the pages before it are only a way there.
  const onSource = options.watch
    ? (source: MarketplaceResult) => printSource(io, options, source)
    : undefined;
  const target = options.all ? Number.POSITIVE_INFINITY : (options.page ?? 1);
  let searched = await pager.page(undefined, target === 1 ? onSource : undefined);
  const results = [...searched.answer.results];
  while ((searched.answer.page ?? 1) < target) {
    const cursor = searched.answer.next_cursor;
    if (cursor == null) {
      if (options.all) break;
      throw new CliError(
        `The search has ${plural(searched.answer.page ?? 1, "page")}; there is no page ${target}.`,
        EXIT.failure,
      );
    }
    try {
      const last = (searched.answer.page ?? 1) + 1 === target;
      searched = await pager.page(cursor, last ? onSource : undefined);
    } catch (error) {
      const refused = cliErrorOf(error);
      if (!options.all || refused.exitCode !== EXIT.forbidden) throw error;
      io.stderr(`stopped after page ${searched.answer.page ?? 1}: ${refused.message}\n`);
      break;
    }
    results.push(...searched.answer.results);
  }
  return { last: searched, results };
}

export function registerSearch(program: Command, io: IO): void {
  program
    .command("search")
    .description("Search products across every marketplace")
    .argument("<query...>", "what to look for (several words are joined)")
    .option("--url <url>", `the gateway to ask [default $${GATEWAY_URL_ENV}, else the last one logged in to]`)
    .option("-c, --category <name>", "only this category (repeatable)", collect, [] as string[])
    .option("-n, --limit <n>", "how many results (the plan's maximum applies)", positiveInteger)
    .option("--sort <order>", `result order: ${SORTS.join(", ")} [default relevance]`, sortName)
    .option("--min-price <amount>", "only offers at or above this price (in --currency, else USD)", price)
    .option("--max-price <amount>", "only offers at or below this price (in --currency, else USD)", price)
    .option("--currency <code>", "show prices in this ISO 4217 currency, converted by the Aggregator")
    .option(
      "--sources <names>",
      "only these marketplaces (comma-separated, repeatable)",
      collectList,
      [] as string[],
    )
    .option("--page <n>", "print page n, following the cursors of the pages before it", positiveInteger)
    .option("--all", "print every page, following cursors to the last one (or to the plan's depth)")
    .option(
      "--json",
      "print the gateway's JSON answer (with --all, a list of every page's answer; with --watch, one JSON line per event)",
    )
    .option(
      "--watch",
      "print each marketplace's offers as it answers (GET /search/stream), then the merged table",
    )
    .option("--config <file>", "config file, as for `gateway serve` (without a gateway URL)")
    .action(async (words: string[], options: SearchOptions) => {
      if (options.all && options.page !== undefined)
        throw new CliError("--page and --all exclude each other.", EXIT.usage);
      if (options.all && options.watch)
        throw new CliError("--watch shows one page as it arrives; it does not go with --all.", EXIT.usage);
      const url = resolveGatewayUrl(io, options.url);
      const input: SearchParameters = {
        query: words.join(" "),
        categories: options.category,
        limit: options.limit,
        sort: options.sort,
        min_price: options.minPrice,
        max_price: options.maxPrice,
        currency: options.currency,
        ...(options.sources.length > 0 ? { sources: options.sources } : {}),
      };
      const pager =
        url === undefined ? await inProcessPager(io, input, options.config) : remotePager(io, url, input);
      const pages: SearchResponse[] = [];
      let walked: { last: Searched; results: Product[] };
      try {
        walked = await walk(io, recording(pager, pages), options);
      } finally {
        await pager.close();
      }
      const { last, results } = walked;
      const cut = options.limit !== undefined && last.answer.limit < options.limit;
      const plan = cut || url === undefined ? await last.plan() : undefined;
      if (cut) {
        const whose = plan ? `the ${plan} plan's` : "your plan's";
        io.stderr(`${options.limit} requested, ${whose} maximum is ${last.answer.limit}\n`);
      }
      if (options.json) {
        // With --watch every event is one JSON line; the merged answer is the `done` one.
        const text = options.watch
          ? JSON.stringify({ event: "done", data: last.answer })
          : JSON.stringify(options.all ? pages : last.answer, null, 2);
        io.stdout(`${text}\n`);
        return;
      }
      print(io, options, last, plan, options.all ? results : last.answer.results);
    });
}

/** The pager, keeping every answer it got, for --all --json. */
function recording(pager: Pager, into: SearchResponse[]): Pager {
  return {
    page: async (cursor, onSource) => {
      const searched = await pager.page(cursor, onSource);
      into.push(searched.answer);
      return searched;
    },
    close: () => pager.close(),
  };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
