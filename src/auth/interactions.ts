import express, { type Request, type Response, Router } from 'express';
import type Provider from 'oidc-provider';
import type { Orm } from '../db/orm.js';
import { mayUsePatientClient } from '../policy/logins.js';
import { loadViewer } from '../policy/viewer.js';
import { authenticate } from '../services/users.js';
import { LAUNCH_PATIENT } from '../policy/token-scopes.js';
import { FIRST_PARTY_CLIENT_IDS, servesPatientsOnly } from './clients.js';
import { consentPage, loginPage, messagePage } from './pages.js';
import { registeredResourceScope } from './registration.js';
import { OIDC_MOUNT_PATH } from './provider.js';
import type { LoginThrottle } from './throttle.js';
import { formField } from './form-fields.js';
import { FORGOT_PATH, resendForm } from './email-pages.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const missingScopes = (interaction: Interaction) =>
  interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };

/**
 * The user-facing steps of oidc-provider's authorization flow at /o/interaction/:uid: the login form and,
 * for third-party clients, the consent screen (first-party clients are granted what they ask without one).
 */
export function interactionRouter(
  provider: Provider,
  orm: Orm,
  throttle: LoginThrottle,
  { passwordReset, singleSignOn }: { passwordReset: boolean; singleSignOn?: { displayName: string } } = {
    passwordReset: false,
  },
): Router {
  const forgotHref = passwordReset ? FORGOT_PATH : undefined;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const base = (uid: string) => `${OIDC_MOUNT_PATH}/interaction/${encodeURIComponent(uid)}`;
  /** the single sign-on button, for practitioners only: the patient apps' login page has none */
  const sso = async (interaction: Interaction) =>
    singleSignOn && !(await servesPatientsOnly(orm.em.fork(), String(interaction.params.client_id)))
      ? { action: `${base(interaction.uid)}/saml`, label: `Sign in with ${singleSignOn.displayName}` }
      : undefined;

  const details = async (req: Request, res: Response) => {
    try {
      return await provider.interactionDetails(req, res);
    } catch {
      res
        .status(400)
        .type('html')
        .send(
          messagePage(
            'Sign-in expired',
            'This sign-in page has expired or was already used. Start again from the app.',
          ),
        );
      return undefined;
    }
  };
  /**
   * Grants what the prompt says is missing (all of it for a first-party client; for another, what the user
   * ticked, the rest rejected) except `launch/patient` for a login without a patient record: its context would
   * be nobody's. Rejected scopes are recorded, so the provider does not ask again.
   */
  const finishConsent = async (req: Request, res: Response, interaction: Interaction, chosen?: Set<string>) => {
    const accountId = interaction.session?.accountId;
    const clientId = String(interaction.params.client_id);
    const grant =
      (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const login = accountId ? await loadViewer(orm.em.fork(), Number(accountId)) : null;
    const allowed = (scope: string) =>
      (chosen === undefined || chosen.has(scope) || scope === 'openid') &&
      (scope !== LAUNCH_PATIENT || login?.patientId != null);
    const missing = missingScopes(interaction);
    const split = (scopes: string[]) => [scopes.filter(allowed), scopes.filter((s) => !allowed(s))] as const;
    const [oidcGranted, oidcRejected] = split(missing.missingOIDCScope ?? []);
    if (oidcGranted.length) grant.addOIDCScope(oidcGranted.join(' '));
    if (oidcRejected.length) grant.rejectOIDCScope(oidcRejected.join(' '));
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      const [granted, rejected] = split(scopes);
      if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
      if (rejected.length) grant.rejectResourceScope(indicator, rejected.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };
  const selfRegistered = async (clientId: unknown) =>
    typeof clientId === 'string' && registeredResourceScope(await provider.Client.find(clientId)) !== undefined;
  const clientName = async (clientId: unknown) => {
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
    return client?.clientName ?? String(clientId ?? 'the application');
  };

  router.get('/:uid', async (req, res) => {
    const interaction = await details(req, res);
    if (!interaction) return;
    const name = await clientName(interaction.params.client_id);
    res.set('cache-control', 'no-store');
    if (interaction.prompt.name === 'login') {
      res.type('html').send(
        loginPage({
          action: `${base(interaction.uid)}/login`,
          clientName: name,
          forgotHref,
          sso: await sso(interaction),
        }),
      );
      return;
    }
    if (FIRST_PARTY_CLIENT_IDS.has(String(interaction.params.client_id))) {
      await finishConsent(req, res, interaction);
      return;
    }
    const missing = missingScopes(interaction);
    const scopes = [...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()];
    res.type('html').send(
      consentPage({
        action: `${base(interaction.uid)}/confirm`,
        abort: `${base(interaction.uid)}/abort`,
        clientName: name,
        scopes,
        note: (await selfRegistered(interaction.params.client_id))
          ? `This application registered itself: its name is its own claim, not checked by this server. It may only read, and sends you back to ${String(interaction.params.redirect_uri)}.`
          : undefined,
      }),
    );
  });

  router.post('/:uid/login', form, async (req, res) => {
    const interaction = await details(req, res);
    if (!interaction) return;
    const email = formField(req.body, 'email').trim().toLowerCase();
    const password = formField(req.body, 'password');
    const address = req.ip ?? 'unknown';
    const button = await sso(interaction);
    const again = (status: number, error: string, after?: string) =>
      res
        .status(status)
        .set('cache-control', 'no-store')
        .type('html')
        .send(
          loginPage({
            action: `${base(interaction.uid)}/login`,
            clientName: String(interaction.params.client_id),
            email,
            error,
            forgotHref,
            after,
            sso: button,
          }),
        );

    const keys = { account: email, address };
    const attempt = await throttle.attempt(keys);
    if (attempt.at === null) {
      res.set('retry-after', String(attempt.wait));
      again(429, `Too many failed sign-in attempts. Try again in ${Math.ceil(attempt.wait / 60)} minute(s).`);
      return;
    }
    const user = email && password ? await authenticate(orm.em.fork(), email, password) : null;
    if (!user) {
      // already counted by the attempt
      again(401, 'The email or password is not correct.');
      return;
    }
    await throttle.succeeded(keys, attempt.at, ['account']);
    if (user.disabledAt) {
      again(403, 'This account is disabled. Ask an administrator of this gateway.');
      return;
    }
    // told only to whoever knows the password: the address itself is no secret to them
    if (!user.emailVerifiedAt) {
      again(
        403,
        'Confirm your email address first: open the link we sent to it when you signed up.',
        resendForm(user.email),
      );
      return;
    }
    const em = orm.em.fork();
    if (await servesPatientsOnly(em, String(interaction.params.client_id))) {
      const login = await loadViewer(em, user.id);
      if (!mayUsePatientClient(login)) {
        again(403, 'This app is for patients; practitioners sign in to the portal.');
        return;
      }
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: String(user.id) } },
      { mergeWithLastSubmission: false },
    );
  });

  router.post('/:uid/confirm', form, async (req, res) => {
    const interaction = await details(req, res);
    if (interaction?.prompt.name !== 'consent') {
      if (interaction)
        res.status(400).type('html').send(messagePage('Nothing to confirm', 'There is no consent to give here.'));
      return;
    }
    const ticked = (req.body as Record<string, unknown> | undefined)?.scope;
    const chosen = new Set(
      (Array.isArray(ticked) ? ticked : [ticked]).filter((s): s is string => typeof s === 'string'),
    );
    await finishConsent(req, res, interaction, chosen);
  });

  router.post('/:uid/abort', async (req, res) => {
    const interaction = await details(req, res);
    if (!interaction) return;
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user denied access' },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}
