import type { AuthOverhead } from './auth-overhead.js';
import type { measureDeepQuery } from './deep-query.js';
import type { measureIngest } from './ingest.js';
import type { ObservationSummaryFigures } from './observation-summary.js';
import type { RestApiFigures, RestFigures } from './rest-api.js';
import type { measureSearch, measureSearchThroughput } from './search.js';
import { round } from './stats.js';

export interface SizeFigures {
  rows: number;
  search: Awaited<ReturnType<typeof measureSearch>>;
  throughput: Awaited<ReturnType<typeof measureSearchThroughput>> & { gatewayWorkers: number };
  restApi: RestApiFigures;
  observationSummary: ObservationSummaryFigures;
  authOverhead: AuthOverhead;
  deepQuery: Awaited<ReturnType<typeof measureDeepQuery>>;
}

export type IngestFigures = Awaited<ReturnType<typeof measureIngest>> & { gatewayWorkers: number };

/** The page of a small study whose observations were stored after all the others (once a weak spot). */
export interface LateStudyFigures {
  rowsBefore: number;
  rows: number;
  search: Awaited<ReturnType<typeof measureSearch>>;
}

/** One REST case at one size, without its details (in `details`). */
const restHeadline = (r: RestFigures) => ({
  path: r.path,
  rows: r.rows,
  restP50Ms: r.rest.p50Ms,
  graphqlP50Ms: r.graphql.p50Ms,
  ratio: r.ratio,
  pairedRatio: r.pairedRatio,
  pairedRatioP10: r.pairedRatioP10,
  pairedRatioP90: r.pairedRatioP90,
  pairedDifferenceMs: r.pairedDifferenceMs,
});

const bySize = <T>(sizes: SizeFigures[], pick: (s: SizeFigures) => T) =>
  Object.fromEntries(sizes.map((s) => [String(s.rows), pick(s)]));

/** bench/results.json: the headline figures at the first size, the per-size ones by row count, the details. */
export function summarize(machine: object, ingest: IngestFigures, sizes: SizeFigures[], lateStudy: LateStudyFigures) {
  const first = sizes[0]!;
  const largest = sizes.find((s) => s.rows === 1_000_000) ?? sizes.at(-1)!;
  return {
    machine,
    ingest,
    search: {
      p50Ms: first.search.fhir.p50Ms,
      p95Ms: first.search.fhir.p95Ms,
      baselineP50Ms: first.search.baseline.p50Ms,
      baselineP95Ms: first.search.baseline.p95Ms,
      ratio: round(first.search.fhir.p50Ms / first.search.baseline.p50Ms),
      ratioBySize: bySize(sizes, (s) => s.search.ratio),
      pairedRatioBySize: bySize(sizes, (s) => s.search.pairedRatio),
      withClientParseP50Ms: first.search.fhirParsed.p50Ms,
      withClientParseRatio: round(first.search.fhirParsed.p50Ms / first.search.baseline.p50Ms),
      graphqlP50Ms: first.search.graphql.p50Ms,
      graphqlP95Ms: first.search.graphql.p95Ms,
      scaleRatio1Mto100k: sizes.length > 1 ? round(largest.search.fhir.p50Ms / first.search.fhir.p50Ms) : null,
      // the same over the baseline's own 1M / 100k: the two sizes are measured minutes apart, and this machine's
      // speed drifts by a fifth to a third in minutes; the baseline's page does the same work at both sizes
      scaleRatioOverBaseline: sizes.length > 1 ? round(largest.search.ratio / first.search.ratio) : null,
      throughput: bySize(sizes, (s) => s.throughput),
    },
    lateStudy: {
      rowsBefore: lateStudy.rowsBefore,
      rows: lateStudy.rows,
      p50Ms: lateStudy.search.fhir.p50Ms,
      baselineP50Ms: lateStudy.search.baseline.p50Ms,
      ratio: lateStudy.search.ratio,
      pairedRatio: lateStudy.search.pairedRatio,
      pageRows: lateStudy.search.rows,
    },
    /** REST (`/api/v1`) time over GraphQL's for the same page, measured in turns (target ≤ 1.2) */
    restApi: Object.fromEntries(
      (Object.keys(first.restApi) as (keyof RestApiFigures)[]).map((name) => [
        name,
        bySize(sizes, (s) => restHeadline(s.restApi[name])),
      ]),
    ),
    /** observationSummary (GraphQL) and the MCP tool summarize_observations of the whole study by day over its bare SQL aggregate (target ≤ 1.5) */
    observationSummary: bySize(sizes, (s) => ({
      observations: s.observationSummary.observations,
      rows: s.observationSummary.rows,
      graphqlP50Ms: s.observationSummary.graphql.p50Ms,
      baselineP50Ms: s.observationSummary.baseline.p50Ms,
      ratio: s.observationSummary.ratio,
      pairedRatio: s.observationSummary.pairedRatio,
      mcpP50Ms: s.observationSummary.mcp.p50Ms,
      mcpRatio: s.observationSummary.mcpRatio,
      mcpPairedRatio: s.observationSummary.mcpPairedRatio,
    })),
    authOverhead: bySize(sizes, (s) => s.authOverhead),
    graphql: {
      sqlStatements: bySize(sizes, (s) => s.deepQuery.sqlStatements),
      p50Ms: bySize(sizes, (s) => s.deepQuery.p50Ms),
      p95Ms: bySize(sizes, (s) => s.deepQuery.p95Ms),
    },
    details: sizes,
    measuredAt: new Date().toISOString(),
  };
}
