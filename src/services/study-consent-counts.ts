import { patientScope } from '../policy/scope.js';
import type { ServiceContext } from './context.js';
import { groupBy } from './group.js';
import { intArray } from './int-array.js';

/** How one requested scope stands among a study's enrolled patients. */
export interface StudyScopeCount {
  codeableConceptId: number;
  consented: number;
  declined: number;
  /** enrolled patients who have not answered it */
  pending: number;
}

export interface StudyConsentCounts {
  enrolled: number;
  /** enrolled patients who answered every scope the study requests */
  fullyAnswered: number;
  /** enrolled patients with at least one unanswered scope */
  pending: number;
  scopes: StudyScopeCount[];
}

/**
 * The consent answers of several studies' enrolled patients, counted, in two statements whatever the number of
 * studies: over the enrolled patients the viewer may see (the policy's patientScope, as Study.patients and
 * Study.consents list them). Answers to scopes a study no longer requests do not count.
 */
export async function consentCountsOfStudies(
  ctx: ServiceContext,
  studyIds: readonly number[],
): Promise<Map<number, StudyConsentCounts>> {
  if (studyIds.length === 0) return new Map();
  const scope = patientScope(ctx.viewer, 'sp.patient_id');
  const connection = ctx.em.getConnection();
  const [patients, scopes] = await Promise.all([
    connection.execute<{ study_id: number; enrolled: string; fully: string }[]>(
      `select sp.study_id, count(*) as enrolled,
              count(*) filter (where not exists (
                select 1 from study_scope_requests r where r.study_id = sp.study_id and not exists (
                  select 1 from study_patient_scope_consents a
                   where a.study_patient_id = sp.id and a.codeable_concept_id = r.codeable_concept_id))) as fully
         from study_patients sp where sp.study_id = any(?::int[]) and ${scope.sql}
        group by sp.study_id`,
      [intArray(studyIds), ...scope.params],
    ),
    connection.execute<
      { study_id: number; codeable_concept_id: number; consented: string; declined: string; pending: string }[]
    >(
      `select r.study_id, r.codeable_concept_id,
              count(a.id) filter (where a.consented) as consented,
              count(a.id) filter (where not a.consented) as declined,
              count(sp.id) filter (where a.id is null) as pending
         from study_scope_requests r
         left join study_patients sp on sp.study_id = r.study_id and ${scope.sql}
         left join study_patient_scope_consents a
                on a.study_patient_id = sp.id and a.codeable_concept_id = r.codeable_concept_id
        where r.study_id = any(?::int[])
        group by r.study_id, r.codeable_concept_id
        order by r.study_id, r.codeable_concept_id`,
      [...scope.params, intArray(studyIds)],
    ),
  ]);
  const scopesByStudy = groupBy(scopes, (row) => row.study_id);
  return new Map(
    studyIds.map((studyId) => {
      const counted = patients.find((row) => row.study_id === studyId);
      const enrolled = Number(counted?.enrolled ?? 0);
      const fullyAnswered = Number(counted?.fully ?? 0);
      const studyScopes = (scopesByStudy.get(studyId) ?? []).map((row) => ({
        codeableConceptId: row.codeable_concept_id,
        consented: Number(row.consented),
        declined: Number(row.declined),
        pending: Number(row.pending),
      }));
      return [studyId, { enrolled, fullyAnswered, pending: enrolled - fullyAnswered, scopes: studyScopes }];
    }),
  );
}
