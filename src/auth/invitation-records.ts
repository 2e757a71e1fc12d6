import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invitationStatus, Patient, PatientInvitation, User } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { canInvitePatient } from '../policy/rules.js';
import type { ServiceContext } from '../services/context.js';
import { visiblePatient } from '../services/facts.js';
import { inTransaction } from '../services/persist.js';
import { revokeGrant, storageHash } from './adapter.js';

/** The invitations of a patient as records: listed, cancelled, superseded, redeemed. */

const LIST_LIMIT = 100;

async function managedPatient(ctx: ServiceContext, patientId: number) {
  const facts = await visiblePatient(ctx, patientId);
  if (!canInvitePatient(ctx.viewer, facts)) {
    throw new ForbiddenError(
      'Only a member or manager of one of the patient’s organizations may manage their invitations',
    );
  }
  return facts.patient;
}

const pending = (now: Date) => ({
  redeemedAt: null,
  cancelledAt: null,
  supersededAt: null,
  expiresAt: { $gt: now },
});

/**
 * Stores a newly minted invitation; the patient's unredeemed ones for the same client are superseded and their
 * codes revoked (an invitation to another app stays: a patient may use several). The
 * patient's row is locked meanwhile, so that two invitations minted at once cannot both stay redeemable.
 */
export async function recordInvitation(
  ctx: ServiceContext,
  minted: { patientId: number; clientId: string; code: string; grantId: string; expiresAt: Date },
): Promise<PatientInvitation> {
  return inTransaction(ctx.em, async (em) => {
    const patient = await em.findOneOrFail(Patient, minted.patientId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const now = new Date();
    const superseded = await em.find(PatientInvitation, {
      patient: patient.id,
      clientId: minted.clientId,
      ...pending(now),
    });
    for (const old of superseded) {
      old.supersededAt = now;
      await revokeGrant(em, old.grantId);
    }
    const invitation = em.create(PatientInvitation, {
      patient,
      createdBy: ctx.viewer.userId === null ? null : em.getReference(User, ctx.viewer.userId),
      clientId: minted.clientId,
      codeHash: storageHash(minted.code),
      grantId: minted.grantId,
      expiresAt: minted.expiresAt,
    });
    await em.flush();
    return invitation;
  });
}

/** The patient's invitations, newest first (at most 100), for members and managers of their organizations. */
export async function listPatientInvitations(ctx: ServiceContext, patientId: number): Promise<PatientInvitation[]> {
  const patient = await managedPatient(ctx, patientId);
  return ctx.em.find(PatientInvitation, { patient: patient.id }, { orderBy: { id: 'desc' }, limit: LIST_LIMIT });
}

/** Cancels an unredeemed invitation: its code is revoked at once. */
export async function cancelPatientInvitation(ctx: ServiceContext, invitationId: number): Promise<PatientInvitation> {
  const found = await ctx.em.findOne(PatientInvitation, invitationId);
  if (!found) throw new NotFoundError('Invitation', invitationId);
  await managedPatient(ctx, found.patient.id).catch((error) => {
    throw error instanceof NotFoundError ? new NotFoundError('Invitation', invitationId) : error;
  });
  return inTransaction(ctx.em, async (em) => {
    const invitation = await em.findOneOrFail(PatientInvitation, invitationId, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
    const status = invitationStatus(invitation);
    if (status !== 'pending')
      throw new ConflictError(`The invitation is ${status}: only a pending one can be cancelled`);
    invitation.cancelledAt = new Date();
    invitation.cancelledBy = ctx.viewer.userId === null ? null : em.getReference(User, ctx.viewer.userId);
    await revokeGrant(em, invitation.grantId);
    await em.flush();
    return invitation;
  });
}

/** Marks the invitation of a code the token endpoint just redeemed (nothing for codes of ordinary sign-ins). */
export async function recordRedemption(em: EntityManager, code: string, clientId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      'update patient_invitations set redeemed_at = now(), redeemed_by_client = ? where code_hash = ? and redeemed_at is null',
      [clientId, storageHash(code)],
      'run',
    );
}
