import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { PATIENT_FIELDS, type PatientNode, toFhirPatient } from './resources.js';
import { patientObservationRevIncludes, parseRevIncludes } from './revincludes.js';
import { searchInput, searchPage } from './search.js';
import { parseExactDate, parseId, parseIds, parseSort, parseText, parseToken, readParams } from './search-params.js';

const SEARCH = `query ($studyId: ID, $identifier: IdentifierInput, $ids: [ID!], $name: String, $family: String,
  $given: String, $birthDate: String, $organizationId: ID, $first: Int, $after: String, $total: Boolean!) {
  patients(studyId: $studyId, identifier: $identifier, ids: $ids, name: $name, family: $family, given: $given,
    birthDate: $birthDate, organizationId: $organizationId, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${PATIENT_FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const READ = `query ($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} } }`;

/** The FHIR search parameters as the GraphQL `patients` arguments; every one narrows. */
function patientArguments(params: Map<string, string[]>) {
  const one = (name: string) => params.get(name)?.[0];
  const parsed = <T>(name: string, parse: (value: string) => T) => {
    const value = one(name);
    return value === undefined ? null : parse(value);
  };
  parseSort(one('_sort'), ['_id']);
  return {
    studyId: parsed('_has:Group:member:_id', (v) => parseId('_has:Group:member:_id', v, 'Group')),
    identifier: parsed('identifier', (v) => parseToken('identifier', v)),
    ids: parsed('_id', (v) => parseIds('_id', v)),
    name: parsed('name', (v) => parseText('name', v)),
    family: parsed('family', (v) => parseText('family', v)),
    given: parsed('given', (v) => parseText('given', v)),
    birthDate: parsed('birthdate', (v) => parseExactDate('birthdate', v)),
    organizationId: parsed('organization', (v) => parseId('organization', v, 'Organization')),
  };
}

/** GET /Patient: study, identifier, `_id`, names, birth date, organization. */
export async function searchPatients(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const { query, selfQuery } = searchInput(req);
  const params = readParams('Patient', query);
  const observations = parseRevIncludes('Patient', params.get('_revinclude'));
  const page = await searchPage({
    resourceType: 'Patient',
    schema,
    context,
    params,
    query: SEARCH,
    variables: patientArguments(params),
    connection: (data: { patients: never }) => data.patients,
    toResource: toFhirPatient,
    selfQuery,
    maxPageSkip,
    include: observations
      ? (matches) =>
          patientObservationRevIncludes(
            matches.map((p) => p.id),
            schema,
            context,
          )
      : undefined,
  });
  return searchsetBundle(baseUrl, 'Patient', selfQuery, page);
}

/** GET /Patient/:id */
export async function readPatient(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const data = await runGraphQL<{ patient: PatientNode }>(schema, context, READ, { id: parseId('id', id) });
  return toFhirPatient(data.patient);
}
