import { tokenObservationCodeIds } from './token.js';
import type { Interaction } from './token-scopes.js';
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

export function inList(column: string, ids: readonly number[]): SqlCondition {
  if (ids.length === 0) return NONE;
  return { sql: `${column} in (${ids.map(() => '?').join(', ')})`, params: [...ids] };
}

export function or(...conditions: SqlCondition[]): SqlCondition {
  const useful = conditions.filter((c) => c.sql !== 'false');
  if (useful.some((c) => c.sql === 'true')) return ALL;
  if (useful.length === 0) return NONE;
  return { sql: `(${useful.map((c) => c.sql).join(' or ')})`, params: useful.flatMap((c) => c.params) };
}

export function and(...conditions: SqlCondition[]): SqlCondition {
  if (conditions.some((c) => c.sql === 'false')) return NONE;
  const useful = conditions.filter((c) => c.sql !== 'true');
  if (useful.length === 0) return ALL;
  if (useful.length === 1) return useful[0]!;
  return { sql: useful.map((c) => `(${c.sql})`).join(' and '), params: useful.flatMap((c) => c.params) };
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

/**
 * Practitioners (canViewPractitioner): the viewer themself, and everyone holding a role in one of the viewer's
 * organizations.
 */
export function practitionerScope(viewer: Viewer, practitionerIdColumn: string): SqlCondition {
  if (viewer.isSuperuser) return ALL;
  const orgIds = viewerOrganizationIds(viewer);
  const viaOrganization: SqlCondition =
    orgIds.length === 0
      ? NONE
      : {
          sql: `exists (select 1 from practitioner_organizations vpr where vpr.practitioner_id = ${practitionerIdColumn} and ${inList('vpr.organization_id', orgIds).sql})`,
          params: [...orgIds],
        };
  const self: SqlCondition =
    viewer.practitionerId === null ? NONE : { sql: `${practitionerIdColumn} = ?`, params: [viewer.practitionerId] };
  return or(viaOrganization, self);
}

/**
 * A practitioner's roles (memberships): those in the viewer's organizations, as the organization's practitioner
 * list shows them (canViewPractitionerRole).
 */
export const practitionerRoleScope = (viewer: Viewer, organizationIdColumn: string): SqlCondition =>
  organizationScope(viewer, organizationIdColumn);

/**
 * Enrollments, with the patient's answers to the study (FHIR Consent): the patient's own, and, for a
 * practitioner, those of patients they may see in studies of their organizations (getPatientConsents's rule).
 */
export const enrollmentScope = (
  viewer: Viewer,
  columns: { patientId: string; studyId: string; studyOrganizationId: string },
): SqlCondition =>
  and(patientScope(viewer, columns.patientId), studyScope(viewer, columns.studyId, columns.studyOrganizationId));

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
 * The consent rule, written once: `(study_id, patient_id, codeable_concept_id)` for every patient enrolled in a
 * study that requests the code, whose current consent for that study and code is `true`. Revoking it removes
 * the row, and with it every observation it let anyone see, at once.
 */
export const CONSENTED_PAIRS = `select csp.study_id, csp.patient_id, cc.codeable_concept_id from study_patients csp
  join study_patient_scope_consents cc on cc.study_patient_id = csp.id and cc.consented
  join study_scope_requests csr on csr.study_id = csp.study_id and csr.codeable_concept_id = cc.codeable_concept_id`;

/**
 * The observation codes the token allows (`?code=` scopes), as a condition on a code column: true when it allows
 * every code. Every read of observations applies it next to the consent rule.
 */
export function observationCodeScope(viewer: Viewer, codeColumn: string, interaction: Interaction = 's') {
  const ids = tokenObservationCodeIds(viewer, interaction);
  return ids === null ? ALL : inList(codeColumn, [...ids]);
}

/**
 * Observations, consent-gated at read time: a practitioner sees an observation only if some study of one of
 * their organizations has the patient enrolled, requests the observation's code, and holds the patient's
 * current consent `true` for that code (CONSENTED_PAIRS). A patient sees their own observations.
 *
 * As SQL selecting the visible `(patient_id, codeable_concept_id)` pairs; null for super users, who see all.
 * The token's code scopes are not in it: see observationCodeScope.
 */
export function observationPairs(viewer: Viewer): SqlCondition | null {
  if (viewer.isSuperuser) return null;
  const orgIds = viewerOrganizationIds(viewer);
  const parts: SqlCondition[] = [];
  if (orgIds.length > 0) {
    parts.push({
      sql: `select vp.patient_id, vp.codeable_concept_id from (${CONSENTED_PAIRS}) vp
        join studies vs on vs.id = vp.study_id
        where ${inList('vs.organization_id', orgIds).sql}`,
      params: [...orgIds],
    });
  }
  if (viewer.patientId !== null) {
    parts.push({
      sql: 'select ?::int as patient_id, vcc.id as codeable_concept_id from codeable_concepts vcc',
      params: [viewer.patientId],
    });
  }
  if (parts.length === 0)
    return { sql: 'select null::int as patient_id, null::int as codeable_concept_id where false', params: [] };
  return { sql: parts.map((p) => p.sql).join(' union '), params: parts.flatMap((p) => p.params) };
}

/** `(patientColumn, codeColumn)` is one of the pairs selected by `pairs` (see observationPairs). */
const amongPairs = (pairs: SqlCondition, patientColumn: string, codeColumn: string): SqlCondition => ({
  sql: `(${patientColumn}, ${codeColumn}) in (${pairs.sql})`,
  params: pairs.params,
});

/** Observations the viewer may see with the token's codes, as a condition on the observation row `alias`. */
export function observationScope(viewer: Viewer, alias: string, interaction: Interaction = 's'): SqlCondition {
  const pairs = observationPairs(viewer);
  const codes = observationCodeScope(viewer, `${alias}.codeable_concept_id`, interaction);
  if (pairs === null) return codes;
  return and(amongPairs(pairs, `${alias}.subject_patient_id`, `${alias}.codeable_concept_id`), codes);
}

/** Whether the viewer sees every consented pair of a study run by this organization: its own people and super users. */
export const seesWholeStudy = (viewer: Viewer, studyOrganizationId: number): boolean =>
  viewer.isSuperuser || viewer.roles.has(studyOrganizationId);

/**
 * Of one study's consented pairs (`alias` with patient_id, codeable_concept_id), the ones the viewer may see,
 * given the organization that runs the study. A study of one of the viewer's organizations contributes all its
 * pairs to observationPairs, so they are visible as they are; any other study's pairs are matched against the
 * viewer's pairs. Decided here rather than in SQL: PostgreSQL spent 1 ms planning the viewer's pairs even
 * when the study was their own, ten times the rest of the query.
 */
export function studyPairScope(viewer: Viewer, alias: string, studyOrganizationId: number): SqlCondition {
  if (seesWholeStudy(viewer, studyOrganizationId)) return ALL;
  return amongPairs(observationPairs(viewer)!, `${alias}.patient_id`, `${alias}.codeable_concept_id`);
}

/**
 * Whether the viewer sees every consented pair of the study (see seesWholeStudy), as a condition for a query of
 * its pairs made before the study's organization is known: one that reads them while it checks the study, and
 * uses them if seesWholeStudy then holds. Uncorrelated, so that PostgreSQL evaluates it once and has no join to
 * plan for it.
 */
export function wholeStudyPairScope(viewer: Viewer, studyId: number): SqlCondition {
  if (viewer.isSuperuser) return ALL;
  const orgIds = viewerOrganizationIds(viewer);
  if (orgIds.length === 0) return NONE;
  const organization = { sql: '(select ws.organization_id from studies ws where ws.id = ?)', params: [studyId] };
  const among = inList(organization.sql, orgIds);
  return { sql: among.sql, params: [...organization.params, ...among.params] };
}
