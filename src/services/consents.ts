import { LoadStrategy } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type CodeableConcept, type Patient, type Study, StudyPatientScopeConsent } from '../db/entities/index.js';
import type { ServiceContext } from './context.js';
import { patientWithStudies } from './studies.js';
import { studyScopeRequests } from './study-setup.js';

/** What a patient has been asked by their studies and what they answered; the answers live in consent-answers.ts. */

export interface ScopeConsent {
  /** the answer's id; null while pending */
  id: number | null;
  codeableConcept: CodeableConcept;
  /** true: shared; false: declined or revoked; null: not answered yet */
  consented: boolean | null;
  consentedTime: Date | null;
}

export interface StudyConsents {
  study: Study;
  scopeConsents: ScopeConsent[];
  /** the requested scopes without an answer yet */
  pendingScopes: CodeableConcept[];
}

export interface PatientConsents {
  patient: Patient;
  /** every study the patient is enrolled in that the viewer may see, by id */
  studies: StudyConsents[];
  /** those of `studies` with at least one pending scope */
  studiesPendingConsent: StudyConsents[];
  /** the codes consented (true) to at least one of `studies`, by id */
  consolidatedConsentedScopes: CodeableConcept[];
}

/**
 * The patient's consents, for the patient themself or a practitioner who can see the patient; a practitioner
 * sees only the studies of their own organizations (and the consolidated codes of those).
 */
export async function getPatientConsents(ctx: ServiceContext, patientId: number): Promise<PatientConsents> {
  const { patient, studies } = await patientWithStudies(ctx, patientId);
  const studyIds = studies.map((s) => s.id);
  if (studies.length === 0) {
    return { patient, studies: [], studiesPendingConsent: [], consolidatedConsentedScopes: [] };
  }
  const requested = await studyScopeRequests(ctx.em, studyIds);
  const answers = await answersOf(ctx.em, patient.id, studyIds);
  const consented = new Map<number, CodeableConcept>();
  const result = studies.map((study): StudyConsents => {
    const scopeConsents = (requested.get(study.id) ?? []).map((codeableConcept): ScopeConsent => {
      const answer = answers.get(`${study.id}:${codeableConcept.id}`);
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
  return {
    patient,
    studies: result,
    studiesPendingConsent: result.filter((s) => s.pendingScopes.length > 0),
    consolidatedConsentedScopes: [...consented.values()].sort((a, b) => a.id - b.id),
  };
}

/** The patient's answers in these studies, keyed `studyId:codeableConceptId`. One query. */
async function answersOf(em: EntityManager, patientId: number, studyIds: number[]) {
  const rows = await em.find(
    StudyPatientScopeConsent,
    { studyPatient: { patient: patientId, study: { $in: studyIds } } },
    // refresh: raw deletes and upserts earlier in the same request bypass the identity map
    { populate: ['studyPatient'], strategy: LoadStrategy.JOINED, refresh: true },
  );
  return new Map(rows.map((row) => [`${row.studyPatient.study.id}:${row.codeableConcept.id}`, row]));
}

/**
 * The codes the patient consented to share with at least one study that still requests them: what the
 * patient (or a practitioner for them) may upload. One query.
 */
export async function consentedCodeIdsForPatient(em: EntityManager, patientId: number): Promise<Set<number>> {
  const rows = await em.getConnection().execute<{ id: number }[]>(
    `select distinct c.codeable_concept_id as id
       from study_patient_scope_consents c
       join study_patients sp on sp.id = c.study_patient_id
       join study_scope_requests sr on sr.study_id = sp.study_id and sr.codeable_concept_id = c.codeable_concept_id
      where sp.patient_id = ? and c.consented`,
    [patientId],
  );
  return new Set(rows.map((row) => Number(row.id)));
}

export { clearConsents, revokeConsents, setConsents } from './consent-answers.js';
