import { Elysia, type Static, t } from "elysia";
import type { Services } from "../../services/container.ts";
import { requestContext } from "../plugins/request-context.ts";

const Check = t.Object({ ok: t.Boolean(), latency_ms: t.Number(), error: t.Optional(t.String()) });
const Readiness = t.Object({
  status: t.Union([t.Literal("ready"), t.Literal("unready")]),
  checks: t.Record(t.String(), Check),
});

async function probe(run: () => Promise<void>): Promise<Static<typeof Check>> {
  const started = performance.now();
  try {
    await run();
    return { ok: true, latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      latency_ms: Math.round(performance.now() - started),
      error: (error as Error).message,
    };
  }
}

export function healthRoutes(services: Pick<Services, "users" | "aggregator">) {
  return new Elysia({ name: "routes/health" })
    .use(requestContext)
    .get("/healthz", () => ({ status: "ok" as const }), {
      response: { 200: t.Object({ status: t.Literal("ok") }) },
      detail: { tags: ["operations"], summary: "Liveness: the process answers (no backend calls)" },
    })
    .get(
      "/readyz",
      async ({ call, set }) => {
        const [users, aggregator] = await Promise.all([
          probe(() => services.users.health(call)),
          probe(() => services.aggregator.health(call)),
        ]);
        const ready = users.ok && aggregator.ok;
        set.status = ready ? 200 : 503;
        return { status: ready ? ("ready" as const) : ("unready" as const), checks: { users, aggregator } };
      },
      {
        response: { 200: Readiness, 503: Readiness },
        detail: { tags: ["operations"], summary: "Readiness: both backends answer their health check" },
      },
    );
}
