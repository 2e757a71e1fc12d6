import type { Viewer } from './viewer.js';

/**
 * SQL conditions that make list queries fetch only rows the viewer may see, so visibility is computed by
 * the database and never by filtering in memory. `?` placeholders, for MikroORM's QueryBuilder or knex.
 */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

const ALL: SqlCondition = { sql: 'true', params: [] };
const NONE: SqlCondition = { sql: 'false', params: [] };

function inList(column: string, ids: readonly number[]): SqlCondition {
  if (ids.length === 0) return NONE;
  return { sql: `${column} in (${ids.map(() => '?').join(', ')})`, params: [...ids] };
}

export function or(...conditions: SqlCondition[]): SqlCondition {
  const useful = conditions.filter((c) => c.sql !== 'false');
  if (useful.some((c) => c.sql === 'true')) return ALL;
  if (useful.length === 0) return NONE;
  return { sql: `(${useful.map((c) => c.sql).join(' or ')})`, params: useful.flatMap((c) => c.params) };
}

export const viewerOrganizationIds = (viewer: Viewer): number[] => [...viewer.roles.keys()];

/** Organizations: the ones the viewer has a role in. */
export function organizationScope(viewer: Viewer, idColumn: string): SqlCondition {
  return viewer.isSuperuser ? ALL : inList(idColumn, viewerOrganizationIds(viewer));
}

/** Patients: in one of the viewer's organizations, or the viewer's own record. */
export function patientScope(viewer: Viewer, patientIdColumn: string): SqlCondition {
  if (viewer.isSuperuser) return ALL;
  const orgIds = viewerOrganizationIds(viewer);
  const viaOrganization: SqlCondition =
    orgIds.length === 0
      ? NONE
      : {
          sql: `exists (select 1 from patient_organizations vpo where vpo.patient_id = ${patientIdColumn} and ${inList('vpo.organization_id', orgIds).sql})`,
          params: [...orgIds],
        };
  const self: SqlCondition =
    viewer.patientId === null ? NONE : { sql: `${patientIdColumn} = ?`, params: [viewer.patientId] };
  return or(viaOrganization, self);
}

/** Studies: run by one of the viewer's organizations, or ones the viewer (a patient) is enrolled in. */
export function studyScope(viewer: Viewer, studyIdColumn: string, organizationIdColumn: string): SqlCondition {
  if (viewer.isSuperuser) return ALL;
  const enrolled: SqlCondition =
    viewer.patientId === null
      ? NONE
      : {
          sql: `exists (select 1 from study_patients vsp where vsp.study_id = ${studyIdColumn} and vsp.patient_id = ?)`,
          params: [viewer.patientId],
        };
  return or(inList(organizationIdColumn, viewerOrganizationIds(viewer)), enrolled);
}

/**
 * Observations, consent-gated at read time: a practitioner sees an observation only if some study of one of
 * their organizations has the patient enrolled, requests the observation's code, and holds the patient's
 * current consent `true` for that code. A patient sees their own observations.
 */
export function observationScope(viewer: Viewer, alias: string): SqlCondition {
  if (viewer.isSuperuser) return ALL;
  const orgIds = viewerOrganizationIds(viewer);
  const consented: SqlCondition =
    orgIds.length === 0
      ? NONE
      : {
          // a semi-join on the (patient, code) pairs, which PostgreSQL hashes once per query instead of
          // probing three tables for every candidate row
          sql: `(${alias}.subject_patient_id, ${alias}.codeable_concept_id) in (
            select vsp.patient_id, vc.codeable_concept_id from study_patients vsp
            join studies vs on vs.id = vsp.study_id
            join study_patient_scope_consents vc on vc.study_patient_id = vsp.id and vc.consented
            join study_scope_requests vsr on vsr.study_id = vsp.study_id and vsr.codeable_concept_id = vc.codeable_concept_id
            where ${inList('vs.organization_id', orgIds).sql})`,
          params: [...orgIds],
        };
  const own: SqlCondition =
    viewer.patientId === null ? NONE : { sql: `${alias}.subject_patient_id = ?`, params: [viewer.patientId] };
  return or(consented, own);
}
