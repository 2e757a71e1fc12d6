import { observationBatches } from '../../src/services/bulk-export/observation-stream.js';
import type { ObservationRow } from '../../src/services/observation-search.js';
import { runGraphQL } from '../execute.js';
import { type ObservationNode, toFhirObservation } from '../resources.js';
import type { LineBatch, SourceInput } from './sources.js';

type Concept = ObservationNode['code'];
const CONCEPTS = `query { codeableConcepts { id codingSystem codingCode text } }`;

/**
 * An observation row as the `observations` query's selection (OBSERVATION_FIELDS) resolves it: the resolvers'
 * identifiers, base64 attachment (Open mHealth) or stored resource (any other Observation) and code, so that toFhirObservation writes the line `GET Observation/<id>`
 * answers (tests/fhir-bulk-export.int.test.ts compares them).
 */
function observationNode(row: ObservationRow, concepts: Map<number, Concept>): ObservationNode {
  const identifiers = JSON.parse(row.identifiersJson) as { system: string; value: string }[];
  return {
    id: String(row.id),
    status: row.status,
    effectiveTime: row.effectiveTime,
    lastUpdated: row.lastUpdated,
    subject: { id: String(row.subjectPatientId) },
    code: concepts.get(row.codeableConceptId)!,
    dataSource: { id: String(row.dataSourceId) },
    identifiers: identifiers.map(({ system, value }) => ({ system, value })),
    valueAttachment:
      row.omhJson === null
        ? null
        : { contentType: 'application/json', data: Buffer.from(row.omhJson).toString('base64') },
    resource: row.resourceJson === null ? null : (JSON.parse(row.resourceJson) as Record<string, unknown>),
  };
}

/** `<code index>:<keyset cursor>`: the filter's codes are exported one after the other. */
const readCursor = (cursor: string | null): [number, string | null] => {
  if (!cursor) return [0, null];
  const colon = cursor.indexOf(':');
  return [Number(cursor.slice(0, colon)), cursor.slice(colon + 1) || null];
};

/**
 * The observations the viewer may see (of the study, of the `_typeFilter` codes, updated since `_since`), read by
 * the domain service in keyset batches with the `observations` query's own filter and scope: a GraphQL page loop
 * cost several times the time for a million rows (README, Bulk Data export).
 */
export async function* observationLines({ schema, context, job, cursor, batchRows }: SourceInput) {
  const { codeableConcepts } = await runGraphQL<{ codeableConcepts: (Concept & { id: string })[] }>(
    schema,
    context,
    CONCEPTS,
    {},
  );
  const concepts = new Map(codeableConcepts.map(({ id, ...concept }) => [Number(id), concept]));
  const codes = job.codes.length ? job.codes : [null];
  const [from, after] = readCursor(cursor);
  for (let index = from; index < codes.length; index++) {
    const filter = {
      studyId: job.studyId,
      coding: codes[index],
      lastUpdatedFrom: job.since ? new Date(job.since) : null,
    };
    const batches = observationBatches(context.services, filter, index === from ? after : null, batchRows);
    for await (const { rows, cursor: next } of batches) {
      let text = '';
      for (const row of rows) text += `${JSON.stringify(toFhirObservation(observationNode(row, concepts)))}\n`;
      yield { ndjson: text, lines: rows.length, cursor: `${index}:${next}` } satisfies LineBatch;
    }
  }
}
