import { BINARY, serveArgs, startGateway } from "./launch.ts";
import { median } from "./results.ts";
import { stopProcess } from "./targets.ts";

/** Exec to the first 200 on /healthz (the URL comes from the startup line), median of 10. */
export async function startupMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    // Nothing listens on port 9: /healthz makes no backend call.
    const nowhere = { users: "http://127.0.0.1:9", aggregator: "http://127.0.0.1:9" };
    const { child, info } = await startGateway([BINARY, ...serveArgs(nowhere)]);
    const response = await fetch(`${info.url}/healthz`);
    if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
    times.push(performance.now() - started);
    await stopProcess(child);
  }
  return Math.round(median(times) * 10) / 10;
}
