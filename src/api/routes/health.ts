import { Elysia, type Static, t } from "elysia";
import type { Services } from "../../services/container.ts";
import { HTTPError } from "../../services/errors.ts";
import { requestContext } from "../plugins/request-context.ts";
import { responses } from "./responses.ts";

/** Shared with the server: set when shutdown begins, so load balancers stop sending traffic. */
export interface Lifecycle {
  draining: boolean;
}

const CircuitState = t.Union([t.Literal("closed"), t.Literal("open"), t.Literal("half-open")]);
const Check = t.Object({
  ok: t.Boolean(),
  latency_ms: t.Number(),
  circuit: CircuitState,
  error: t.Optional(
    t.String({ maxLength: 100, description: "The kind of failure only: no addresses or messages" }),
  ),
});
const Readiness = t.Object({
  status: t.Union([t.Literal("ready"), t.Literal("unready"), t.Literal("draining")]),
  checks: t.Object({ users: Check, aggregator: Check }),
});

async function probe(
  run: () => Promise<void>,
  circuit: Static<typeof CircuitState>,
): Promise<Static<typeof Check>> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    await run();
    return { ok: true, latency_ms: latency(), circuit };
  } catch (error) {
    // The probe is unauthenticated: say what kind of failure, not where or why in detail.
    const kind = error instanceof HTTPError ? `HTTP ${error.response.status}` : (error as Error).name;
    return { ok: false, latency_ms: latency(), circuit, error: kind.slice(0, 100) };
  }
}

export function healthRoutes(
  services: Pick<Services, "users" | "aggregator" | "breakers">,
  lifecycle: Lifecycle,
) {
  return new Elysia({ name: "routes/health" })
    .use(requestContext)
    .get("/healthz", () => ({ status: "ok" as const }), {
      response: responses({ 200: t.Object({ status: t.Literal("ok") }) }, []),
      detail: {
        tags: ["operations"],
        summary: "Liveness: the process answers (no backend calls)",
        description: "Always 200 while the process runs; it calls no backend.",
        operationId: "getHealthz",
        security: [],
      },
    })
    .get(
      "/readyz",
      async ({ call, set }) => {
        const [users, aggregator] = await Promise.all([
          probe(() => services.users.health(call), services.breakers.users.state),
          probe(() => services.aggregator.health(call), services.breakers.aggregator.state),
        ]);
        const status = lifecycle.draining ? "draining" : users.ok && aggregator.ok ? "ready" : "unready";
        set.status = status === "ready" ? 200 : 503;
        return { status, checks: { users, aggregator } } as Static<typeof Readiness>;
      },
      {
        // Its 503 is the same status report, not a problem.
        response: responses({ 200: Readiness, 503: Readiness }, []),
        detail: {
          tags: ["operations"],
          summary: "Readiness: both backends answer their health check and the gateway is not shutting down",
          description: "Each check also shows the backend's circuit state (closed, open, half-open).",
          operationId: "getReadyz",
          security: [],
        },
      },
    );
}
