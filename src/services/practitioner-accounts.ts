import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { RESET_PATH, VERIFY_PATH } from '../auth/email-pages.js';
import { issueEmailToken } from '../auth/email-tokens.js';
import type { Config } from '../config.js';
import { Practitioner } from '../db/entities/index.js';
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
 * address), so creating one needs SMTP. Disabling, the super-user flag and deleting: practitioner-account-state.ts.
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

export function requireManager(ctx: ServiceContext) {
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

/** The practitioner with their login, read afresh (inside a transaction: as it stands there). */
export async function loadAccount(em: EntityManager, practitionerId: number) {
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
