import { RestError } from '../errors.js';
import { runGraphQL } from '../execute.js';
import { connectionPage } from '../connection-pages.js';
import { PAGING_PARAMS } from '../paging.js';
import type { Route } from '../route.js';
import {
  idParam,
  OBSERVATION_FIELDS,
  type ObservationNode,
  observationSchema,
  toObservation,
} from '../shapes-patients.js';
import { pageSchema } from '../shapes.js';

/**
 * `/observations`: GraphQL's observations search and read, so consent-gated exactly as GraphQL is (a practitioner
 * sees an observation through a study of theirs holding the patient's consent for its code; a patient their own).
 * Pages are in GraphQL's order (patient, code, effective time, id), not JupyterHealth's newest-first.
 */

const OMH_SYSTEM = 'https://w3id.org/openmhealth';

const SEARCH = `query ($filter: ObservationFilter!, $first: Int, $after: String, $nodes: Boolean!) {
  observations(filter: $filter, first: $first, after: $after) {
    totalCount @include(if: $nodes) pageInfo { hasNextPage endCursor } nodes @include(if: $nodes) { ${OBSERVATION_FIELDS} }
  }
}`;
const READ = `query ($id: ID!) { observation(id: $id) { ${OBSERVATION_FIELDS} } }`;

/** `system|code`, or a bare Open mHealth code (`omh:heart-rate:2.0`). */
function coding(value: string) {
  const bar = value.indexOf('|');
  const [system, code] = bar < 0 ? [OMH_SYSTEM, value] : [value.slice(0, bar), value.slice(bar + 1)];
  if (!system || !code)
    throw new RestError(400, 'code: give system|code, or an Open mHealth code such as omh:heart-rate:2.0');
  return { system, code };
}

export const observationRoutes: Route[] = [
  {
    method: 'get',
    path: '/observations',
    tag: 'observations',
    summary:
      'the observations the viewer may see (consent-gated), a page at a time, ordered by patient, code, effective time and id',
    query: {
      organization_id: idParam('observations of this organization’s patients'),
      study_id: idParam('observations of this study’s patients, for the codes it requests and they consented to'),
      patient_id: idParam('observations of this patient'),
      observation_id: idParam('this observation alone'),
      code: {
        type: 'string',
        minLength: 1,
        maxLength: 512,
        description: 'system|code, or a bare Open mHealth code (e.g. omh:blood-pressure:4.0)',
      },
      ...PAGING_PARAMS,
    },
    response: pageSchema(observationSchema),
    handle: async (call) => {
      const { query } = call;
      const filter = {
        organizationId: query.organization_id,
        studyId: query.study_id,
        patientId: query.patient_id,
        ids: query.observation_id ? [query.observation_id] : undefined,
        code: query.code === undefined ? undefined : coding(query.code),
      };
      return connectionPage(call, SEARCH, 'observations', { filter }, toObservation);
    },
  },
  {
    method: 'get',
    path: '/observations/:id',
    tag: 'observations',
    summary: 'one observation the viewer may see',
    response: observationSchema,
    handle: async ({ schema, context, params }) =>
      toObservation(
        (await runGraphQL<{ observation: ObservationNode }>(schema, context, READ, { id: params.id })).observation,
      ),
  },
];
