import { z } from 'zod';
import { PatientOrganization, type Study, StudyPatient } from '../db/entities/index.js';
import { InvalidError, NotFoundError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { id, parseInput } from './input.js';
import { inTransaction } from './persist.js';
import { editableStudy } from './study-access.js';

/** Which patients take part in a study. Only patients of the study's organization can be enrolled. */

const enrollInput = z.object({ patientIds: z.array(id).min(1, 'must name at least one patient').max(1000) });

/**
 * Enrolls the patients, all or none: each must belong to the study's organization. Enrolling a patient who
 * already is enrolled is not an error (the call is idempotent), and their consents stay as they were.
 */
export async function enrollPatients(ctx: ServiceContext, studyId: number, patientIds: number[]): Promise<Study> {
  const data = parseInput(enrollInput, { patientIds });
  const study = await editableStudy(ctx, studyId);
  const wanted = [...new Set(data.patientIds)];
  await inTransaction(ctx.em, async (em) => {
    const links = await em.find(PatientOrganization, { organization: study.organization.id, patient: { $in: wanted } });
    const members = new Set(links.map((link) => link.patient.id));
    const index = data.patientIds.findIndex((patientId) => !members.has(patientId));
    if (index >= 0) {
      throw new InvalidError(
        `patientIds.${index}: patient ${data.patientIds[index]} is not a patient of the study’s organization`,
        `patientIds.${index}`,
      );
    }
    await em
      .createQueryBuilder(StudyPatient)
      .insert(wanted.map((patient) => ({ study: study.id, patient })))
      .onConflict(['study', 'patient'])
      .ignore()
      .execute();
  });
  return study;
}

/**
 * Takes the patients out of the study, all or none: each must be enrolled in it (else InvalidError naming the
 * first that is not, as enrollPatients names one outside the organization). Their consents to the study go
 * too; their observations stay.
 */
export async function unenrollPatients(ctx: ServiceContext, studyId: number, patientIds: number[]): Promise<Study> {
  const data = parseInput(enrollInput, { patientIds });
  const study = await editableStudy(ctx, studyId);
  const wanted = [...new Set(data.patientIds)];
  await inTransaction(ctx.em, async (em) => {
    const links = await em.find(StudyPatient, { study: study.id, patient: { $in: wanted } });
    const enrolled = new Set(links.map((link) => link.patient.id));
    const index = data.patientIds.findIndex((patientId) => !enrolled.has(patientId));
    if (index >= 0) {
      throw new InvalidError(
        `patientIds.${index}: patient ${data.patientIds[index]} is not enrolled in the study`,
        `patientIds.${index}`,
      );
    }
    await em.nativeDelete(StudyPatient, { study: study.id, patient: { $in: wanted } });
    for (const link of links) em.getUnitOfWork().unsetIdentity(link);
  });
  return study;
}

/** Takes the patient out of the study; their consents to it go too (the observations stay). */
export async function unenrollPatient(ctx: ServiceContext, studyId: number, patientId: number): Promise<Study> {
  const study = await editableStudy(ctx, studyId);
  const removed = await inTransaction(ctx.em, (em) =>
    em.nativeDelete(StudyPatient, { study: study.id, patient: patientId }),
  );
  if (removed === 0) throw new NotFoundError(`Patient ${patientId} in study`, study.id);
  return study;
}
