import { Organization, Patient, PatientOrganization, Study, StudyPatient } from '../db/entities/index.js';
import { NotFoundError } from '../errors.js';
import type { PatientFacts, StudyFacts } from '../policy/rules.js';
import { canViewOrganization, canViewPatient, canViewStudy } from '../policy/rules.js';
import type { ServiceContext } from './context.js';

/**
 * Loaders that fetch a row together with the facts the policy needs about it. A row the viewer may not
 * see is reported as not found, so callers cannot probe which ids exist.
 */

export async function patientFacts(
  ctx: ServiceContext,
  patientId: number,
): Promise<PatientFacts & { patient: Patient }> {
  const patient = await ctx.em.findOne(Patient, patientId);
  if (!patient) throw new NotFoundError('Patient', patientId);
  const links = await ctx.em.find(PatientOrganization, { patient: patientId });
  return { patient, id: patient.id, organizationIds: links.map((l) => l.organization.id) };
}

export async function visiblePatient(ctx: ServiceContext, patientId: number) {
  const facts = await patientFacts(ctx, patientId).catch((error) => {
    throw error instanceof NotFoundError ? new NotFoundError('Patient', patientId) : error;
  });
  if (!canViewPatient(ctx.viewer, facts)) throw new NotFoundError('Patient', patientId);
  return facts;
}

export async function visibleOrganization(ctx: ServiceContext, organizationId: number): Promise<Organization> {
  const organization = await ctx.em.findOne(Organization, organizationId);
  if (!organization || !canViewOrganization(ctx.viewer, organization.id)) {
    throw new NotFoundError('Organization', organizationId);
  }
  return organization;
}

export async function studyFacts(ctx: ServiceContext, study: Study): Promise<StudyFacts> {
  const viewerIsEnrolled =
    ctx.viewer.patientId !== null &&
    (await ctx.em.count(StudyPatient, { study: study.id, patient: ctx.viewer.patientId })) > 0;
  return { organizationId: study.organization.id, viewerIsEnrolled };
}

export async function visibleStudy(ctx: ServiceContext, studyId: number): Promise<Study> {
  const study = await ctx.em.findOne(Study, studyId);
  if (!study || !canViewStudy(ctx.viewer, await studyFacts(ctx, study))) throw new NotFoundError('Study', studyId);
  return study;
}
