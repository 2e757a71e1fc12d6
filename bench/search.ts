import type pg from 'pg';
import { fhirAnswer, fhirSearch, graphql, graphqlAnswer } from './gateway-client.js';
import { callLoad, httpLoad, type LoadOptions } from './http-load.js';
import { baselinePage, fhirSearchUrl, graphqlVariables, SEARCH_QUERY, type SearchCase } from './search-case.js';
import { pairedRatio, round, type RunPlan, summarize, timeInterleaved } from './stats.js';

/**
 * Latency of one page of 1000 through FHIR, GraphQL, and the bare SQL + JSON, one request at a time; the
 * variants take turns, so that the machine's drift (it is shared) falls on all of them alike.
 *
 * A latency ends with the answer's last byte, as a load generator times it (autocannon below): the baseline's
 * JSON text is made, not read back either. The FHIR page is also timed with the client's parse of its 1 MB
 * Bundle (`fhirParsed`), which is what checks, on every turn, that it holds as many entries as the baseline's
 * page has rows.
 */
export async function measureSearch(base: string, token: string, pool: pg.Pool, c: SearchCase, plan: RunPlan) {
  const url = fhirSearchUrl(base, c);
  const variables = graphqlVariables(c);
  await graphql(base, token, SEARCH_QUERY, variables);
  const rows = await baselinePage(pool, c);
  const ms = await timeInterleaved(plan, {
    fhir: () => fhirAnswer(url, token),
    fhirParsed: async () => {
      const entries = await fhirSearch(url, token);
      if (entries !== rows) throw new Error(`expected the baseline's ${rows} rows, got ${entries} entries`);
    },
    graphql: () => graphqlAnswer(base, token, SEARCH_QUERY, variables),
    baseline: () => baselinePage(pool, c),
  });
  const baseline = summarize(ms.baseline);
  const fhir = summarize(ms.fhir);
  return {
    rows,
    fhir,
    fhirParsed: summarize(ms.fhirParsed),
    graphql: summarize(ms.graphql),
    baseline,
    ratio: round(fhir.p50Ms / baseline.p50Ms),
    /** the median of each turn's FHIR / baseline: the two measured a moment apart, whatever the machine's drift */
    pairedRatio: pairedRatio(ms.fhir, ms.baseline),
  };
}

/** The FHIR page under concurrent load (autocannon), next to the same load on the bare SQL + JSON. */
export async function measureSearchThroughput(
  base: string,
  token: string,
  pool: pg.Pool,
  c: SearchCase,
  load: LoadOptions,
) {
  const url = fhirSearchUrl(base, c);
  const entries = await fhirSearch(url, token);
  if (entries === 0) throw new Error(`the search under load finds nothing: ${url}`);
  const gateway = await httpLoad(url, token, load);
  const baseline = await callLoad(() => baselinePage(pool, c), load);
  return { gateway, baseline, ratio: round(gateway.reqPerSec / baseline.reqPerSec, 4) };
}
