import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { revokeAccountArtifacts } from '../auth/account-revocation.js';
import { RESET_PATH, VERIFY_PATH } from '../auth/email-pages.js';
import { issueEmailToken } from '../auth/email-tokens.js';
import type { Config } from '../config.js';
import { Practitioner, User } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnavailableError } from '../errors.js';
import type { Mailer, MailMessage } from '../mail/mailer.js';
import { emailChangedMessage, emailReplacedMessage, practitionerWelcomeMessage } from '../mail/messages.js';
import { canManagePractitionerAccounts } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { email, parseInput, personName } from './input.js';
import type { Page, PageArgs } from './paging.js';
import { inTransaction } from './persist.js';
import { countPractitioners, listPractitioners, type PractitionerFilter } from './practitioner-lists.js';
import { createUserAccount, DUPLICATE_USER, findUserByEmail, isPatientEmail } from './users.js';

/**
 * Practitioner accounts as super users manage them. The super user never sets or sees a password: a new account
 * gets a mailed single-use link to choose one (the password reset's token and page, which also confirm the
 * address), so creating one needs SMTP. Disabling stops sign-in and, through the viewer's own statement, every
 * access token at once; deleting is for accounts that left nothing the records must keep (else: disable).
 */

export interface MailDeps {
  config: Config;
  mailer?: Mailer | null;
}

const createInput = z.object({ email, firstName: personName, lastName: personName });
const updateInput = z
  .object({ email: email.optional(), firstName: personName.optional(), lastName: personName.optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one of email, firstName, lastName' });

const NO_MAIL = 'This server sends no email (SMTP_URL is not set)';

function requireManager(ctx: ServiceContext) {
  if (!canManagePractitionerAccounts(ctx.viewer)) {
    throw new ForbiddenError('Only a super user may manage practitioner accounts');
  }
}

function requireMailer(deps: MailDeps, what: string): Mailer {
  if (!deps.mailer) throw new InvalidError(`${NO_MAIL}: ${what}`, 'email');
  return deps.mailer;
}

/** Sends, awaited: the super user learns at once that the mail could not go (and the change is rolled back). */
async function send(mailer: Mailer, message: MailMessage) {
  try {
    await mailer.send(message);
  } catch {
    throw new UnavailableError('The email could not be sent (the mail server refused it or is down); try again');
  }
}

async function loadAccount(em: EntityManager, practitionerId: number) {
  const practitioner = await em.findOne(Practitioner, practitionerId, { populate: ['user'], refresh: true });
  if (!practitioner) throw new NotFoundError('Practitioner', practitionerId);
  return practitioner;
}

/** Every practitioner account, disabled ones too (a super user sees them all), filtered and paged by id. */
export function listPractitionerAccounts(
  ctx: ServiceContext,
  args: PractitionerFilter & PageArgs,
): Promise<Page<Practitioner>> {
  requireManager(ctx);
  return listPractitioners(ctx, args);
}

export function countPractitionerAccounts(ctx: ServiceContext, filter: PractitionerFilter): Promise<number> {
  requireManager(ctx);
  return countPractitioners(ctx, filter);
}

export async function getPractitionerAccount(ctx: ServiceContext, practitionerId: number): Promise<Practitioner> {
  requireManager(ctx);
  return loadAccount(ctx.em, practitionerId);
}

/** A new practitioner login without a password; the welcome mail's link chooses it. */
export async function invitePractitioner(
  ctx: ServiceContext,
  deps: MailDeps,
  input: z.input<typeof createInput>,
): Promise<Practitioner> {
  requireManager(ctx);
  const data = parseInput(createInput, input);
  const mailer = requireMailer(deps, 'a new practitioner gets their password link by email');
  const ttlHours = deps.config.mail.verificationTtlHours;
  return inTransaction(ctx.em, async (em) => {
    const { practitioner } = await createUserAccount(em, { ...data, kind: 'practitioner' }, { emailVerified: false });
    const token = await issueEmailToken(em, practitioner!.user.id, 'reset-password', ttlHours * 3600);
    const link = `${deps.config.publicUrl}${RESET_PATH}?token=${token}`;
    const siteUrl = deps.config.publicUrl;
    await send(mailer, practitionerWelcomeMessage({ to: data.email, name: data.firstName, link, ttlHours, siteUrl }));
    return practitioner!;
  });
}

/** Name and email; a new email is unverified until its mailed link is opened (no password sign-in until then). */
export async function updatePractitionerAccount(
  ctx: ServiceContext,
  deps: MailDeps,
  practitionerId: number,
  input: z.input<typeof updateInput>,
): Promise<Practitioner> {
  requireManager(ctx);
  const data = parseInput(updateInput, input);
  return inTransaction(
    ctx.em,
    async (em) => {
      const practitioner = await loadAccount(em, practitionerId);
      const user = practitioner.user;
      const newEmail = data.email !== undefined && data.email !== user.email.toLowerCase() ? data.email : null;
      if (newEmail !== null) {
        const mailer = requireMailer(deps, 'a changed email is confirmed by a mailed link');
        if ((await findUserByEmail(em, newEmail)) || (await isPatientEmail(em, newEmail))) {
          throw new ConflictError(DUPLICATE_USER);
        }
        const oldEmail = user.email;
        user.email = newEmail;
        user.emailVerifiedAt = null;
        await em.flush();
        const ttlHours = deps.config.mail.verificationTtlHours;
        const token = await issueEmailToken(em, user.id, 'verify-email', ttlHours * 3600);
        const link = `${deps.config.publicUrl}${VERIFY_PATH}?token=${token}`;
        const name = data.firstName ?? user.firstName;
        const siteUrl = deps.config.publicUrl;
        await send(mailer, emailChangedMessage({ to: newEmail, name, link, ttlHours, siteUrl }));
        await send(mailer, emailReplacedMessage({ to: oldEmail, name, siteUrl }));
      }
      if (data.firstName !== undefined) user.firstName = data.firstName;
      if (data.lastName !== undefined) user.lastName = data.lastName;
      await em.flush();
      return practitioner;
    },
    DUPLICATE_USER,
  );
}

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

/** Disabled: no sign-in, and its sessions, grants and refresh tokens are gone; enabled: it may sign in again. */
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
