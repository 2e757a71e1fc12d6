import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { PATIENT_FIELDS, type PatientNode, toFhirPatient } from './resources.js';
import { searchPage } from './search.js';
import { parseId, parseToken, readParams } from './search-params.js';

const SEARCH = `query ($studyId: ID, $identifier: IdentifierInput, $first: Int, $after: String, $total: Boolean!) {
  patients(studyId: $studyId, identifier: $identifier, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${PATIENT_FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const READ = `query ($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} } }`;

/** GET /Patient: `_has:Group:member:_id` (study), `identifier=system|value`. */
export async function searchPatients(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('Patient', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const study = params.get('_has:Group:member:_id')?.[0];
  const identifier = params.get('identifier')?.[0];
  const page = await searchPage({
    schema,
    context,
    params,
    query: SEARCH,
    variables: {
      studyId: study === undefined ? null : parseId('_has:Group:member:_id', study, 'Group'),
      identifier: identifier === undefined ? null : parseToken('identifier', identifier),
    },
    connection: (data: { patients: never }) => data.patients,
    toResource: toFhirPatient,
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'Patient', selfQuery, page);
}

/** GET /Patient/:id */
export async function readPatient(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const data = await runGraphQL<{ patient: PatientNode }>(schema, context, READ, { id: parseId('id', id) });
  return toFhirPatient(data.patient);
}
