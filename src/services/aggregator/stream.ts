import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { AggregatorSearchResponse } from "../../models/search.ts";
import { AggregatorStreamMessage } from "../../models/search-stream.ts";

export const checkStreamMessage = TypeCompiler.Compile(AggregatorStreamMessage);

/** Why a message breaks the stream contract, or undefined when it keeps it. */
export function streamMessageProblem(message: unknown): string | undefined {
  if (checkStreamMessage.Check(message)) return undefined;
  const first = checkStreamMessage.Errors(message).First();
  return `sent a stream message that does not match its contract${first ? ` (${first.path || "/"}: ${first.message})` : ""}`;
}

/**
 * An Aggregator without the streaming endpoint, asked the unary search instead: its answer told the way
 * a stream would have, one `source` per entry of `sources` with that marketplace's offers of the merged
 * list (its others are not known), then `done`. Without `sources` there is only `done`.
 */
export function streamOfAnswer(answer: AggregatorSearchResponse): AggregatorStreamMessage[] {
  const messages: AggregatorStreamMessage[] = (answer.sources ?? []).map((source) => ({
    source: { ...source, results: answer.results.filter((product) => product.source === source.name) },
  }));
  messages.push({ done: answer });
  return messages;
}
