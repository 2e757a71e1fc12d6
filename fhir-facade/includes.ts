import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { IncludedResource } from './bundle.js';
import { DEVICE_FIELDS, type DataSourceNode, toFhirDevice } from './devices.js';
import { runGraphQL } from './execute.js';
import { FhirError, unlessStatus } from './outcome.js';
import { PATIENT_FIELDS, type PatientNode, toFhirPatient } from './resources.js';

/** A Group's members: at most this many per study, as in the Group read. */
const MAX_MEMBERS = 1000;

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

const PATIENTS = `query ($ids: [ID!]) { patients(ids: $ids, first: ${MAX_MEMBERS}) { nodes { ${PATIENT_FIELDS} } } }`;
const DEVICES = `query { dataSources { ${DEVICE_FIELDS} } }`;

/** The ids behind `Type/<id>` references, once each. */
const referencedIds = (references: (string | undefined)[], type: string) => [
  ...new Set(references.filter((r) => r?.startsWith(`${type}/`)).map((r) => r!.slice(type.length + 1))),
];

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
  const [patients, devices] = await Promise.all([
    targets.has('Patient')
      ? patientsByIds(
          referencedIds(
            matches.map((m) => m.subject.reference),
            'Patient',
          ),
          schema,
          context,
        )
      : [],
    targets.has('Device')
      ? devicesByIds(
          referencedIds(
            matches.map((m) => m.device.reference),
            'Device',
          ),
          schema,
          context,
        )
      : [],
  ]);
  return [...patients, ...devices];
}

async function patientsByIds(ids: string[], schema: GraphQLSchema, context: GraphQLContext) {
  if (ids.length === 0) return [];
  const data = await unlessStatus(
    403,
    runGraphQL<{ patients: { nodes: PatientNode[] } }>(schema, context, PATIENTS, { ids }),
  );
  return (data?.patients.nodes ?? []).map(toFhirPatient);
}

async function devicesByIds(ids: string[], schema: GraphQLSchema, context: GraphQLContext) {
  const data = await unlessStatus(403, runGraphQL<{ dataSources: DataSourceNode[] }>(schema, context, DEVICES, {}));
  const wanted = new Set(ids);
  return (data?.dataSources ?? []).filter((d) => wanted.has(d.id)).map(toFhirDevice);
}

/** Studies per member operation: one query text (compiled once), a chunk padded with its last study. */
const STUDIES_PER_OPERATION = 25;
const MEMBERS = `query (${Array.from({ length: STUDIES_PER_OPERATION }, (_, i) => `$s${i}: ID!`).join(', ')}) {
  ${Array.from(
    { length: STUDIES_PER_OPERATION },
    (_, i) => `s${i}: study(id: $s${i}) { patients(first: ${MAX_MEMBERS}) { nodes { ${PATIENT_FIELDS} } } }`,
  ).join('\n  ')}
}`;

/**
 * The enrolled patients (at most MAX_MEMBERS per study, as the Group read lists) of a page of Groups, each
 * once: an operation per STUDIES_PER_OPERATION studies of the page, each study an alias, their patient pages
 * read by one loader batch. A token without Patient search gets the Groups without them.
 */
export async function groupMemberIncludes(
  studyIds: string[],
  schema: GraphQLSchema,
  context: GraphQLContext,
): Promise<IncludedResource[]> {
  type Members = Record<string, { patients: { nodes: PatientNode[] } }>;
  const chunks = [];
  for (let start = 0; start < studyIds.length; start += STUDIES_PER_OPERATION) {
    const chunk = studyIds.slice(start, start + STUDIES_PER_OPERATION);
    const variables = Object.fromEntries(
      Array.from({ length: STUDIES_PER_OPERATION }, (_, i) => [`s${i}`, chunk[i] ?? chunk.at(-1)]),
    );
    chunks.push(unlessStatus(403, runGraphQL<Members>(schema, context, MEMBERS, variables)));
  }
  const patients = new Map<string, PatientNode>();
  for (const data of await Promise.all(chunks)) {
    for (const study of Object.values(data ?? {})) for (const p of study.patients.nodes) patients.set(p.id, p);
  }
  return [...patients.values()].map(toFhirPatient);
}
