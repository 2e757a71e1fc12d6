import type pg from 'pg';
import type { ObservationFilter } from '../src/services/observation-search.js';

/** The measured search: one page of 1000 blood glucose observations of a study in a time window. */
export interface SearchCase {
  studyId: number;
  from: string;
  before: string;
}

export const PAGE_SIZE = 1000;
export const SEARCH_CODE = { system: 'https://w3id.org/openmhealth', code: 'omh:blood-glucose:4.0' };
const BLOOD_GLUCOSE_ID = 50001;

export const weekOfStudy = (studyId: number): SearchCase => ({
  studyId,
  from: '2026-01-03T00:00:00Z',
  before: '2026-01-10T00:00:00Z',
});

export const fhirSearchUrl = (base: string, c: SearchCase) =>
  `${base}/fhir/r5/Observation?patient._has:Group:member:_id=${c.studyId}&code=${encodeURIComponent(`${SEARCH_CODE.system}|${SEARCH_CODE.code}`)}&date=ge${c.from}&date=lt${c.before}&_count=${PAGE_SIZE}`;

export const SEARCH_QUERY = `query ($filter: ObservationFilter!) { observations(filter: $filter, first: ${PAGE_SIZE}) { nodes { id effectiveTime subject { id } omh } pageInfo { endCursor } } }`;

export const graphqlVariables = (c: SearchCase) => ({
  filter: { studyId: String(c.studyId), code: SEARCH_CODE, from: c.from, before: c.before },
});

export const serviceFilter = (c: SearchCase): ObservationFilter => ({
  studyId: c.studyId,
  coding: SEARCH_CODE,
  from: new Date(c.from),
  before: new Date(c.before),
});

/** The bare SQL of the same page plus `JSON.stringify`; returns the number of rows. */
export async function baselinePage(pool: pg.Pool, c: SearchCase): Promise<number> {
  const result = await pool.query(
    `select o.* from observations o
      where o.subject_patient_id in (select patient_id from study_patients where study_id = $1)
        and o.codeable_concept_id = $2 and o.effective_time >= $3 and o.effective_time < $4
      order by o.subject_patient_id, o.codeable_concept_id, o.effective_time, o.id limit ${PAGE_SIZE}`,
    [c.studyId, BLOOD_GLUCOSE_ID, c.from, c.before],
  );
  JSON.stringify(result.rows);
  return result.rows.length;
}
