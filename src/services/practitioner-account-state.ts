import type { EntityManager } from '@mikro-orm/postgresql';
import { revokeAccountArtifacts } from '../auth/account-revocation.js';
import { type Practitioner, User } from '../db/entities/index.js';
import { ConflictError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { inTransaction } from './persist.js';
import { loadAccount, requireManager } from './practitioner-accounts.js';

/**
 * What super users change of a practitioner account's standing: disabled or not (sign-in and, through the
 * viewer's own statement, every access token at once), super user or not, and deletion, which is for accounts
 * that left nothing the records must keep (else: disable).
 */

/**
 * Locks the enabled super users' rows and checks the change leaves one: the viewer cannot act on themself, so a
 * super user remains unless two disable each other at once, which the lock serialises.
 */
async function keepsASuperuser(em: EntityManager, viewerId: number, target: User) {
  if (target.id === viewerId) throw new ConflictError('You cannot do this to your own account');
  const rows = await em
    .getConnection()
    .execute<{ id: number }[]>(
      'select id from users where is_superuser and disabled_at is null order by id for update',
      [],
      'all',
      em.getTransactionContext(),
    );
  const left = rows.filter((row) => row.id !== target.id);
  if (left.length === 0) throw new ConflictError('The gateway must keep at least one enabled super user');
}

/**
 * Disabled: no sign-in; its sessions, grants and refresh tokens are gone, and its access tokens issued so far are
 * refused for good. Enabled: it may sign in again (for new tokens).
 */
export async function setPractitionerDisabled(
  ctx: ServiceContext,
  practitionerId: number,
  disabled: boolean,
): Promise<Practitioner> {
  requireManager(ctx);
  return inTransaction(ctx.em, async (em) => {
    const practitioner = await loadAccount(em, practitionerId);
    const user = practitioner.user;
    if (disabled) {
      await keepsASuperuser(em, ctx.viewer.userId!, user);
      user.disabledAt ??= new Date();
      await em.flush();
      await revokeAccountArtifacts(em, user.id);
    } else {
      user.disabledAt = null;
      await em.flush();
    }
    return practitioner;
  });
}

/** Makes the practitioner a super user, or no longer one (never the viewer themself, never the last one). */
export async function setPractitionerSuperuser(
  ctx: ServiceContext,
  practitionerId: number,
  isSuperuser: boolean,
): Promise<Practitioner> {
  requireManager(ctx);
  return inTransaction(ctx.em, async (em) => {
    const practitioner = await loadAccount(em, practitionerId);
    if (!isSuperuser) await keepsASuperuser(em, ctx.viewer.userId!, practitioner.user);
    practitioner.user.isSuperuser = isSuperuser;
    await em.flush();
    return practitioner;
  });
}

/** What deleting the account would lose, in words (empty: nothing the records must keep). */
async function whatMustStay(em: EntityManager, userId: number, practitionerId: number): Promise<string[]> {
  const [row] = await em.getConnection().execute<{ audited: boolean; invited: boolean; last_manager: boolean }[]>(
    `select exists (select 1 from audit_events where user_id = ?) as audited,
            exists (select 1 from patient_invitations where created_by_id = ? or cancelled_by_id = ?) as invited,
            exists (select 1 from practitioner_organizations po
                     where po.practitioner_id = ? and po.role = 'manager'
                       and not exists (select 1 from practitioner_organizations other
                                        where other.organization_id = po.organization_id and other.role = 'manager'
                                          and other.practitioner_id <> po.practitioner_id)) as last_manager`,
    [userId, userId, userId, practitionerId],
    'all',
    em.getTransactionContext(),
  );
  return [
    row?.audited ? 'the audit trail records what they did' : null,
    row?.invited ? 'they minted or cancelled patient invitations' : null,
    row?.last_manager ? 'they are the last manager of an organization' : null,
  ].filter((reason): reason is string => reason !== null);
}

/**
 * Deletes the account with its memberships and email tokens, and everything the provider holds for it. Refused
 * (CONFLICT) when the records need it: the audit trail names it as a doer, invitations name it as their maker,
 * or an organization would lose its last manager; such an account is disabled instead.
 */
export async function deletePractitionerAccount(ctx: ServiceContext, practitionerId: number): Promise<number> {
  requireManager(ctx);
  return inTransaction(ctx.em, async (em) => {
    const practitioner = await loadAccount(em, practitionerId);
    const user = practitioner.user;
    await keepsASuperuser(em, ctx.viewer.userId!, user);
    const reasons = await whatMustStay(em, user.id, practitioner.id);
    if (reasons.length > 0) {
      throw new ConflictError(`This account cannot be deleted (${reasons.join('; ')}): disable it instead`);
    }
    await revokeAccountArtifacts(em, user.id);
    await em.nativeDelete(User, { id: user.id });
    return practitioner.id;
  });
}
