import { LoadStrategy } from '@mikro-orm/core';
import { type CodeableConcept, type Patient, Study, StudyPatientScopeConsent } from '../db/entities/index.js';
import { studyScope } from '../policy/scope.js';
import type { PatientConsents, ScopeConsent, StudyConsents } from './consents.js';
import type { ServiceContext } from './context.js';
import { groupBy } from './group.js';
import { studyScopeRequests } from './study-setup.js';

/**
 * The consents of several visible patients at once (three queries whatever their number): for each, the
 * studies they are enrolled in that the viewer may see, every requested scope with its answer (null:
 * pending), the studies still waiting for answers, and the codes shared with at least one of them.
 */
export async function consentsOfPatients(
  ctx: ServiceContext,
  patients: readonly Patient[],
): Promise<Map<number, PatientConsents>> {
  const patientIds = patients.map((p) => p.id);
  const scope = studyScope(ctx.viewer, 's.id', 's.organization_id');
  const enrolled = patientIds.length
    ? await ctx.em.getConnection().execute<(Record<string, unknown> & { enrolled_patient_id: number })[]>(
        `select s.*, sp.patient_id as enrolled_patient_id from studies s join study_patients sp on sp.study_id = s.id
          where sp.patient_id in (${patientIds.map(() => '?').join(', ')}) and ${scope.sql} order by s.id`,
        [...patientIds, ...scope.params],
      )
    : [];
  const studiesByPatient = groupBy(enrolled, (row) => row.enrolled_patient_id);
  const studyIds = [...new Set(enrolled.map((row) => Number(row.id)))];
  const requested = await studyScopeRequests(ctx.em, studyIds);
  const answers = studyIds.length
    ? await ctx.em.find(
        StudyPatientScopeConsent,
        { studyPatient: { patient: { $in: patientIds }, study: { $in: studyIds } } },
        { populate: ['studyPatient'], strategy: LoadStrategy.JOINED, refresh: true },
      )
    : [];
  const answerOf = new Map(
    answers.map((a) => [`${a.studyPatient.patient.id}:${a.studyPatient.study.id}:${a.codeableConcept.id}`, a]),
  );

  const result = new Map<number, PatientConsents>();
  for (const patient of patients) {
    const consented = new Map<number, CodeableConcept>();
    const studies = (studiesByPatient.get(patient.id) ?? []).map((row): StudyConsents => {
      const { enrolled_patient_id: _patient, ...columns } = row;
      const study = ctx.em.map(Study, columns);
      const scopeConsents = (requested.get(study.id) ?? []).map((codeableConcept): ScopeConsent => {
        const answer = answerOf.get(`${patient.id}:${study.id}:${codeableConcept.id}`);
        if (answer?.consented) consented.set(codeableConcept.id, codeableConcept);
        return {
          id: answer?.id ?? null,
          codeableConcept,
          consented: answer?.consented ?? null,
          consentedTime: answer?.consentedTime ?? null,
        };
      });
      const pendingScopes = scopeConsents.filter((c) => c.consented === null).map((c) => c.codeableConcept);
      return { study, scopeConsents, pendingScopes };
    });
    result.set(patient.id, {
      patient,
      studies,
      studiesPendingConsent: studies.filter((s) => s.pendingScopes.length > 0),
      consolidatedConsentedScopes: [...consented.values()].sort((a, b) => a.id - b.id),
    });
  }
  return result;
}
