import { LockMode } from '@mikro-orm/core';
import { Organization, Patient, PatientOrganization } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { canEditOrganizationContent, canEditPatient } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization, visiblePatient } from './facts.js';
import { inTransaction } from './persist.js';

/** Which organizations a patient belongs to. A patient always belongs to at least one. */

async function editableOrganization(ctx: ServiceContext, organizationId: number): Promise<Organization> {
  const organization = await visibleOrganization(ctx, organizationId);
  if (!canEditOrganizationContent(ctx.viewer, organization.id)) {
    throw new ForbiddenError('Only a member or manager of the organization may add or remove its patients');
  }
  return organization;
}

/**
 * Shares an existing patient with another organization: takes member rights in that organization and the
 * right to edit the patient (a viewer of the patient's organizations may not hand the record on).
 */
export async function addPatientToOrganization(
  ctx: ServiceContext,
  patientId: number,
  organizationId: number,
): Promise<Patient> {
  const facts = await visiblePatient(ctx, patientId);
  const organization = await editableOrganization(ctx, organizationId);
  if (!canEditPatient(ctx.viewer, facts)) {
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
  const facts = await visiblePatient(ctx, patientId);
  const organization = await editableOrganization(ctx, organizationId);
  if (!facts.organizationIds.includes(organization.id)) {
    throw new NotFoundError(`Patient ${facts.patient.id} in organization`, organization.id);
  }
  await inTransaction(ctx.em, async (em) => {
    // The lock serializes concurrent removals, which could otherwise together unlink every organization.
    await em.findOneOrFail(Patient, facts.patient.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const links = await em.count(PatientOrganization, { patient: facts.patient.id });
    if (links <= 1) {
      throw new ConflictError('This is the patient’s only organization: delete the patient instead of removing them');
    }
    await em.execute(
      'delete from study_patients where patient_id = ? and study_id in (select id from studies where organization_id = ?)',
      [facts.patient.id, organization.id],
    );
    await em.nativeDelete(PatientOrganization, { patient: facts.patient.id, organization: organization.id });
  });
  return facts.patient;
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
