import { PATIENT_FIELDS } from '../rest-api/shapes.js';
import { OBSERVATION_FIELDS } from '../rest-api/shapes-patients.js';
import { getAnswer, getJson, graphql, graphqlAnswer } from './gateway-client.js';
import { PAGE_SIZE, SEARCH_CODE } from './search-case.js';
import { pairedDifference, pairedRatio, percentile, round, type RunPlan, summarize, timeInterleaved } from './stats.js';

/**
 * The REST face (`/api/v1`) against GraphQL on the same page: each case a REST URL and the GraphQL operation that
 * asks for what that route's own operation asks for (rest-api/routes: `totalCount`, `pageInfo` and the nodes'
 * fields its shapes read), with the same filters and page size, as the same viewer with the same token. What
 * the REST face adds is its validation, the run of that operation, the shaping of each row into
 * JupyterHealth's JSON and the DRF page around it; the target is REST ≤ 1.2× GraphQL.
 */
export interface RestCase {
  /** the path and query under /api/v1 */
  rest: string;
  /** the GraphQL operation of the same page, and its connection's field */
  query: string;
  field: string;
  variables: Record<string, unknown>;
}

/** Patients per page: the deep portal query's page of a study's patients (bench/deep-query.ts). */
export const PATIENT_PAGE_SIZE = 100;

const connection = (field: string, args: string, fields: string) =>
  `${field}(${args}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${fields} } }`;

/** A study's observations, a page of 1000 (of one code, with `code`), in GraphQL's order. */
export function observationsCase(studyId: number, opts: { code?: boolean } = {}): RestCase {
  const code = opts.code ? `&code=${encodeURIComponent(`${SEARCH_CODE.system}|${SEARCH_CODE.code}`)}` : '';
  return {
    rest: `/observations?study_id=${studyId}${code}&page_size=${PAGE_SIZE}`,
    query: `query ($filter: ObservationFilter!) { ${connection('observations', `filter: $filter, first: ${PAGE_SIZE}`, OBSERVATION_FIELDS)} }`,
    field: 'observations',
    variables: { filter: { studyId: String(studyId), ...(opts.code ? { code: SEARCH_CODE } : {}) } },
  };
}

/** A study's patients, a page of `PATIENT_PAGE_SIZE`. */
export const patientsCase = (studyId: number): RestCase => ({
  rest: `/patients?study_id=${studyId}&page_size=${PATIENT_PAGE_SIZE}`,
  query: `query ($studyId: ID) { ${connection('patients', `first: ${PATIENT_PAGE_SIZE}, studyId: $studyId`, PATIENT_FIELDS)} }`,
  field: 'patients',
  variables: { studyId: String(studyId) },
});

interface RestPage {
  count: number;
  results: { id: number }[];
}
interface GraphQLPage {
  data: Record<string, { totalCount: number; nodes: { id: string }[] }>;
}

/**
 * The REST page and the GraphQL page, each to its last byte (node:http), in turns in a fresh random order; first
 * checked to be the same page (the same ids in the same order, the same count). `ratio` is REST p50 / GraphQL
 * p50, `pairedRatio` the median of each turn's REST / GraphQL (`pairedRatioP10`, `pairedRatioP90`: the spread of
 * those per-turn ratios), `pairedDifferenceMs` the median of REST − GraphQL.
 */
export async function measureRestVsGraphQL(base: string, token: string, c: RestCase, plan: RunPlan) {
  const url = `${base}/api/v1${c.rest}`;
  const restPage = (await getJson(url, token)) as RestPage;
  const graphqlPage = ((await graphql(base, token, c.query, c.variables)) as GraphQLPage).data[c.field]!;
  const restIds = restPage.results.map((r) => r.id);
  const graphqlIds = graphqlPage.nodes.map((n) => Number(n.id));
  if (restIds.length === 0) throw new Error(`${c.rest}: an empty page`);
  if (JSON.stringify(restIds) !== JSON.stringify(graphqlIds) || restPage.count !== graphqlPage.totalCount) {
    throw new Error(`${c.rest}: not GraphQL's page (${restIds.length} against ${graphqlIds.length} rows)`);
  }
  const bytes = { rest: 0, graphql: 0 };
  const ms = await timeInterleaved(plan, {
    rest: async () => (bytes.rest = await getAnswer(url, token)),
    graphql: async () => (bytes.graphql = await graphqlAnswer(base, token, c.query, c.variables)),
  });
  const rest = summarize(ms.rest);
  const turnRatios = ms.rest.map((r, i) => r / ms.graphql[i]!);
  const graphqlTiming = summarize(ms.graphql);
  return {
    path: c.rest,
    rows: restIds.length,
    count: restPage.count,
    restBytes: bytes.rest,
    graphqlBytes: bytes.graphql,
    rest,
    graphql: graphqlTiming,
    ratio: round(rest.p50Ms / graphqlTiming.p50Ms),
    pairedRatio: pairedRatio(ms.rest, ms.graphql),
    pairedRatioP10: round(percentile(turnRatios, 10)),
    pairedRatioP90: round(percentile(turnRatios, 90)),
    pairedDifferenceMs: pairedDifference(ms.rest, ms.graphql),
  };
}

export type RestFigures = Awaited<ReturnType<typeof measureRestVsGraphQL>>;

/** The three cases of a study: its observations, of one code, its patients. */
export async function measureRestApi(base: string, token: string, studyId: number, plan: RunPlan) {
  return {
    observations: await measureRestVsGraphQL(base, token, observationsCase(studyId), plan),
    observationsOfCode: await measureRestVsGraphQL(base, token, observationsCase(studyId, { code: true }), plan),
    patients: await measureRestVsGraphQL(base, token, patientsCase(studyId), plan),
  };
}

export type RestApiFigures = Awaited<ReturnType<typeof measureRestApi>>;
