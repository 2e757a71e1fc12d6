import type Provider from 'oidc-provider';
import type { Config } from '../config.js';
import { Patient, User } from '../db/entities/index.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import { canInvitePatient } from '../policy/rules.js';
import type { ServiceContext } from '../services/context.js';
import { visiblePatient } from '../services/facts.js';
import { inTransaction } from '../services/persist.js';
import { PATIENT_APP_CLIENT_ID } from './clients.js';
import { authEndpoints } from './provider.js';

export interface PatientInvitation {
  link: string;
  code: string;
  expiresAt: Date;
}

/** What the patient app is allowed once it redeems the code. */
export const PATIENT_APP_SCOPE = 'openid offline_access patient/*.cruds';

/**
 * Mints a sign-in for the patient's app, delivered out of band as an invitation link: an authorization
 * code of the patient-app client for the patient's user (created on first invitation), bound to the static
 * PKCE challenge, single use, valid for INVITATION_TTL_DAYS. The app redeems it at the token endpoint with
 * the static verifier and the redirect URI `<PUBLIC_URL>/auth/callback`.
 */
export async function createPatientInvitation(
  ctx: ServiceContext,
  patientId: number,
  deps: { provider: Provider; config: Config },
): Promise<PatientInvitation> {
  const facts = await visiblePatient(ctx, patientId);
  if (!canInvitePatient(ctx.viewer, facts)) {
    throw new ForbiddenError('Only a member or manager of one of the patient’s organizations may invite them');
  }
  const user = await ensurePatientUser(ctx, facts.patient);
  const { auth, publicUrl } = deps.config;
  const { resource } = authEndpoints(publicUrl);
  const client = await deps.provider.Client.find(PATIENT_APP_CLIENT_ID);
  if (!client) throw new Error('the patient-app client is not configured');

  const grant = new deps.provider.Grant({ accountId: String(user.id), clientId: PATIENT_APP_CLIENT_ID });
  grant.addOIDCScope('openid offline_access');
  grant.addResourceScope(resource, 'patient/*.cruds');
  const grantId = await grant.save();

  const expiresIn = auth.invitationTtlDays * 86400;
  const code = await new deps.provider.AuthorizationCode({
    accountId: String(user.id),
    client,
    gty: 'authorization_code',
    grantId,
    scope: PATIENT_APP_SCOPE,
    resource,
    redirectUri: `${publicUrl}/auth/callback`,
    codeChallenge: auth.patientCodeChallenge,
    codeChallengeMethod: 'S256',
    expiresIn,
  }).save();

  const host = auth.invitationLinkExcludeHost ? '' : `${new URL(publicUrl).host}|`;
  return {
    link: `${auth.invitationLinkPrefix}${host}${code}`,
    code,
    expiresAt: new Date(Date.now() + expiresIn * 1000),
  };
}

/** The patient's login; created (without a password: they sign in through invitations) when missing. */
async function ensurePatientUser(ctx: ServiceContext, patient: Patient): Promise<User> {
  if (patient.user) return ctx.em.findOneOrFail(User, patient.user.id);
  return inTransaction(
    ctx.em,
    async (em) => {
      const existing = await em.findOne(User, { email: patient.email.toLowerCase() });
      if (existing && (await em.count(Patient, { user: existing.id })) > 0) {
        throw new ConflictError('Another patient record already uses this email for signing in');
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
