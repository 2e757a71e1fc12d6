import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { IncludedResource } from './bundle.js';
import { DEVICE_FIELDS, type DataSourceNode, toFhirDevice } from './devices.js';
import { runGraphQL } from './execute.js';
import { FhirError, unlessStatus } from './outcome.js';
import { PATIENT_FIELDS, type PatientNode, toFhirPatient } from './resources.js';

type Target = 'Patient' | 'Device' | 'Group:member';

/** The `_include` values served, per searched type, with what each brings; the CapabilityStatement lists them. */
const INCLUDES: Record<string, Record<string, Target>> = {
  Observation: {
    'Observation:patient': 'Patient',
    'Observation:subject': 'Patient',
    'Observation:patient:Patient': 'Patient',
    'Observation:subject:Patient': 'Patient',
    'Observation:device': 'Device',
    'Observation:device:Device': 'Device',
  },
  Group: { 'Group:member': 'Group:member', 'Group:member:Patient': 'Group:member' },
};

/** The CapabilityStatement's `searchInclude` of a type: the untargeted names. */
export const searchIncludes = (type: string) =>
  Object.keys(INCLUDES[type] ?? {}).filter((name) => name.split(':').length === 2);

/** `_include` values (repeatable) of a search on `type`: what to include; anything else is 400. */
export function parseIncludes(type: string, values: string[] | undefined): Set<Target> {
  const served = INCLUDES[type] ?? {};
  const targets = new Set<Target>();
  for (const value of values ?? []) {
    const target = served[value];
    if (!target) {
      const accepted = searchIncludes(type).map((name) => `"${name}"`);
      const list = accepted.length ? `accepted: ${accepted.join(', ')}` : `${type} search includes nothing`;
      throw new FhirError(400, 'not-supported', `_include=${value} is not supported; ${list}`, '_include');
    }
    targets.add(target);
  }
  return targets;
}

/** a page holds at most 1000 observations, so as many patients */
const PATIENTS = `query ($ids: [ID!]) { patients(ids: $ids, first: 1000) { nodes { ${PATIENT_FIELDS} } } }`;
const DEVICES = `query { dataSources { ${DEVICE_FIELDS} } }`;

/** The ids behind `Type/<id>` references, once each. */
function referencedIds(type: string, references: string[]): string[] {
  const prefix = `${type}/`;
  return [...new Set(references.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)))];
}

/**
 * The patients and devices a page of Observations refers to, one GraphQL operation per type and page, as the
 * viewer: only those they may see come back. A token without Patient (or Device) search gets the matches
 * without them, as a Group read leaves out the parts its token lacks.
 */
export async function observationIncludes(
  targets: Set<Target>,
  matches: { subject: { reference: string }; device: { reference: string } }[],
  schema: GraphQLSchema,
  context: GraphQLContext,
): Promise<IncludedResource[]> {
  const subjects = referencedIds(
    'Patient',
    matches.map((m) => m.subject.reference),
  );
  const sources = referencedIds(
    'Device',
    matches.map((m) => m.device.reference),
  );
  const [patients, devices] = await Promise.all([
    targets.has('Patient') ? patientsByIds(subjects, schema, context) : [],
    targets.has('Device') ? devicesByIds(sources, schema, context) : [],
  ]);
  return [...patients, ...devices];
}

async function patientsByIds(ids: string[], schema: GraphQLSchema, context: GraphQLContext) {
  if (ids.length === 0) return [];
  type Patients = { patients: { nodes: PatientNode[] } };
  const data = await unlessStatus(403, runGraphQL<Patients>(schema, context, PATIENTS, { ids }));
  return (data?.patients.nodes ?? []).map(toFhirPatient);
}

async function devicesByIds(ids: string[], schema: GraphQLSchema, context: GraphQLContext) {
  const data = await unlessStatus(403, runGraphQL<{ dataSources: DataSourceNode[] }>(schema, context, DEVICES, {}));
  const wanted = new Set(ids);
  return (data?.dataSources ?? []).filter((d) => wanted.has(d.id)).map(toFhirDevice);
}
