import express, { type Response, Router } from 'express';
import type Provider from 'oidc-provider';
import type { SamlConfig } from '../../config.js';
import type { Orm } from '../../db/orm.js';
import type { Logger } from '../../observability/logger.js';
import { servesPatientsOnly } from '../clients.js';
import { messagePage } from '../pages.js';
import { assertedIdentity, ssoAccount } from './accounts.js';
import { checkEnvelope, checkSignedAssertion, SamlRefusal } from './assertion-checks.js';
import type { IdpMetadata } from './idp-metadata.js';
import type { SamlMessageStore } from './message-store.js';
import { samlFor, type ServiceProvider } from './service-provider.js';

export interface SingleSignOn {
  saml: SamlConfig;
  idp: IdpMetadata;
  sp: ServiceProvider;
  store: SamlMessageStore;
}

const PATIENT_APP_REFUSAL = 'This app is for patients; practitioners sign in to the portal.';

const refuse = (res: Response, status: number, message: string) =>
  res.status(status).set('cache-control', 'no-store').type('html').send(messagePage('Single sign-on refused', message));

/**
 * SAML 2.0 Web Browser SSO for the login page (HTTP-Redirect AuthnRequest, HTTP-POST response): the sign-in
 * (oidc-provider interaction) the button started is completed by the response that answers its request, so the
 * OAuth flow goes on as after a password login. Mounted at /o.
 */
export function singleSignOnRouter(provider: Provider, orm: Orm, sso: SingleSignOn, log: Logger): Router {
  const { saml, idp, sp, store } = sso;
  const emailInNameId = saml.emailAttribute === undefined;
  const router = Router();

  const metadata = samlFor(sp, idp, store.issuing(''), { emailInNameId }).generateServiceProviderMetadata(null);
  router.get('/saml/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(metadata);
  });

  // the login page's button: the interaction cookie proves this browser started this sign-in
  router.post('/interaction/:uid/saml', async (req, res) => {
    let interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      refuse(res, 400, 'This sign-in page has expired or was already used. Start again from the app.');
      return;
    }
    if (interaction.prompt.name !== 'login') {
      refuse(res, 400, 'This sign-in is past its login step.');
      return;
    }
    if (await servesPatientsOnly(orm.em.fork(), String(interaction.params.client_id))) {
      refuse(res, 403, PATIENT_APP_REFUSAL);
      return;
    }
    const url = await samlFor(sp, idp, store.issuing(interaction.uid), { emailInNameId }).getAuthorizeUrlAsync(
      '',
      undefined,
      {},
    );
    res.set('cache-control', 'no-store').redirect(303, url);
  });

  router.post('/saml/acs', express.urlencoded({ extended: false, limit: '256kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.SAMLResponse !== 'string' || !body.SAMLResponse) {
      refuse(res, 400, 'No SAML response was posted.');
      return;
    }
    const cache = store.answering();
    try {
      checkEnvelope(Buffer.from(body.SAMLResponse, 'base64').toString('utf8'), sp);
      const { profile } = await samlFor(sp, idp, cache, { emailInNameId })
        .validatePostResponseAsync({ SAMLResponse: body.SAMLResponse })
        .catch((error: unknown) => {
          log.warn({ err: error }, 'SAML response refused');
          throw new SamlRefusal('The identity provider’s answer could not be verified. Start again from the app.');
        });
      const answered = cache.answered();
      if (!profile || !answered) throw new SamlRefusal('This answer is for no sign-in of this gateway.');
      const { assertionId, validUntil } = checkSignedAssertion(profile, { sp, idp, requestId: answered.requestId });
      if (!(await store.firstUse(assertionId, validUntil))) throw new SamlRefusal('This answer was already used.');
      const interaction = await provider.Interaction.find(answered.interactionUid);
      if (interaction?.prompt.name !== 'login') {
        throw new SamlRefusal('This sign-in has expired. Start again from the app.');
      }
      const em = orm.em.fork();
      if (await servesPatientsOnly(em, String(interaction.params.client_id)))
        throw new SamlRefusal(PATIENT_APP_REFUSAL);
      const { userId, created } = await ssoAccount(em, assertedIdentity(profile, saml), saml);
      log.info({ userId, created }, created ? 'SAML sign-in created an account' : 'SAML sign-in');
      // what provider.interactionFinished does, without the interaction cookie this cross-site POST lacks: the
      // resume step still requires the resume cookie of the browser that started the sign-in
      interaction.result = { login: { accountId: String(userId) } };
      await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
      res.set('cache-control', 'no-store').redirect(303, interaction.returnTo);
    } catch (error) {
      if (!(error instanceof SamlRefusal)) throw error;
      refuse(res, 403, error.message);
    }
  });

  return router;
}
