import type { IO } from "./io.ts";

/** Resolves with the signal's name on SIGTERM/SIGINT, or "abort" when the caller's AbortSignal fires. */
export function untilStopped(io: IO): { stopped: Promise<string>; dispose(): void } {
  let dispose = () => {};
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (name: string) => () => resolve(name);
    const term = onSignal("SIGTERM");
    const int = onSignal("SIGINT");
    const abort = onSignal("abort");
    process.once("SIGTERM", term);
    process.once("SIGINT", int);
    io.signal?.addEventListener("abort", abort, { once: true });
    if (io.signal?.aborted) resolve("abort");
    dispose = () => {
      process.off("SIGTERM", term);
      process.off("SIGINT", int);
      io.signal?.removeEventListener("abort", abort);
    };
  });
  return { stopped, dispose: () => dispose() };
}
