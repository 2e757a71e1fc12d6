import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { StudyPatient, StudyPatientScopeConsent, StudyScopeRequest } from '../db/entities/index.js';
import { ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import { canAnswerConsents } from '../policy/index.js';
import { getPatientConsents, type PatientConsents } from './consents.js';
import type { ServiceContext } from './context.js';
import { visiblePatient } from './facts.js';
import { id, parseInput } from './input.js';
import { inTransaction } from './persist.js';

/** The patient answering their studies' scope requests: consent, decline, revoke, consent again. */

const setInput = z
  .array(
    z.object({
      studyId: id,
      scopeConsents: z.array(z.object({ codeableConceptId: id, consented: z.boolean() })).max(1000),
    }),
  )
  .min(1, 'must answer for at least one study')
  .max(1000);
const revokeInput = z
  .array(z.object({ studyId: id, codeableConceptIds: z.array(id).max(1000) }))
  .min(1, 'must name at least one study')
  .max(1000);

export type SetConsentsInput = z.input<typeof setInput>;
export type RevokeConsentsInput = z.input<typeof revokeInput>;

interface Answer {
  studyId: number;
  codeableConceptId: number;
  consented: boolean;
  /** where in the input, for error messages */
  path: string;
}

/** Records the patient's answers (consented_time = now), all or none. Only the patient themself may. */
export async function setConsents(
  ctx: ServiceContext,
  patientId: number,
  input: SetConsentsInput,
): Promise<PatientConsents> {
  const studies = parseInput(setInput, input);
  const answers = studies.flatMap((study, i) =>
    study.scopeConsents.map((scope, j) => ({
      studyId: study.studyId,
      ...scope,
      path: `${i}.scopeConsents.${j}.codeableConceptId`,
    })),
  );
  return answer(ctx, patientId, studies, answers);
}

/** Withdraws consent (consented = false) for the named scopes; data already shared is hidden at once. */
export async function revokeConsents(
  ctx: ServiceContext,
  patientId: number,
  input: RevokeConsentsInput,
): Promise<PatientConsents> {
  const studies = parseInput(revokeInput, input);
  const answers = studies.flatMap((study, i) =>
    study.codeableConceptIds.map((codeableConceptId, j) => ({
      studyId: study.studyId,
      codeableConceptId,
      consented: false,
      path: `${i}.codeableConceptIds.${j}`,
    })),
  );
  return answer(ctx, patientId, studies, answers);
}

/**
 * Removes the patient's answers for the named scopes, which are then pending again (JupyterHealth's DELETE of
 * consents), unlike revokeConsents, which answers "no". Data shared under a removed "yes" is hidden at once. Only
 * the patient themself may; scopes not answered yet stay as they are.
 */
export async function clearConsents(
  ctx: ServiceContext,
  patientId: number,
  input: RevokeConsentsInput,
): Promise<PatientConsents> {
  const studies = parseInput(revokeInput, input);
  const answers = studies.flatMap((study, i) =>
    study.codeableConceptIds.map((codeableConceptId, j) => ({
      studyId: study.studyId,
      codeableConceptId,
      consented: false,
      path: `${i}.codeableConceptIds.${j}`,
    })),
  );
  const patient = await answeringPatient(ctx, patientId, answers);
  await inTransaction(ctx.em, async (em) => {
    const enrollments = await enrollmentsOf(em, patient.id, [...new Set(studies.map((s) => s.studyId))]);
    await assertRequested(em, answers);
    if (answers.length === 0) return;
    await em.nativeDelete(StudyPatientScopeConsent, {
      $or: answers.map((a) => ({
        studyPatient: enrollments.get(a.studyId) as number,
        codeableConcept: a.codeableConceptId,
      })),
    });
  });
  return getPatientConsents(ctx, patient.id);
}

/** The patient whose answers these are, when the viewer is that patient (policy canAnswerConsents). */
async function answeringPatient(ctx: ServiceContext, patientId: number, answers: Answer[]) {
  const { patient } = await visiblePatient(ctx, patientId);
  if (!canAnswerConsents(ctx.viewer, patient.id)) {
    throw new ForbiddenError('Only the patient may answer their studies’ consent requests');
  }
  assertNoRepeats(answers);
  return patient;
}

async function answer(
  ctx: ServiceContext,
  patientId: number,
  studies: { studyId: number }[],
  answers: Answer[],
): Promise<PatientConsents> {
  const patient = await answeringPatient(ctx, patientId, answers);
  await inTransaction(ctx.em, async (em) => {
    const enrollments = await enrollmentsOf(em, patient.id, [...new Set(studies.map((s) => s.studyId))]);
    await assertRequested(em, answers);
    if (answers.length === 0) return;
    const consentedTime = new Date();
    await em.upsertMany(
      StudyPatientScopeConsent,
      answers.map((a) => ({
        studyPatient: enrollments.get(a.studyId) as number,
        codeableConcept: a.codeableConceptId,
        consented: a.consented,
        consentedTime,
      })),
      {
        onConflictFields: ['studyPatient', 'codeableConcept'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['consented', 'consentedTime'],
      },
    );
  });
  return getPatientConsents(ctx, patient.id);
}

function assertNoRepeats(answers: Answer[]): void {
  const seen = new Set<string>();
  for (const a of answers) {
    const key = `${a.studyId}:${a.codeableConceptId}`;
    if (seen.has(key)) {
      throw new InvalidError(
        `${a.path}: codeable concept ${a.codeableConceptId} of study ${a.studyId} is answered twice`,
        a.path,
      );
    }
    seen.add(key);
  }
}

/** The patient's enrollment id per study; a study they are not enrolled in is one they cannot see. */
async function enrollmentsOf(em: EntityManager, patientId: number, studyIds: number[]): Promise<Map<number, number>> {
  const rows = await em.find(StudyPatient, { patient: patientId, study: { $in: studyIds } });
  const enrollments = new Map(rows.map((row) => [row.study.id, row.id]));
  const missing = studyIds.find((studyId) => !enrollments.has(studyId));
  if (missing !== undefined) throw new NotFoundError('Study', missing);
  return enrollments;
}

async function assertRequested(em: EntityManager, answers: Answer[]): Promise<void> {
  if (answers.length === 0) return;
  const studyIds = [...new Set(answers.map((a) => a.studyId))];
  const rows = await em.find(StudyScopeRequest, { study: { $in: studyIds } });
  const requested = new Set(rows.map((row) => `${row.study.id}:${row.codeableConcept.id}`));
  const stray = answers.find((a) => !requested.has(`${a.studyId}:${a.codeableConceptId}`));
  if (stray) {
    throw new InvalidError(
      `${stray.path}: study ${stray.studyId} does not request codeable concept ${stray.codeableConceptId}`,
      stray.path,
    );
  }
}
