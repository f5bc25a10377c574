import { AGGREGATOR_PARAMETERS } from "./search-params.ts";

/**
 * The client's name for a parameter an Aggregator says it does not support, or undefined if the name is
 * not one the gateway sends: only our own names are ever repeated to the client, never backend text.
 * The Aggregator pages by `offset`; the client by `cursor`.
 */
export function clientParameter(name: unknown): string | undefined {
  if (typeof name !== "string" || !AGGREGATOR_PARAMETERS.has(name)) return undefined;
  return name === "offset" ? "cursor" : name;
}
