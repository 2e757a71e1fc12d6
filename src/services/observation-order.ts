import { InvalidError } from '../errors.js';
import type { SqlCondition } from '../policy/scope.js';

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

/** Keyset cursor of an observation list: opaque base64url of the last row's key. */
export function encodeObservationCursor(key: ObservationKey): string {
  const { subjectPatientId, codeableConceptId, effectiveTime, id } = key;
  return Buffer.from(`obs:${subjectPatientId}:${codeableConceptId}:${effectiveTime}:${id}`).toString('base64url');
}

const CURSOR = /^obs:(\d{1,10}):(\d{1,10}):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z):(\d{1,16})$/;

export function decodeObservationCursor(cursor: string | null | undefined): ObservationKey | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const time = match ? new Date(match[3]!) : undefined;
  if (!match || !time || Number.isNaN(time.getTime()) || time.toISOString() !== match[3]) {
    throw new InvalidError('after: not a cursor this server issued', 'after');
  }
  return {
    subjectPatientId: Number(match[1]),
    codeableConceptId: Number(match[2]),
    effectiveTime: match[3]!,
    id: Number(match[4]),
  };
}

/** The rows after `key` in the list order: a row comparison, which is a bound of the same index range. */
export function observationsAfter(key: ObservationKey, alias: string): SqlCondition {
  return {
    sql: `(${observationOrder(alias)}) > (?, ?, ?::timestamptz, ?)`,
    params: [key.subjectPatientId, key.codeableConceptId, key.effectiveTime, key.id],
  };
}
