import type pg from 'pg';
import { summarySql } from '../src/services/observation-summary.js';
import { bearer, graphql, graphqlAnswer } from './gateway-client.js';
import { pairedRatio, round, type RunPlan, summarize, timeInterleaved } from './stats.js';

/**
 * `observationSummary` of a whole study by UTC day through /graphql (as a practitioner of its organization,
 * consent gate, token scopes, audit trail and all), against the bare SQL of the same aggregate: the same statement
 * with the study's enrolled patients for the policy's visible pairs and without the audit trail's grouping by
 * patient, run with `pg` from this process, its rows made into JSON. Checked first to aggregate the same
 * observations into the same rows. Each variant reads the study's every row: a few runs, not sixty.
 */
const SUMMARY_QUERY = `query ($filter: ObservationFilter!) { observationSummary(filter: $filter, bucket: DAY) {
  code { id codingCode } periodStart count firstTime lastTime quantities { name unit count min max mean } } }`;

/** knex's `?` placeholders as pg's `$n` (the summary's SQL holds no other question mark). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

async function baselineSummary(pool: pg.Pool, studyId: number) {
  const { sql, params } = summarySql(
    {
      sql: 'o.subject_patient_id in (select sp.patient_id from study_patients sp where sp.study_id = ?)',
      params: [studyId],
    },
    'DAY',
    1001,
    false,
  );
  const { rows } = await pool.query(numbered(sql), params);
  const summary = rows.filter((r) => r.code_id !== null);
  JSON.stringify(summary);
  return summary as { n: string }[];
}

/** The MCP tool `summarize_observations` of the same study by day, through /mcp: its JSON-RPC answer's rows. */
async function mcpSummary(base: string, token: string, studyId: number) {
  const response = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...bearer(token),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'summarize_observations', arguments: { studyId: String(studyId), bucket: 'day' } },
    }),
  });
  const answer = (await response.json()) as {
    result?: { isError?: boolean; structuredContent?: { rows: { count: number }[] }; content: unknown };
  };
  if (!answer.result?.structuredContent || answer.result.isError) {
    throw new Error(`summarize_observations: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return answer.result.structuredContent.rows;
}

const SUMMARY_PLAN = (plan: RunPlan): RunPlan => ({
  runs: Math.min(plan.runs, 15),
  warmup: Math.min(plan.warmup, 2),
  budgetSeconds: plan.budgetSeconds,
});

export async function measureObservationSummary(
  base: string,
  token: string,
  pool: pg.Pool,
  studyId: number,
  plan: RunPlan,
) {
  const variables = { filter: { studyId: String(studyId) } };
  const answer = (await graphql(base, token, SUMMARY_QUERY, variables)) as {
    data: { observationSummary: { count: number }[] };
  };
  const gatewayRows = answer.data.observationSummary;
  const baselineRows = await baselineSummary(pool, studyId);
  const observations = gatewayRows.reduce((sum, r) => sum + r.count, 0);
  const baselineObservations = baselineRows.reduce((sum, r) => sum + Number(r.n), 0);
  const mcpRows = await mcpSummary(base, token, studyId);
  const mcpObservations = mcpRows.reduce((sum, r) => sum + r.count, 0);
  if (
    gatewayRows.length !== baselineRows.length ||
    mcpRows.length !== baselineRows.length ||
    observations !== baselineObservations ||
    mcpObservations !== baselineObservations ||
    observations === 0
  ) {
    throw new Error(
      `observationSummary: ${gatewayRows.length} rows of ${observations} observations, the MCP tool ${mcpRows.length} of ${mcpObservations}, the bare SQL ${baselineRows.length} of ${baselineObservations}`,
    );
  }
  const ms = await timeInterleaved(SUMMARY_PLAN(plan), {
    graphql: () => graphqlAnswer(base, token, SUMMARY_QUERY, variables),
    mcp: () => mcpSummary(base, token, studyId),
    baseline: () => baselineSummary(pool, studyId),
  });
  const graphqlTiming = summarize(ms.graphql);
  const baseline = summarize(ms.baseline);
  const mcp = summarize(ms.mcp);
  return {
    observations,
    rows: gatewayRows.length,
    graphql: graphqlTiming,
    baseline,
    /** GraphQL p50 / bare SQL p50 (target ≤ 1.5) */
    ratio: round(graphqlTiming.p50Ms / baseline.p50Ms),
    pairedRatio: pairedRatio(ms.graphql, ms.baseline),
    /** the MCP tool `summarize_observations` (the same GraphQL operation behind /mcp) */
    mcp,
    mcpRatio: round(mcp.p50Ms / baseline.p50Ms),
    mcpPairedRatio: pairedRatio(ms.mcp, ms.baseline),
  };
}

export type ObservationSummaryFigures = Awaited<ReturnType<typeof measureObservationSummary>>;
