import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { parse } from "protobufjs";
import protoSource from "../../proto/aggregator/v1/aggregator.proto" with { type: "text" };
import type { AggregatorSearchRequest, AggregatorSearchResponse, Product, Source } from "./search.ts";

/**
 * The Aggregator's gRPC contract (proto/aggregator/v1/aggregator.proto), shared by the gateway's client
 * and the reference server. The .proto is embedded as text and parsed here, because the compiled binary
 * has no files beside it to load at run time.
 */
const root = parse(protoSource, { keepCase: true }).root;

// keepCase: the proto's field names are the JSON contract's, so messages and JSON share one shape.
// defaults: an unset scalar decodes as its zero value (as proto3 defines it), leaving the schema to judge it;
// oneofs off: a proto3 `optional` field that was not sent stays absent instead of gaining a marker key.
const definitions = fromJSON(root.toJSON(), { keepCase: true, defaults: true, longs: Number, oneofs: false });

export const AGGREGATOR_SERVICE = "aggregator.v1.Aggregator";

/** The trailer an INVALID_ARGUMENT names the unsupported request field in (docs/backends.md). */
export const UNSUPPORTED_PARAMETER_TRAILER = "unsupported-parameter";

function service(name: string): ServiceDefinition {
  const definition = definitions[name];
  if (definition === undefined || "format" in definition)
    throw new Error(`the proto defines no service ${name}`);
  return definition as ServiceDefinition;
}

export const aggregatorService = service(AGGREGATOR_SERVICE);

/** SearchResponse as decoded: scalars always present (proto3 defaults), `optional` ones only when sent. */
export interface SearchResponseMessage {
  request_id: string;
  results: ProductMessage[];
  sources: Source[];
  has_more?: boolean | null;
  total?: number | null;
  rate_date?: string | null;
}

/** SearchRequest as decoded: `sources` is always a list (empty when not sent), `optional` ones may be null. */
export type SearchRequestMessage = Omit<
  AggregatorSearchRequest,
  "sort" | "min_price" | "max_price" | "currency" | "sources" | "offset"
> & {
  sort?: string | null;
  min_price?: number | null;
  max_price?: number | null;
  currency?: string | null;
  sources?: string[] | null;
  offset?: number | null;
};

export interface ProductMessage extends Omit<Product, "image_url" | "rating"> {
  image_url?: string | null;
  rating?: number | null;
}

export const searchMethod = aggregatorService.Search as MethodDefinition<
  AggregatorSearchRequest,
  SearchResponseMessage
>;

function productFrom(message: ProductMessage): Product {
  const product: Product = {
    id: message.id,
    title: message.title,
    price: message.price,
    currency: message.currency,
    url: message.url,
    source: message.source,
  };
  // Absent means "not given": the JSON contract omits the key rather than sending null or "".
  if (message.image_url != null) product.image_url = message.image_url;
  if (message.rating != null) product.rating = message.rating;
  return product;
}

/** The answer in the JSON contract's shape, key by key, so it is checked by the same schema as HTTP's. */
export function searchResponseFromMessage(message: SearchResponseMessage): AggregatorSearchResponse {
  const answer: AggregatorSearchResponse = {
    request_id: message.request_id,
    results: (message.results ?? []).map(productFrom),
    sources: (message.sources ?? []).map((source) => ({
      name: source.name,
      ok: source.ok,
      took_ms: source.took_ms,
    })),
  };
  if (message.has_more != null) answer.has_more = message.has_more;
  if (message.total != null) answer.total = message.total;
  if (message.rate_date != null) answer.rate_date = message.rate_date;
  return answer;
}

/** A request as the server received it, in the JSON contract's shape (for the same validation). */
export function searchRequestFromMessage(message: SearchRequestMessage): AggregatorSearchRequest {
  const request: AggregatorSearchRequest = {
    request_id: message.request_id,
    query: message.query,
    categories: [...(message.categories ?? [])],
    limit: message.limit,
  };
  // The schema judges the values; an unknown sort is passed on as it came, to be refused there.
  if (message.sort != null) request.sort = message.sort as NonNullable<AggregatorSearchRequest["sort"]>;
  if (message.min_price != null) request.min_price = message.min_price;
  if (message.max_price != null) request.max_price = message.max_price;
  if (message.currency != null) request.currency = message.currency;
  if (message.sources != null && message.sources.length > 0) request.sources = [...message.sources];
  if (message.offset != null) request.offset = message.offset;
  return request;
}

/** MarketplaceResult as decoded. */
export interface MarketplaceResultMessage extends Source {
  results: ProductMessage[];
}

/** SourceResult as decoded: the oneof's branch that was not sent is absent or null. */
export interface SourceResultMessage {
  source?: MarketplaceResultMessage | null;
  done?: SearchResponseMessage | null;
}

export const searchStreamMethod = aggregatorService.SearchStream as MethodDefinition<
  AggregatorSearchRequest,
  SourceResultMessage
>;

/**
 * A stream message in the JSON contract's shape (AggregatorStreamMessage), for the same schema check as
 * an NDJSON line; a message with neither branch is returned as it is, for that check to refuse.
 */
export function streamMessageFromMessage(message: SourceResultMessage): unknown {
  if (message.source != null) {
    const { name, ok, took_ms, results } = message.source;
    return { source: { name, ok, took_ms, results: (results ?? []).map(productFrom) } };
  }
  if (message.done != null) return { done: searchResponseFromMessage(message.done) };
  return message;
}
