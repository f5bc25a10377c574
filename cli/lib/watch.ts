import type { SearchResponse } from "../../src/models/search.ts";
import type { MarketplaceResult, SearchStreamEvent } from "../../src/models/search-stream.ts";
import type { CallContext } from "../../src/services/call-context.ts";
import type { Admission } from "../../src/services/search-service.ts";
import type { SearchStreams } from "../../src/services/search-stream.ts";
import { answerError } from "./errors.ts";
import type { Answer, GatewayClient } from "./gateway-client.ts";
import { CliError } from "./io.ts";

type StreamQuery = { query: string; categories: string[]; limit?: number };

/**
 * GET /search/stream through the Eden client, which reads `text/event-stream` as an async iterable of
 * `{event, data}`: each `source` goes to `onSource` as it arrives, `done` is the answer, and an `error`
 * event (the gateway's deadline, the Aggregator failing) fails the command as the same status would.
 */
export async function watchRemote(
  client: GatewayClient,
  query: StreamQuery,
  onSource: (source: MarketplaceResult) => void,
): Promise<Answer<SearchResponse>> {
  const { data, headers } = await client.authorized((authorization) =>
    client.api.search.stream.get({ query, headers: { authorization } }),
  );
  // Typed as one event (the document's oneOf); what Eden hands over for an event stream is their sequence.
  const events = data as unknown as AsyncIterable<SearchStreamEvent>;
  for await (const event of events) {
    if (event.event === "source") onSource(event.data);
    else if (event.event === "done") return { data: event.data, headers };
    else throw answerError(event.data.status, event.data, client.loginHint);
  }
  throw new CliError(`${client.url} ended the stream without a result`);
}

/** The same stream in-process, from the services the one-off commands build. */
export async function watchInProcess(
  streams: SearchStreams,
  admission: Admission,
  ctx: CallContext,
  onSource: (source: MarketplaceResult) => void,
): Promise<SearchResponse> {
  const opened = await streams.open(admission, ctx);
  return new Promise((resolve, reject) => {
    opened.subscribe((event) => {
      if (event.event === "source") onSource(event.data);
      else if (event.event === "done") resolve(event.answer.value);
      else reject(event.error);
    });
  });
}
