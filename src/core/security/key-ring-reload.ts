import { type FSWatcher, statSync, watch } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../logger.ts";
import { type KeyRing, loadKeyRing } from "./key-ring.ts";
import type { KeyRingHolder } from "./key-ring-holder.ts";

// Editors and `cp` write a file in several steps; one reload after they are done is enough.
const DEBOUNCE_MS = 150;

/** What a reload compares: a touch that changes no key or state is not worth a line in the log. */
const fingerprint = (ring: KeyRing) =>
  ring.all.map((key) => `${key.kid}:${key.state}:${key.publicJwk?.x}:${key.publicJwk?.y}`).join(",");

/**
 * Reloads GATEWAY_JWT_KEYS on SIGHUP and when the file or directory changes, so rotating a key needs no
 * restart. A ring that does not load (bad JSON, two active keys, a half-written file) keeps the previous
 * ring: one error line, and every token that verified before still does. Returns the stop function.
 */
export function watchKeyRing(path: string, holder: KeyRingHolder, logger: Logger): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reload = (trigger: string) => {
    let ring: KeyRing;
    try {
      ring = loadKeyRing(path);
    } catch (error) {
      logger.error("key ring reload failed: keeping the previous keys", {
        trigger,
        reason: (error as Error).message,
      });
      return;
    }
    if (fingerprint(ring) === fingerprint(holder.current)) return;
    holder.replace(ring);
    logger.info("key ring reloaded", {
      trigger,
      active: ring.active.kid,
      verify_only: [...ring.verifiers.keys()].filter((kid) => kid !== ring.active.kid).join(","),
    });
  };
  const soon = (trigger: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => reload(trigger), DEBOUNCE_MS);
  };
  const onHangup = () => reload("SIGHUP");
  process.on("SIGHUP", onHangup);
  // A file is watched through its directory, and any change there counts: an editor's save replaces the
  // file, and a Kubernetes Secret swaps a symlink beside it, both of which a watch on the file would miss.
  // A change that leaves the ring as it was logs nothing (see fingerprint).
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(statSync(path).isDirectory() ? path : dirname(path), () => soon("file change"));
    watcher.on("error", () => undefined);
  } catch (error) {
    logger.warn("key ring: cannot watch for changes, reload with SIGHUP", {
      reason: (error as Error).message,
    });
  }
  return () => {
    clearTimeout(timer);
    process.off("SIGHUP", onHangup);
    watcher?.close();
  };
}
