import { execute, type GraphQLSchema, parse, validate } from 'graphql';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import { buildBareSchema, buildExecutableSchema } from '../graphql/schema.js';
import type { Orm } from '../src/db/orm.js';
import { loadViewer, type Viewer } from '../src/policy/index.js';
import { listObservations } from '../src/services/observation-search.js';
import { graphqlVariables, PAGE_SIZE, SEARCH_QUERY, type SearchCase, serviceFilter } from './search-case.js';
import { pairedDifference, type RunPlan, summarize, type Timing, timeInterleaved } from './stats.js';

const MARY = 10002;
const SAM_SUPERUSER = 10001;

/**
 * The search page in process, each variant ending in its JSON text: (a) `execute()` on the shielded schema
 * and (b) on the bare schema, as mary; `listObservations` as mary (c) and as a super user (d), whose
 * observation scope adds no SQL condition. The overheads are medians of the per-turn differences:
 * shield = a − b, GraphQL execution = b − c, policy (the consent scope in SQL) = c − d, total = a − d.
 */
export interface AuthOverhead {
  rows: number;
  shielded: Timing;
  bare: Timing;
  serviceAsViewer: Timing;
  serviceAsSuperuser: Timing;
  shieldOverheadMs: number;
  graphqlExecutionMs: number;
  policyOverheadMs: number;
  totalOverheadMs: number;
}

export type AuthOverheadBench = (c: SearchCase, plan: RunPlan) => Promise<AuthOverhead>;

export async function createAuthOverheadBench(orm: Orm, auth: GraphQLContext['auth']): Promise<AuthOverheadBench> {
  // the shield and the policy alone: the audit trail's cost is measured on its own (audit-overhead.ts)
  const [shieldedSchema, bareSchema] = await Promise.all([buildExecutableSchema({ audit: false }), buildBareSchema()]);
  const mary = await loadViewer(orm.em.fork(), MARY);
  const superuser = await loadViewer(orm.em.fork(), SAM_SUPERUSER);
  if (!superuser.isSuperuser) throw new Error(`user ${SAM_SUPERUSER} is not a super user`);
  const document = parse(SEARCH_QUERY);
  for (const schema of [shieldedSchema, bareSchema]) {
    const errors = validate(schema, document);
    if (errors.length) throw new Error(`search query: ${errors.map((e) => e.message).join('; ')}`);
  }

  return async (c, plan) => {
    const rows = new Map<string, number>();
    const graphqlPage = (name: string, schema: GraphQLSchema) => async () => {
      const result = await execute({
        schema,
        document,
        variableValues: graphqlVariables(c),
        contextValue: createContext(orm.em.fork(), mary, auth),
      });
      if (result.errors?.length) throw new Error(`${name}: ${JSON.stringify(result.errors)}`);
      JSON.stringify(result);
      rows.set(name, (result.data as { observations: { nodes: unknown[] } }).observations.nodes.length);
    };
    const servicePage = (name: string, viewer: Viewer) => async () => {
      const page = await listObservations({ em: orm.em.fork(), viewer }, serviceFilter(c), { first: PAGE_SIZE });
      JSON.stringify(page);
      rows.set(name, page.nodes.length);
    };
    const ms = await timeInterleaved(plan, {
      shielded: graphqlPage('shielded', shieldedSchema),
      bare: graphqlPage('bare', bareSchema),
      serviceAsViewer: servicePage('serviceAsViewer', mary),
      serviceAsSuperuser: servicePage('serviceAsSuperuser', superuser),
    });
    const counts = new Set(rows.values());
    if (counts.size !== 1) throw new Error(`the variants read different pages: ${JSON.stringify([...rows])}`);
    return {
      rows: [...counts][0]!,
      shielded: summarize(ms.shielded),
      bare: summarize(ms.bare),
      serviceAsViewer: summarize(ms.serviceAsViewer),
      serviceAsSuperuser: summarize(ms.serviceAsSuperuser),
      shieldOverheadMs: pairedDifference(ms.shielded, ms.bare),
      graphqlExecutionMs: pairedDifference(ms.bare, ms.serviceAsViewer),
      policyOverheadMs: pairedDifference(ms.serviceAsViewer, ms.serviceAsSuperuser),
      totalOverheadMs: pairedDifference(ms.shielded, ms.serviceAsSuperuser),
    };
  };
}
