import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { observationIncludes, parseIncludes } from './includes.js';
import { OBSERVATION_FIELDS, type ObservationNode, toFhirObservation } from './resources.js';
import { searchInput, searchPage } from './search.js';
import {
  parseDateRange,
  parseId,
  parseIds,
  parseSort,
  parseStatuses,
  parseToken,
  readParams,
} from './search-params.js';

const SEARCH = `query ($filter: ObservationFilter!, $order: ObservationOrder!, $first: Int, $after: String,
  $total: Boolean!) {
  observations(filter: $filter, order: $order, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${OBSERVATION_FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const READ = `query ($id: ID!) { observation(id: $id) { ${OBSERVATION_FIELDS} } }`;

/**
 * `_sort` as the GraphQL order: results come in the order of the keyset index, patient, code, effective time
 * and id; with one patient and one code that is the effective time's, and `-date` the same index range read
 * backwards. Other orders (`date` or `-date` across patients, `_lastUpdated`, which the index on last_updated
 * would serve only by reading past every row the viewer may not see) are refused.
 */
function observationOrder(params: Map<string, string[]>): 'PATIENT_CODE_TIME' | 'TIME_DESC' {
  const onePatientAndCode = (params.has('patient') || params.has('subject')) && params.has('code');
  const accepted = ['patient,code,date', 'patient,code,date,_id', ...(onePatientAndCode ? ['date', '-date'] : [])];
  const also = onePatientAndCode ? '' : ' ("date" and "-date" too, with patient and code given)';
  const sort = params.get('_sort')?.[0];
  parseSort(sort, accepted, `${also}; other orders are not served by the index`);
  return sort === '-date' ? 'TIME_DESC' : 'PATIENT_CODE_TIME';
}

/** The FHIR search parameters as the GraphQL ObservationFilter. */
function observationFilter(params: Map<string, string[]>) {
  const one = (name: string) => params.get(name)?.[0];
  const study = one('patient._has:Group:member:_id') ?? one('_has:Group:member:_id');
  const patient = one('patient') ?? one('subject');
  const identifier = one('patient.identifier');
  const code = one('code');
  const ids = one('_id');
  const device = one('device');
  const organization = one('patient.organization');
  const status = one('status');
  const category = one('category');
  const effective = parseDateRange('date', params.get('date'));
  const updated = parseDateRange('_lastUpdated', params.get('_lastUpdated'));
  return {
    studyId: study === undefined ? undefined : parseId('patient._has:Group:member:_id', study, 'Group'),
    patientId: patient === undefined ? undefined : parseId('patient', patient, 'Patient'),
    patientIdentifier: identifier === undefined ? undefined : parseToken('patient.identifier', identifier),
    ids: ids === undefined ? undefined : parseIds('_id', ids),
    dataSourceId: device === undefined ? undefined : parseId('device', device, 'Device'),
    organizationId:
      organization === undefined ? undefined : parseId('patient.organization', organization, 'Organization'),
    code: code === undefined ? undefined : (({ system, value }) => ({ system, code: value }))(parseToken('code', code)),
    status: status === undefined ? undefined : parseStatuses(status),
    category:
      category === undefined
        ? undefined
        : (({ system, value }) => ({ system, code: value }))(parseToken('category', category)),
    from: effective.from,
    before: effective.before,
    lastUpdatedFrom: updated.from,
    lastUpdatedBefore: updated.before,
  };
}

/** GET /Observation */
export async function searchObservations(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const { query, selfQuery } = searchInput(req);
  const params = readParams('Observation', query);
  const includes = parseIncludes('Observation', params.get('_include'));
  const page = await searchPage({
    resourceType: 'Observation',
    schema,
    context,
    params,
    query: SEARCH,
    variables: { order: observationOrder(params), filter: observationFilter(params) },
    connection: (data: { observations: never }) => data.observations,
    toResource: (node: ObservationNode) => toFhirObservation(node),
    selfQuery,
    maxPageSkip,
    include: includes.size ? (matches) => observationIncludes(includes, matches, schema, context) : undefined,
  });
  return searchsetBundle(baseUrl, 'Observation', selfQuery, page);
}

/** GET /Observation/:id */
export async function readObservation(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const data = await runGraphQL<{ observation: ObservationNode }>(schema, context, READ, { id: parseId('id', id) });
  return toFhirObservation(data.observation);
}
