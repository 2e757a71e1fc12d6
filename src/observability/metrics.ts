import client, { AggregatorRegistry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, on prom-client's global registry (one per process; a cluster's primary
 * aggregates its workers' registries, see clusterMetrics and main.ts). Every label takes few values: routes are
 * the matched patterns, never raw URLs, and client-chosen names (GraphQL operations) are capped.
 */
export const registry = client.register;

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequests = new client.Counter({
  name: 'hxg_http_requests_total',
  help: 'HTTP requests answered, by method, matched route pattern and status (aborted: the client left first)',
  labelNames: ['method', 'route', 'status'] as const,
});

export const httpDuration = new client.Histogram({
  name: 'hxg_http_request_duration_seconds',
  help: 'HTTP request latency, from the first byte of the request to the last of the answer',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS,
});

export const graphqlOperations = new client.Counter({
  name: 'hxg_graphql_operations_total',
  help: 'GraphQL operations sent to /graphql, by operation name and type; outcome error: the answer holds errors',
  labelNames: ['operation', 'type', 'outcome'] as const,
});

export const fhirInteractions = new client.Counter({
  name: 'hxg_fhir_interactions_total',
  help: 'FHIR REST interactions under /fhir/r5, by interaction, resource type and HTTP status',
  labelNames: ['interaction', 'resource', 'status'] as const,
});

export const uploadEntries = new client.Counter({
  name: 'hxg_upload_entries_total',
  help: 'Uploaded observations by outcome: created, existing (same identifier), rejected (4xx), failed (5xx)',
  labelNames: ['outcome'] as const,
});

export type UploadOutcome = 'created' | 'existing' | 'rejected' | 'failed';

let collecting = false;

/** Node's own metrics (event-loop lag, heap, GC, CPU, handles), collected at each scrape; once per process. */
export function collectProcessMetrics(): void {
  if (collecting) return;
  collecting = true;
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
}

/** the label of a client-chosen name past the cap (parenthesised: no GraphQL name looks like it) */
export const OTHER_LABEL = '(other)';

/**
 * A label value from a name the client chose: the first `max` distinct names of at most `maxLength` characters
 * pass, anything else counts as `(other)`, so that a client inventing names cannot grow the registry without bound.
 */
export function cappedLabel(max: number, maxLength = 64): (name: string) => string {
  const seen = new Set<string>();
  return (name) => {
    if (seen.has(name)) return name;
    if (seen.size >= max || name.length > maxLength) return OTHER_LABEL;
    seen.add(name);
    return name;
  };
}

/** What a metrics endpoint serves. */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

/** This process's metrics. */
export const processMetrics: MetricsSource = {
  contentType: registry.contentType,
  metrics: () => registry.metrics(),
};

/**
 * For a node:cluster: in each worker, answers the primary's requests for its metrics; in the primary, the source
 * that sums the workers' counters, histograms and pool gauges (Node's own gauges as prom-client aggregates them:
 * event-loop lag averaged, for instance). The primary's own registry is not part of it.
 */
export function clusterMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() };
}
