import type { CallContext } from "../call-context.ts";

/** Milliseconds left of the caller's deadline (Infinity when it has none). */
export function remainingMs(ctx: CallContext, now = Date.now()): number {
  return ctx.deadline === undefined ? Number.POSITIVE_INFINITY : ctx.deadline - now;
}

export class DeadlineExceeded extends Error {
  constructor() {
    super("the request's deadline passed");
    this.name = "DeadlineExceeded";
  }
}

/** Races `work` against the deadline, for waits that are not themselves bounded (e.g. a coalesced call). */
export async function withinDeadline<T>(ctx: CallContext, work: Promise<T>): Promise<T> {
  const left = remainingMs(ctx);
  if (left === Number.POSITIVE_INFINITY) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), Math.max(0, left));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
