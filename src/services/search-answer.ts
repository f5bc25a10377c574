import type { SearchResponse } from "../models/search.ts";

/** The fields of an answer that belong to one caller; the rest is shared by everyone asking the same. */
export interface CallerFields {
  request_id: string;
  query: string;
  categories: string[];
  cached: boolean;
}

/**
 * A SearchResponse as the JSON text that is sent. The shared part is serialized once, when it comes
 * from the Aggregator, and kept as text in the cache; each answer only splices its caller's fields in
 * front of it, so neither a hit nor a miss parses or re-serializes the results. `value` parses on demand,
 * for the CLI and for tests.
 */
export class SearchAnswer {
  readonly json: string;
  #value: SearchResponse | undefined;

  /** `shared`: the JSON text of a non-empty object (a SharedAnswer, checked where it was read). */
  /**
   * `echo`: SearchAnswer.echo of the fields' query and categories, when the caller has it already (it is
   * kept per hot search, recent-searches.ts).
   */
  constructor(
    shared: string,
    fields: CallerFields,
    echo = SearchAnswer.echo(fields.query, fields.categories),
  ) {
    this.json = `{"request_id":${JSON.stringify(fields.request_id)},${echo},"cached":${fields.cached},${shared.slice(1)}`;
  }

  /** The search as an answer repeats it: the same for every answer to the same search. */
  static echo(query: string, categories: readonly string[]): string {
    return `"query":${JSON.stringify(query)},"categories":${JSON.stringify(categories)}`;
  }

  get value(): SearchResponse {
    this.#value ??= JSON.parse(this.json) as SearchResponse;
    return this.#value;
  }

  toJSON(): SearchResponse {
    return this.value;
  }
}
