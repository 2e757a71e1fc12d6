import type { SqlCondition } from '../policy/scope.js';
import { opaqueCursor, readCursor } from './paging.js';

/**
 * Observations are listed by patient, code, effective time and id: the key of
 * `observations_subject_code_time_id_idx`. A page of a study's observations is then one range of that index,
 * read in order, however many rows of other studies the table holds; by id, the walk of the primary key read
 * every row stored before the study's (bench/PLANS.md).
 */
export const observationOrder = (alias: string) =>
  `${alias}.subject_patient_id, ${alias}.codeable_concept_id, ${alias}.effective_time, ${alias}.id`;

/** Where a page ends in that order; `effectiveTime` as ISO 8601 with milliseconds, the stored precision. */
export interface ObservationKey {
  subjectPatientId: number;
  codeableConceptId: number;
  effectiveTime: string;
  id: number;
}

/** Keyset cursor of an observation list: the last row's key. */
export function encodeObservationCursor(key: ObservationKey): string {
  const { subjectPatientId, codeableConceptId, effectiveTime, id } = key;
  return opaqueCursor(`obs:${subjectPatientId}:${codeableConceptId}:${effectiveTime}:${id}`);
}

const CURSOR = /^obs:(\d{1,10}):(\d{1,10}):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z):(\d{1,16})$/;

/** A real instant, written as `toISOString` writes it (no February 30). */
const isIsoTime = (text: string) => {
  const time = new Date(text);
  return !Number.isNaN(time.getTime()) && time.toISOString() === text;
};

export function decodeObservationCursor(cursor: string | null | undefined): ObservationKey | null {
  const parts = readCursor(cursor, CURSOR, (p) => isIsoTime(p[3]!));
  return (
    parts && {
      subjectPatientId: Number(parts[1]),
      codeableConceptId: Number(parts[2]),
      effectiveTime: parts[3]!,
      id: Number(parts[4]),
    }
  );
}

/** The rows after `key` in the list order: a row comparison, which is a bound of the same index range. */
export function observationsAfter(key: ObservationKey, alias: string): SqlCondition {
  return {
    sql: `(${observationOrder(alias)}) > (?, ?, ?::timestamptz, ?)`,
    params: [key.subjectPatientId, key.codeableConceptId, key.effectiveTime, key.id],
  };
}
