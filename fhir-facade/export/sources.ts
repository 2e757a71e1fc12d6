import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { ExportType } from '../../src/policy/bulk-export.js';
import type { BulkExportRow } from '../../src/services/bulk-export/exports.js';
import { readDevice } from '../devices.js';
import { runGraphQL } from '../execute.js';
import { readGroup } from '../groups.js';
import { PATIENT_FIELDS, type PatientNode, toFhirPatient } from '../resources.js';
import { observationLines } from './observation-lines.js';

/** A batch of an export's lines of one type, and the cursor after it (where a resumed job goes on). */
export interface LineBatch {
  ndjson: string;
  lines: number;
  cursor: string;
}

export interface SourceInput {
  schema: GraphQLSchema;
  context: GraphQLContext;
  job: BulkExportRow;
  /** where the previous attempt stopped (null: from the start) */
  cursor: string | null;
  batchRows: number;
}

export type LineSource = (input: SourceInput) => AsyncIterable<LineBatch>;

export const ndjson = (resources: unknown[]) => resources.map((r) => `${JSON.stringify(r)}\n`).join('');

const DONE = 'done';
/** The most a patients page holds (Query.patients' largest). */
const MAX_PATIENT_PAGE = 1000;

const PATIENTS = `query ($studyId: ID, $first: Int, $after: String) {
  patients(studyId: $studyId, first: $first, after: $after) { nodes { ${PATIENT_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;
const STUDY_DEVICES = `query ($id: ID!) { study(id: $id) { dataSources { id } } }`;
const DEVICES = `query { dataSources { id } }`;

/** The study itself, as `GET Group/<id>` answers it. */
async function* groupLines({ schema, context, job, cursor }: SourceInput): AsyncIterable<LineBatch> {
  if (cursor === DONE || job.studyId === null) return;
  yield { ndjson: ndjson([await readGroup(String(job.studyId), schema, context)]), lines: 1, cursor: DONE };
}

/** The study's patients (or every patient the viewer may see), page by page of the `patients` query. */
async function* patientLines({ schema, context, job, cursor, batchRows }: SourceInput): AsyncIterable<LineBatch> {
  let after = cursor;
  for (;;) {
    const { patients } = await runGraphQL<{
      patients: { nodes: PatientNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(schema, context, PATIENTS, {
      studyId: job.studyId === null ? null : String(job.studyId),
      first: Math.min(batchRows, MAX_PATIENT_PAGE),
      after,
    });
    const { nodes, pageInfo } = patients;
    if (nodes.length === 0) return;
    after = pageInfo.endCursor;
    yield { ndjson: ndjson(nodes.map(toFhirPatient)), lines: nodes.length, cursor: after ?? DONE };
    if (!pageInfo.hasNextPage) return;
  }
}

/** The study's data sources (or the whole catalog), each as `GET Device/<id>` answers it. */
async function* deviceLines({ schema, context, job, cursor }: SourceInput): AsyncIterable<LineBatch> {
  if (cursor === DONE) return;
  const ids =
    job.studyId === null
      ? (await runGraphQL<{ dataSources: { id: string }[] }>(schema, context, DEVICES, {})).dataSources
      : (
          await runGraphQL<{ study: { dataSources: { id: string }[] } }>(schema, context, STUDY_DEVICES, {
            id: String(job.studyId),
          })
        ).study.dataSources;
  if (ids.length === 0) return;
  const devices = await Promise.all(ids.map(({ id }) => readDevice(id, schema, context)));
  yield { ndjson: ndjson(devices), lines: devices.length, cursor: DONE };
}

export const LINE_SOURCES: Record<ExportType, LineSource> = {
  Group: groupLines,
  Patient: patientLines,
  Device: deviceLines,
  Observation: observationLines,
};
