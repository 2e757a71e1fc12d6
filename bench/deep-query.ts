import { graphql } from './gateway-client.js';
import type { SqlCounter } from './sql-counter.js';
import { type RunPlan, timeRuns } from './stats.js';

const DEEP = `{ organizations { id studies(first: 10) { totalCount nodes { id scopeRequests { id } patients(first: 100) {
  totalCount nodes { id identifiers { value } consents { studies { study { id } } } observations(first: 1) { totalCount } } } } } } }`;

/** The portal's deep query: the SQL statements of one request (counted by `statements`), and its latency. */
export async function measureDeepQuery(base: string, token: string, statements: SqlCounter, plan: RunPlan) {
  statements.reset();
  await graphql(base, token, DEEP);
  const sqlStatements = statements.count;
  return { sqlStatements, ...(await timeRuns(plan, () => graphql(base, token, DEEP))) };
}
