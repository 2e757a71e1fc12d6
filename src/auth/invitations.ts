import type Provider from 'oidc-provider';
import type { Config } from '../config.js';
import { type Client, Patient, PatientInvitation, User } from '../db/entities/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { JobQueue } from '../jobs/queue.js';
import { invitationMessage } from '../mail/messages.js';
import { ConflictError, ForbiddenError, InvalidError, UnavailableError } from '../errors.js';
import { canBindToPatientRecord } from '../policy/logins.js';
import { canInvitePatient } from '../policy/rules.js';
import { loadViewer } from '../policy/viewer.js';
import { patientClients } from '../services/clients.js';
import type { ServiceContext } from '../services/context.js';
import { visiblePatient } from '../services/facts.js';
import { inTransaction } from '../services/persist.js';
import { findUserByEmail } from '../services/users.js';
import { revokeGrant } from './adapter.js';
import { PATIENT_APP_CLIENT_ID } from './clients.js';
import { recordInvitation } from './invitation-records.js';
import { INVITATION_REDIRECT_URI } from './invitation-redirect.js';
import { authEndpoints } from './provider.js';

export interface MintedInvitation {
  invitation: PatientInvitation;
  /** shown once: only its hash is stored */
  code: string;
  link: string;
  /** false with INVITATION_DELIVERY=email-only: only the patient's email has the code; the faces never show it */
  showable: boolean;
}

/** What minting an invitation needs; `mailer` to send it (none: no SMTP_URL, sending is refused). */
export interface InvitationDeps {
  provider: Provider;
  config: Config;
  mailer?: Mailer | null;
  /** background jobs (bulk exports); none: operations that queue one answer UNAVAILABLE */
  jobs?: JobQueue | null;
}

/** What the patient app is granted once it redeems the code: the patient's own data, with their context. */
export const PATIENT_APP_OIDC_SCOPE = 'openid offline_access fhirUser';
export const PATIENT_APP_RESOURCE_SCOPE = 'launch/patient patient/*.cruds';

const NOT_A_PATIENT_LOGIN =
  'This patient’s email belongs to an account that is not this patient’s: give the patient an email of their own';

/**
 * Mints a sign-in for the patient's app, delivered out of band as an invitation link: an authorization code of
 * the app's OAuth client for the patient's own login (created on first invitation; never a practitioner's),
 * bound to the static PKCE challenge, single use, valid for INVITATION_TTL_DAYS, recorded (it supersedes the
 * patient's unredeemed invitations for the same app). `clientId`: a Client one of the patient's studies holds,
 * whose invitation URL template makes the link; none: the patient-app client and INVITATION_LINK_PREFIX. The
 * app redeems the code at the token endpoint with its client id, the static verifier and any redirect URI
 * registered for it. `send` (always, with INVITATION_DELIVERY=email-only) mails the link to the patient's email;
 * email-only answers neither code nor link, so that practitioners never hold a patient's sign-in.
 */
export async function createPatientInvitation(
  ctx: ServiceContext,
  patientId: number,
  deps: InvitationDeps,
  clientId?: number,
  { send = false }: { send?: boolean } = {},
): Promise<MintedInvitation> {
  const facts = await visiblePatient(ctx, patientId);
  if (!canInvitePatient(ctx.viewer, facts)) {
    throw new ForbiddenError('Only a member or manager of one of the patient’s organizations may invite them');
  }
  const emailOnly = deps.config.auth.invitationDelivery === 'email-only';
  const mailer = send || emailOnly ? deps.mailer : undefined;
  if (mailer === null) {
    throw new InvalidError('This server sends no email (SMTP_URL is not set): the invitation cannot be sent', 'send');
  }
  const app = clientId === undefined ? null : await studyClientOf(ctx, facts.patient.id, clientId);
  const oauthClientId = app?.oauthClientId ?? PATIENT_APP_CLIENT_ID;
  const user = await ensurePatientUser(ctx, facts.patient);
  const { code, grantId, expiresAt } = await mintCode(deps, user.id, oauthClientId);
  try {
    const invitation = await recordInvitation(ctx, {
      patientId: facts.patient.id,
      clientId: oauthClientId,
      code,
      grantId,
      expiresAt,
    });
    const link = invitationLink(deps.config, code, app?.invitationUrl);
    if (mailer) await mailInvitation(ctx, mailer, deps.config, { invitation, patient: facts.patient, link });
    return { invitation, code, link, showable: !emailOnly };
  } catch (error) {
    await revokeGrant(ctx.em, grantId);
    throw error;
  }
}

/** Mails the link to the patient (awaited: the practitioner learns at once if it could not go) and notes when. */
async function mailInvitation(
  ctx: ServiceContext,
  mailer: Mailer,
  config: Config,
  { invitation, patient, link }: { invitation: PatientInvitation; patient: Patient; link: string },
) {
  const message = invitationMessage({
    to: patient.email,
    name: patient.nameGiven,
    link,
    expiresAt: invitation.expiresAt,
    siteUrl: config.publicUrl,
  });
  try {
    await mailer.send(message);
  } catch {
    await ctx.em.nativeUpdate(PatientInvitation, { id: invitation.id }, { cancelledAt: new Date() });
    throw new UnavailableError(
      'The invitation email could not be sent (the mail server refused it or is down); try again',
    );
  }
  invitation.emailedAt = new Date();
  await ctx.em.nativeUpdate(PatientInvitation, { id: invitation.id }, { emailedAt: invitation.emailedAt });
}

/** The link: the app's template with CODE replaced, else INVITATION_LINK_PREFIX; the code after `host|`. */
function invitationLink({ auth, publicUrl }: Config, code: string, template?: string | null): string {
  const host = auth.invitationLinkExcludeHost ? '' : `${new URL(publicUrl).host}|`;
  return template ? template.replaceAll('CODE', () => `${host}${code}`) : `${auth.invitationLinkPrefix}${host}${code}`;
}

async function studyClientOf(ctx: ServiceContext, patientId: number, clientId: number): Promise<Client> {
  const client = (await patientClients(ctx, patientId)).find((candidate) => candidate.id === clientId);
  if (!client) {
    throw new InvalidError(`Client ${clientId} is not a client of any of this patient’s studies`, 'clientId');
  }
  return client;
}

async function mintCode(
  { provider, config }: { provider: Provider; config: Config },
  userId: number,
  clientId: string,
) {
  const { auth, publicUrl } = config;
  const { resource } = authEndpoints(publicUrl);
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error(`the OAuth client ${clientId} is not registered`);
  const grant = new provider.Grant({ accountId: String(userId), clientId });
  grant.addOIDCScope(PATIENT_APP_OIDC_SCOPE);
  grant.addResourceScope(resource, PATIENT_APP_RESOURCE_SCOPE);
  const grantId = await grant.save();
  const expiresIn = auth.invitationTtlDays * 86400;
  const code = await new provider.AuthorizationCode({
    accountId: String(userId),
    client,
    gty: 'authorization_code',
    grantId,
    scope: `${PATIENT_APP_OIDC_SCOPE} ${PATIENT_APP_RESOURCE_SCOPE}`,
    resource,
    redirectUri: INVITATION_REDIRECT_URI,
    codeChallenge: auth.patientCodeChallenge,
    codeChallengeMethod: 'S256',
    expiresIn,
  }).save();
  return { code, grantId, expiresAt: new Date(Date.now() + expiresIn * 1000) };
}

/**
 * The patient's login: their own, or one created for them (without a password: they sign in through
 * invitations). A login with the patient's email that is not a patient login of no other record is refused.
 */
async function ensurePatientUser(ctx: ServiceContext, patient: Patient): Promise<User> {
  if (patient.user) {
    if (!canBindToPatientRecord(await loadViewer(ctx.em, patient.user.id), patient.id)) {
      throw new ConflictError(NOT_A_PATIENT_LOGIN);
    }
    return ctx.em.findOneOrFail(User, patient.user.id);
  }
  return inTransaction(
    ctx.em,
    async (em) => {
      const existing = await findUserByEmail(em, patient.email);
      if (existing && !canBindToPatientRecord(await loadViewer(em, existing.id), patient.id)) {
        throw new ConflictError(NOT_A_PATIENT_LOGIN);
      }
      const user =
        existing ??
        em.create(User, {
          email: patient.email.toLowerCase(),
          firstName: patient.nameGiven,
          lastName: patient.nameFamily,
          kind: 'patient',
        });
      const managed = await em.findOneOrFail(Patient, patient.id);
      managed.user = user;
      await em.flush();
      return user;
    },
    'Another account already uses this patient’s email',
  );
}
