import type pg from 'pg';
import { summarySql } from '../src/services/observation-summary.js';
import { graphql, graphqlAnswer } from './gateway-client.js';
import { pairedRatio, round, type RunPlan, summarize, timeInterleaved } from './stats.js';

/**
 * `observationSummary` of a whole study by UTC day through /graphql (as a practitioner of its organization,
 * consent gate, token scopes, audit trail and all), against the bare SQL of the same aggregate: the same statement
 * with the study's enrolled patients for the policy's visible pairs and without the audit trail's grouping set of
 * patients, run with `pg` from this process, its rows made into JSON. Checked first to aggregate the same
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
  if (gatewayRows.length !== baselineRows.length || observations !== baselineObservations || observations === 0) {
    throw new Error(
      `observationSummary: ${gatewayRows.length} rows of ${observations} observations, the bare SQL ${baselineRows.length} of ${baselineObservations}`,
    );
  }
  const ms = await timeInterleaved(SUMMARY_PLAN(plan), {
    graphql: () => graphqlAnswer(base, token, SUMMARY_QUERY, variables),
    baseline: () => baselineSummary(pool, studyId),
  });
  const graphqlTiming = summarize(ms.graphql);
  const baseline = summarize(ms.baseline);
  return {
    observations,
    rows: gatewayRows.length,
    graphql: graphqlTiming,
    baseline,
    /** GraphQL p50 / bare SQL p50 (target ≤ 1.5) */
    ratio: round(graphqlTiming.p50Ms / baseline.p50Ms),
    pairedRatio: pairedRatio(ms.graphql, ms.baseline),
  };
}

export type ObservationSummaryFigures = Awaited<ReturnType<typeof measureObservationSummary>>;
