import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organization, Patient, PatientOrganization } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { canAddPatientToOrganization, canEditOrganizationContent, canViewPatient } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { patientFacts, visibleOrganization, visiblePatient } from './facts.js';
import { inTransaction } from './persist.js';

/** Which organizations a patient belongs to. A patient always belongs to at least one. */

export async function editableOrganization(ctx: ServiceContext, organizationId: number): Promise<Organization> {
  const organization = await visibleOrganization(ctx, organizationId);
  if (!canEditOrganizationContent(ctx.viewer, organization.id)) {
    throw new ForbiddenError('Only a member or manager of the organization may add or remove its patients');
  }
  return organization;
}

/**
 * Shares an existing patient with another organization: takes member rights in that organization and the right
 * to edit the patient (a viewer of the patient's organizations may not hand the record on), or, for a patient the
 * viewer cannot see (JupyterHealth's global add), the patient's exact `email` besides the id (policy
 * canAddPatientToOrganization). A patient the viewer may not see, named without their email or with another, is
 * not found.
 */
export async function addPatientToOrganization(
  ctx: ServiceContext,
  patientId: number,
  organizationId: number,
  opts: { email?: string | null } = {},
): Promise<Patient> {
  const facts = await patientFacts(ctx, patientId).catch((error) => {
    throw error instanceof NotFoundError ? new NotFoundError('Patient', patientId) : error;
  });
  const namedByEmail =
    typeof opts.email === 'string' && facts.patient.email.toLowerCase() === opts.email.trim().toLowerCase();
  if (!canViewPatient(ctx.viewer, facts) && !namedByEmail) throw new NotFoundError('Patient', patientId);
  const organization = await editableOrganization(ctx, organizationId);
  if (!canAddPatientToOrganization(ctx.viewer, facts, organization.id, namedByEmail)) {
    throw new ForbiddenError('Only a member of one of the patient’s organizations may add them to another');
  }
  const conflict = `Patient ${facts.patient.id} already belongs to this organization`;
  if (facts.organizationIds.includes(organization.id)) throw new ConflictError(conflict);
  await inTransaction(
    ctx.em,
    async (em) => {
      em.create(PatientOrganization, { patient: facts.patient, organization });
      await em.flush();
    },
    conflict,
  );
  return facts.patient;
}

/**
 * Unlinks the patient from the organization and unenrolls them from its studies (their consents there go
 * too). The last organization cannot be removed: delete the patient instead.
 */
export async function removePatientFromOrganization(
  ctx: ServiceContext,
  patientId: number,
  organizationId: number,
): Promise<Patient> {
  const { patient, organization } = await linkedPatient(ctx, patientId, organizationId);
  await inTransaction(ctx.em, async (em) => {
    const links = await lockedOrganizationIds(em, patient.id);
    if (links.length <= 1) {
      throw new ConflictError('This is the patient’s only organization: delete the patient instead of removing them');
    }
    await unlink(em, patient.id, organization.id);
  });
  return patient;
}

/** The visible patient, and an organization of theirs where the viewer may remove patients (else NotFound or FORBIDDEN). */
export async function linkedPatient(ctx: ServiceContext, patientId: number, organizationId: number) {
  const facts = await visiblePatient(ctx, patientId);
  const organization = await editableOrganization(ctx, organizationId);
  if (!facts.organizationIds.includes(organization.id)) {
    throw new NotFoundError(`Patient ${facts.patient.id} in organization`, organization.id);
  }
  return { ...facts, organization };
}

/**
 * The patient's organization ids, read with the patient's row locked: the lock serializes concurrent removals,
 * which could otherwise together unlink every organization. Inside a transaction.
 */
export async function lockedOrganizationIds(em: EntityManager, patientId: number): Promise<number[]> {
  await em.findOneOrFail(Patient, patientId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const links = await em.find(PatientOrganization, { patient: patientId });
  return links.map((link) => link.organization.id);
}

/** Removes the link and the patient's enrollments in the organization's studies (with their consents). */
export async function unlink(em: EntityManager, patientId: number, organizationId: number): Promise<void> {
  await em.execute(
    'delete from study_patients where patient_id = ? and study_id in (select id from studies where organization_id = ?)',
    [patientId, organizationId],
  );
  await em.nativeDelete(PatientOrganization, { patient: patientId, organization: organizationId });
}

/** Batch read for loaders: organization ids of each patient (callers decide which of them to show). */
export async function organizationIdsByPatientIds(
  ctx: ServiceContext,
  patientIds: readonly number[],
): Promise<Map<number, number[]>> {
  const rows = await ctx.em.find(
    PatientOrganization,
    { patient: { $in: [...patientIds] } },
    { orderBy: { organization: { id: 'asc' } } },
  );
  const result = new Map<number, number[]>();
  for (const row of rows) result.set(row.patient.id, [...(result.get(row.patient.id) ?? []), row.organization.id]);
  return result;
}
