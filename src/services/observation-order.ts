import { InvalidError } from '../errors.js';
import type { SqlCondition } from '../policy/scope.js';
import { opaqueCursor, readCursor } from './paging.js';

/**
 * Observations are listed by patient, code, effective time and id: the key of
 * `observations_subject_code_time_id_idx`. A page of a study's observations is then one range of that index,
 * read in order, however many rows of other studies the table holds; by id, the walk of the primary key read
 * every row stored before the study's (bench/PLANS.md).
 *
 * `desc` is the same key backwards (the index read by a backward scan): with one patient and one code, the
 * latest observations first. Mixed directions (patient and code ascending, time descending) are not an order
 * of that index, so there is none.
 */
export type ObservationDirection = 'asc' | 'desc';

export const observationOrder = (alias: string, direction: ObservationDirection = 'asc') => {
  const columns = ['subject_patient_id', 'codeable_concept_id', 'effective_time', 'id'].map((c) => `${alias}.${c}`);
  return direction === 'asc' ? columns.join(', ') : columns.map((c) => `${c} desc`).join(', ');
};

/** Where a page ends in that order; `effectiveTime` as ISO 8601 with milliseconds, the stored precision. */
export interface ObservationKey {
  subjectPatientId: number;
  codeableConceptId: number;
  effectiveTime: string;
  id: number;
}

/** Each direction's cursor has its own tag: a cursor of one order replayed with the other is refused. */
const TAGS: Record<ObservationDirection, string> = { asc: 'obs', desc: 'obs-desc' };

/** Keyset cursors of an observation list read in `direction`: a row's key, and the direction. */
export const observationCursor =
  (direction: ObservationDirection) =>
  ({ subjectPatientId, codeableConceptId, effectiveTime, id }: ObservationKey): string =>
    opaqueCursor(`${TAGS[direction]}:${subjectPatientId}:${codeableConceptId}:${effectiveTime}:${id}`);

/** The cursor of a row in the ascending order. */
export const encodeObservationCursor = observationCursor('asc');

const CURSOR = /^(obs|obs-desc):(\d{1,10}):(\d{1,10}):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z):(\d{1,16})$/;

/** A real instant, written as `toISOString` writes it (no February 30). */
const isIsoTime = (text: string) => {
  const time = new Date(text);
  return !Number.isNaN(time.getTime()) && time.toISOString() === text;
};

export function decodeObservationCursor(
  cursor: string | null | undefined,
  direction: ObservationDirection = 'asc',
): ObservationKey | null {
  const parts = readCursor(cursor, CURSOR, (p) => isIsoTime(p[4]!));
  if (parts && parts[1] !== TAGS[direction]) {
    throw new InvalidError('after: a cursor of the other order; a page goes on only in the order it was read', 'after');
  }
  return (
    parts && {
      subjectPatientId: Number(parts[2]),
      codeableConceptId: Number(parts[3]),
      effectiveTime: parts[4]!,
      id: Number(parts[5]),
    }
  );
}

/** The rows after `key` in the list order: a row comparison, which is a bound of the same index range. */
export function observationsAfter(
  key: ObservationKey,
  alias: string,
  direction: ObservationDirection = 'asc',
): SqlCondition {
  return {
    sql: `(${observationOrder(alias)}) ${direction === 'asc' ? '>' : '<'} (?, ?, ?::timestamptz, ?)`,
    params: [key.subjectPatientId, key.codeableConceptId, key.effectiveTime, key.id],
  };
}
