import { type Command, InvalidArgumentError } from "commander";
import { rateLimitHeaders } from "../../src/api/rate-limit-headers.ts";
import type { SearchResponse } from "../../src/models/search.ts";
import type { MarketplaceResult } from "../../src/models/search-stream.ts";
import { Limiter } from "../../src/services/limiter.ts";
import { GatewayClient } from "../lib/gateway-client.ts";
import { GATEWAY_URL_ENV, resolveGatewayUrl } from "../lib/gateway-url.ts";
import type { IO } from "../lib/io.ts";
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

interface SearchOptions {
  url?: string;
  category: string[];
  limit?: number;
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
): void {
  if (options.json) {
    // With --watch every event is one JSON line; the merged answer is the `done` one.
    io.stdout(
      options.watch
        ? `${JSON.stringify({ event: "done", data: answer })}\n`
        : `${JSON.stringify(answer, null, 2)}\n`,
    );
    return;
  }
  if (options.watch) io.stdout(answer.results.length > 0 ? "All marketplaces, merged:\n" : "");
  if (answer.results.length === 0) {
    io.stdout(`No products found for "${printable(answer.query)}".\n`);
  } else {
    io.stdout(
      `${renderTable(["TITLE", "PRICE", "SOURCE"], rowsOf(answer.results), ["left", "right", "left"])}\n`,
    );
  }
  const quota = quotaOf(headers);
  const details = [
    `limit ${answer.limit}`,
    ...(plan ? [`${plan} plan`] : []),
    ...(quota ? [quotaText(quota)] : []),
  ];
  if (answer.results.length > 0) io.stderr(`${answer.results.length} results (${details.join("; ")})\n`);
}

async function searchInProcess(
  io: IO,
  input: Parameters<typeof searchRemote>[2],
  configFile?: string,
  onSource?: (source: MarketplaceResult) => void,
): Promise<Searched> {
  const session = await openSession(io, configFile);
  try {
    const token = await bearerToken(session, io);
    const caller = await session.services.auth.authenticate(`Bearer ${token}`, session.ctx);
    const admission = await session.services.search.admit(input, caller);
    if (!admission.limits.allowed) throw Limiter.refusal(admission.limits);
    const headers = new Headers(rateLimitHeaders(admission.limits));
    const plan = async () => caller.plan;
    if (onSource) {
      const answer = await watchInProcess(session.services.streams, admission, session.ctx, onSource);
      return { answer, headers, plan };
    }
    const { answer } = await session.services.search.serve(admission, session.ctx);
    return { answer: answer.value, headers, plan };
  } finally {
    await session.close();
  }
}

async function searchRemote(
  io: IO,
  url: string,
  input: { query: string; categories: string[]; limit?: number | undefined },
  onSource?: (source: MarketplaceResult) => void,
): Promise<Searched> {
  const client = new GatewayClient(url, io);
  const query = {
    query: input.query,
    categories: input.categories,
    ...(input.limit ? { limit: input.limit } : {}),
  };
  const { data, headers } = onSource
    ? await watchRemote(client, query, onSource)
    : await client.authorized((authorization) =>
        client.api.search.get({ query, headers: { authorization } }),
      );
  // The answer says what limit was used, not why: only the profile names the plan, asked only when
  // needed, and only to word a message, so a refusal here (the minute's requests used up) is not the search's.
  const plan = () =>
    client
      .authorized((authorization) => client.api.profile.get({ headers: { authorization } }))
      .then(({ data }) => data.plan as string | undefined)
      .catch(() => undefined);
  return { answer: data, headers, plan };
}

export function registerSearch(program: Command, io: IO): void {
  program
    .command("search")
    .description("Search products across every marketplace")
    .argument("<query...>", "what to look for (several words are joined)")
    .option("--url <url>", `the gateway to ask [default $${GATEWAY_URL_ENV}, else the last one logged in to]`)
    .option("-c, --category <name>", "only this category (repeatable)", collect, [] as string[])
    .option("-n, --limit <n>", "how many results (the plan's maximum applies)", positiveInteger)
    .option("--json", "print the gateway's JSON answer (with --watch: one JSON line per event)")
    .option(
      "--watch",
      "print each marketplace's offers as it answers (GET /search/stream), then the merged table",
    )
    .option("--config <file>", "config file, as for `gateway serve` (without a gateway URL)")
    .action(async (words: string[], options: SearchOptions) => {
      const url = resolveGatewayUrl(io, options.url);
      const input = { query: words.join(" "), categories: options.category, limit: options.limit };
      const onSource = options.watch
        ? (source: MarketplaceResult) => printSource(io, options, source)
        : undefined;
      const searched =
        url === undefined
          ? await searchInProcess(io, input, options.config, onSource)
          : await searchRemote(io, url, input, onSource);
      const cut = options.limit !== undefined && searched.answer.limit < options.limit;
      const plan = cut || url === undefined ? await searched.plan() : undefined;
      if (cut) {
        const whose = plan ? `the ${plan} plan's` : "your plan's";
        io.stderr(`${options.limit} requested, ${whose} maximum is ${searched.answer.limit}\n`);
      }
      print(io, options, searched, plan);
    });
}
