import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { IncludedResource } from './bundle.js';
import { runGraphQL } from './execute.js';
import { unlessStatus } from './outcome.js';
import { PATIENT_FIELDS, type PatientNode, toFhirPatient } from './resources.js';

/** A Group read lists at most this many members (Study.patients' largest page); `quantity` counts them all. */
export const MAX_GROUP_MEMBERS = 1000;

/** Studies per member operation: one query text (compiled once), a chunk padded with its last study. */
const STUDIES_PER_OPERATION = 25;
const MEMBERS = `query (${Array.from({ length: STUDIES_PER_OPERATION }, (_, i) => `$s${i}: ID!`).join(', ')}) {
  ${Array.from(
    { length: STUDIES_PER_OPERATION },
    (_, i) => `s${i}: study(id: $s${i}) { patients(first: ${MAX_GROUP_MEMBERS}) { nodes { ${PATIENT_FIELDS} } } }`,
  ).join('\n  ')}
}`;

/**
 * The enrolled patients (at most MAX_GROUP_MEMBERS per study, as the Group read lists) of a page of Groups, each
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
