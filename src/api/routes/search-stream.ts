import { Elysia } from "elysia";
import { ShuttingDown } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { readSearchQuery, SearchQuery } from "../../models/search.ts";
import { SearchStreamEvent } from "../../models/search-stream.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { Limiter } from "../../services/limiter.ts";
import type { SearchService } from "../../services/search-service.ts";
import type { SearchStreams } from "../../services/search-stream.ts";
import type { OpenStreams } from "../open-streams.ts";
import { authentication } from "../plugins/auth.ts";
import { toProblem } from "../plugins/problems.ts";
import { requestContext } from "../plugins/request-context.ts";
import { sseMessage, sseResponse } from "../sse.ts";
import { type StreamOutcome, StreamTally } from "../stream-tally.ts";
import { responses } from "./responses.ts";

/** `x-media-type` tells openapi-document.ts to label this body `text/event-stream`, not JSON. */
const events = { ...SearchStreamEvent, "x-media-type": "text/event-stream" } as typeof SearchStreamEvent;

const response = responses({ 200: events }, [400, 401, 403, 422, 429, 502, 503, 504], {
  rateLimited: true,
  cached: true,
});

const description =
  "The search of `GET /search`, same parameters, authentication, limits and quota, answered as Server-Sent " +
  "Events while the marketplaces answer: one `source` event per marketplace (its offers, `ok`, `took_ms`), " +
  "then one `done` with exactly what `GET /search` answers. A `: heartbeat` comment goes out every 15 s " +
  "(`GATEWAY_STREAM_HEARTBEAT_MS`). The gateway's deadline, an Aggregator failing mid-stream, or the gateway " +
  "shutting down (503 `/problems/shutting-down`, `retry_after` seconds) ends it with an `error` event whose data is problem+json; anything refused before the stream starts (401, 403, 422, " +
  "429, ...) is an ordinary problem+json answer. A cached search is one `done` at once. Each `data:` line " +
  "is one JSON value; the body schema lists the events as `{event, data}` objects, as Eden's reader yields them.";

export function searchStreamRoutes(
  auth: AuthService,
  limiter: Limiter,
  search: SearchService,
  streams: SearchStreams,
  { heartbeatMs, logger, open }: { heartbeatMs: number; logger: Logger; open: OpenStreams },
) {
  return new Elysia({ name: "routes/search-stream" })
    .use(requestContext)
    .use(authentication(auth, limiter))
    .get(
      "/search/stream",
      async ({ query, caller, meta, set, request }) => {
        // Before the admission, so a stream refused while draining costs no quota.
        if (open.refuses(meta.call.deadline)) throw new ShuttingDown();
        // The same admission as /search (validation, plan, quota), so a new parameter reaches both.
        const admission = await search.admit(query, caller);
        meta.limits = admission.limits;
        const opened = await streams.open(admission, meta.call);
        meta.cache = opened.cache;
        const tally = new StreamTally();
        meta.stream = tally;
        const held = open.hold(meta.call.deadline);
        return sseResponse(set, request.signal, heartbeatMs, (writer) => {
          const send = (event: string, data: string) => {
            tally.events += 1;
            writer.send(sseMessage(event, data));
          };
          let outcome: StreamOutcome = "disconnect";
          const stop = opened.subscribe((event) => {
            if (event.event === "source") {
              send("source", JSON.stringify(event.data));
              return;
            }
            if (event.event === "done") {
              outcome = "done";
              send("done", event.answer.json);
            } else {
              const { error } = event;
              outcome = error instanceof ShuttingDown ? "shutdown" : "error";
              if (outcome === "error" && error.status >= 500)
                logger.warn("search stream failed", {
                  request_id: meta.requestId,
                  status: error.status,
                  error,
                });
              send("error", JSON.stringify(toProblem(error, meta.requestId)));
            }
            writer.close();
          }, held.signal);
          return () => {
            stop();
            held.release();
            tally.end(outcome);
          };
        });
      },
      {
        identify: true,
        transform: (context) => {
          context.query = readSearchQuery(context.request.url) as typeof context.query;
        },
        query: SearchQuery,
        response,
        detail: {
          tags: ["search"],
          summary: "Search products, results as each marketplace answers (Server-Sent Events)",
          operationId: "getSearchStream",
          description,
        },
      },
    );
}
