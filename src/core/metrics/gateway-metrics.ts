import { Collected, Counter, Histogram, Registry } from "./registry.ts";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Values that live elsewhere (breakers, caches, stores) and are read only when /metrics is scraped. */
export interface MetricSources {
  circuits: () => Iterable<[backend: string, state: string]>;
  cacheEntries?: () => number | undefined;
  coalesced: () => number;
  userCacheStale: () => number;
  limitFallbacks: () => number;
}

const CIRCUIT_STATES = ["closed", "open", "half-open"] as const;

/** Every metric the gateway exports; docs/observability.md lists them with their labels. */
export class GatewayMetrics {
  readonly registry = new Registry();
  inFlight = 0;
  /** Event streams whose headers have gone out and that have not ended; also counted in `inFlight`. */
  streamsOpen = 0;

  readonly requests = this.registry.register(
    new Counter("gateway_http_requests_total", "HTTP requests answered, by route and status", [
      "method",
      "route",
      "status",
    ]),
  );
  readonly requestDuration = this.registry.register(
    new Histogram(
      "gateway_http_request_duration_seconds",
      "Time to answer, by route",
      ["route"],
      LATENCY_BUCKETS,
    ),
  );
  readonly upstreamDuration = this.registry.register(
    new Histogram(
      "gateway_upstream_request_duration_seconds",
      "Backend call attempts by backend and outcome (ok, client_error, timeout, network, server_error, bad_answer, circuit_open, ...)",
      ["backend", "outcome"],
      LATENCY_BUCKETS,
    ),
  );
  readonly cache = this.registry.register(
    new Counter("gateway_search_cache_total", "Search cache results (hit, miss, stale)", ["result"]),
  );
  readonly streams = this.registry.register(
    new Counter(
      "gateway_search_streams_total",
      "Event streams ended, by outcome (done, error, disconnect, shutdown)",
      ["outcome"],
    ),
  );
  readonly rejections = this.registry.register(
    new Counter("gateway_limit_rejections_total", "Requests refused by a limit (minute, day, login)", [
      "policy",
    ]),
  );

  #sources: MetricSources = {
    circuits: () => [],
    coalesced: () => 0,
    userCacheStale: () => 0,
    limitFallbacks: () => 0,
  };

  /** Points the scrape-time metrics at the objects that hold their values. */
  watch(sources: MetricSources): void {
    this.#sources = sources;
  }

  constructor(version: string) {
    const r = this.registry;
    const sources: MetricSources = {
      circuits: () => this.#sources.circuits(),
      cacheEntries: () => this.#sources.cacheEntries?.(),
      coalesced: () => this.#sources.coalesced(),
      userCacheStale: () => this.#sources.userCacheStale(),
      limitFallbacks: () => this.#sources.limitFallbacks(),
    };
    r.register(
      new Collected("gateway_http_requests_in_flight", "Requests being answered now", [], () => [
        [[], this.inFlight],
      ]),
    );
    r.register(
      new Collected("gateway_search_streams_open", "Event streams open now", [], () => [
        [[], this.streamsOpen],
      ]),
    );
    r.register(
      new Collected(
        "gateway_search_coalesced_total",
        "Searches that shared another one's Aggregator call",
        [],
        () => [[[], sources.coalesced()]],
        "counter",
      ),
    );
    r.register(
      new Collected(
        "gateway_user_cache_stale_total",
        "User lookups answered from a stale record (Users service failing)",
        [],
        () => [[[], sources.userCacheStale()]],
        "counter",
      ),
    );
    r.register(
      new Collected(
        "gateway_limit_store_fallbacks_total",
        "Limit decisions made in-process because Redis failed",
        [],
        () => [[[], sources.limitFallbacks()]],
        "counter",
      ),
    );
    r.register(
      new Collected(
        "gateway_search_cache_entries",
        "Entries in the in-process search cache",
        [],
        function* () {
          const entries = sources.cacheEntries?.();
          if (entries !== undefined) yield [[], entries];
        },
      ),
    );
    r.register(
      new Collected(
        "gateway_circuit_state",
        "1 for each backend's current circuit state",
        ["backend", "state"],
        function* () {
          for (const [backend, state] of sources.circuits()) {
            for (const candidate of CIRCUIT_STATES) yield [[backend, candidate], candidate === state ? 1 : 0];
          }
        },
      ),
    );
    r.register(
      new Collected("process_resident_memory_bytes", "Resident memory", [], () => [
        [[], process.memoryUsage.rss()],
      ]),
    );
    r.register(
      new Collected("process_heap_used_bytes", "JavaScript heap in use", [], () => [
        [[], process.memoryUsage().heapUsed],
      ]),
    );
    r.register(
      new Collected(
        "process_cpu_seconds_total",
        "User and system CPU time",
        [],
        () => {
          const { user, system } = process.cpuUsage();
          return [[[], (user + system) / 1e6]];
        },
        "counter",
      ),
    );
    r.register(
      new Collected("gateway_build_info", "The running version", ["version"], () => [[[version], 1]]),
    );
  }

  /** The observer a backend client reports each call attempt to (`error` undefined = success). */
  observer(backend: string): (error: unknown, seconds: number) => void {
    return (error, seconds) => this.upstreamDuration.observe([backend, outcomeOf(error)], seconds);
  }

  render(): string {
    return this.registry.render();
  }
}

/** The outcome label of a backend call attempt, from the client error classes' names and statuses. */
export function outcomeOf(error: unknown): string {
  if (error === undefined) return "ok";
  const e = error as { name?: string; response?: { status?: number }; code?: number };
  switch (e.name) {
    case "HTTPError":
      return (e.response?.status ?? 500) < 500 ? "client_error" : "server_error";
    case "TimeoutError":
      return "timeout";
    case "NetworkError":
      return "network";
    case "ContractError":
      return "bad_answer";
    case "CircuitOpenError":
      return "circuit_open";
    default:
      return typeof e.code === "number" ? `grpc_${e.code}` : "error";
  }
}
