import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { IncludedResource } from './bundle.js';
import { runGraphQL } from './execute.js';
import { FhirError, unlessStatus } from './outcome.js';
import { OBSERVATION_FIELDS, type ObservationNode, toFhirObservation } from './resources.js';

/**
 * `_revinclude=Observation:patient` on a Patient search: the page's patients' observations, all of them or a
 * 400. A patient's observations are unbounded (thousands a month from one device), so a page brings them only
 * while they are at most this many in all; beyond, `Observation?patient=<id>` pages through them.
 */
export const MAX_REVINCLUDED = 1000;

const REVINCLUDES: Record<string, string[]> = { Patient: ['Observation:patient', 'Observation:subject'] };

/** The CapabilityStatement's `searchRevInclude` of a type. */
export const searchRevIncludes = (type: string) => REVINCLUDES[type] ?? [];

/** Whether a search on `type` asks for the observations of its matches; other values are 400. */
export function parseRevIncludes(type: string, values: string[] | undefined): boolean {
  const served = searchRevIncludes(type);
  const bad = (values ?? []).find((value) => !served.includes(value));
  if (bad !== undefined) {
    const accepted = served.length ? `accepted: ${served.map((name) => `"${name}"`).join(', ')}` : 'none is served';
    throw new FhirError(400, 'not-supported', `_revinclude=${bad} is not supported; ${accepted}`, '_revinclude');
  }
  return (values ?? []).length > 0;
}

const COUNTS = `query ($ids: [ID!]) { patients(ids: $ids, first: 1000) { nodes { observations { totalCount } } } }`;
const OBSERVATIONS = `query ($ids: [ID!]) {
  patients(ids: $ids, first: 1000) { nodes { observations(first: ${MAX_REVINCLUDED}) { nodes { ${OBSERVATION_FIELDS} } } } }
}`;

/**
 * The observations of a page of patients that the viewer may see: first counted (one grouped count), then read
 * (one batch of first pages), each an operation as the viewer. A token without Observation search gets the
 * patients without them.
 */
export async function patientObservationRevIncludes(
  patientIds: string[],
  schema: GraphQLSchema,
  context: GraphQLContext,
): Promise<IncludedResource[]> {
  type Counts = { patients: { nodes: { observations: { totalCount: number } }[] } };
  const counted = await unlessStatus(403, runGraphQL<Counts>(schema, context, COUNTS, { ids: patientIds }));
  const total = (counted?.patients.nodes ?? []).reduce((sum, p) => sum + p.observations.totalCount, 0);
  if (total === 0) return [];
  if (total > MAX_REVINCLUDED) {
    throw new FhirError(
      400,
      'too-costly',
      `_revinclude=Observation:patient: this page's patients have ${total} observations, more than the ${MAX_REVINCLUDED} a page includes; ask for fewer patients (_count) or search Observation?patient=<id>, which pages`,
      '_revinclude',
    );
  }
  type Observations = { patients: { nodes: { observations: { nodes: ObservationNode[] } }[] } };
  const data = await runGraphQL<Observations>(schema, context, OBSERVATIONS, { ids: patientIds });
  return data.patients.nodes.flatMap((p) => p.observations.nodes.map(toFhirObservation));
}
