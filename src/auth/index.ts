import { type Request, type Response, Router } from 'express';
import type Provider from 'oidc-provider';
import type { Config } from '../config.js';
import type { Orm } from '../db/orm.js';
import { DomainError, UnauthenticatedError } from '../errors.js';
import { accountFinder } from './account.js';
import { bearerChallenge } from './bearer-challenge.js';
import { bearerToken, createTokenVerifier, type TokenVerifier } from './bearer.js';
import { jwtTokenEndpoints } from './introspection.js';
import { interactionRouter } from './interactions.js';
import { loadAuthSecrets, publicJwk } from './keys.js';
import { discoveryRouter } from './protected-resource.js';
import { authEndpoints, createProvider, OIDC_MOUNT_PATH } from './provider.js';
import { forwardedAsTrusted } from './provider-proxy.js';
import { registrationThrottle, throttleRegistrations } from './registration.js';
import { signupRouter } from './signup.js';
import { loginThrottle, signupThrottle } from './throttle.js';
import { extendTokenEndpoint } from './token-endpoint.js';
import type { Mailer } from '../mail/mailer.js';
import { type Logger, logger } from '../observability/logger.js';
import { VERIFY_PATH } from './email-pages.js';
import { verificationRouter } from './email-verification.js';
import { passwordResetRouter } from './password-reset.js';
import { loadIdpMetadata } from './saml/idp-metadata.js';
import { SamlMessageStore } from './saml/message-store.js';
import { singleSignOnRouter, type SingleSignOn } from './saml/router.js';
import { REQUEST_TTL_MS, serviceProvider } from './saml/service-provider.js';

export interface Auth {
  provider: Provider;
  verifyToken: TokenVerifier;
  /** everything under /o: the login and sign-up pages, userinfo, then oidc-provider itself */
  router: Router;
}

/**
 * The configured signing and cookie keys (generated in development), or an error saying what to set. main.ts
 * calls it before it connects to the database, so that a configuration error never waits for one.
 */
export const configuredAuthSecrets = (config: Config) =>
  loadAuthSecrets({
    production: config.production,
    dataDir: config.dataDir,
    privateKey: config.auth.privateKey,
    cookieKeys: config.auth.cookieKeys,
  });

/** The OAuth provider and its routes; touches no database until a request comes (start-up may precede it). */
export async function createAuth(
  config: Config,
  orm: Orm,
  { mailer = null, log = logger() }: { mailer?: Mailer | null; log?: Logger } = {},
): Promise<Auth> {
  const secrets = await configuredAuthSecrets(config);
  const provider = createProvider(config, orm, secrets.signingKey, secrets.cookieKeys);
  extendTokenEndpoint(provider, orm);
  const { issuer, resource, fhirBase } = authEndpoints(config.publicUrl);
  const verifyToken = createTokenVerifier({
    keys: [publicJwk(secrets.signingKey)],
    issuer,
    audience: resource,
  });

  provider.use(jwtTokenEndpoints({ orm, verifyToken, findAccount: accountFinder(orm, fhirBase) }));

  const router = Router();
  router.use(discoveryRouter(provider, config.publicUrl));
  router.use(OIDC_MOUNT_PATH, forwardedAsTrusted);
  const { clientRegistration } = config.auth;
  if (clientRegistration.enabled) {
    router.post(`${OIDC_MOUNT_PATH}/reg`, throttleRegistrations(registrationThrottle(orm, clientRegistration.perHour)));
  }
  const email = { orm, mailer, config, log };
  const sso = await singleSignOn(config, orm);
  if (sso) router.use(OIDC_MOUNT_PATH, singleSignOnRouter(provider, orm, sso, log));
  router.use(
    `${OIDC_MOUNT_PATH}/interaction`,
    interactionRouter(provider, orm, loginThrottle(orm), {
      passwordReset: mailer !== null,
      singleSignOn: sso ? { displayName: sso.saml.displayName } : undefined,
    }),
  );
  router.use(
    `${OIDC_MOUNT_PATH}/signup`,
    signupRouter(orm, config.auth.registrationInviteCode, `${config.publicUrl}/`, signupThrottle(orm), email),
  );
  router.use(VERIFY_PATH, verificationRouter(email));
  // without SMTP there is no way to prove who asks: no reset (production refuses sign-up then)
  if (mailer) router.use('/o/password', passwordResetRouter(email));
  router.get(`${OIDC_MOUNT_PATH}/me`, userinfo(verifyToken, orm, fhirBase, config.publicUrl));
  router.use(OIDC_MOUNT_PATH, provider.callback());
  return { provider, verifyToken, router };
}

/** The IdP of SAML_IDP_METADATA, read now (never at request time): unreadable or unusable metadata stops the start. */
async function singleSignOn(config: Config, orm: Orm): Promise<SingleSignOn | undefined> {
  if (!config.saml) return undefined;
  const idp = await loadIdpMetadata(config.saml.idpMetadata, { production: config.production });
  return {
    saml: config.saml,
    idp,
    sp: serviceProvider(config.publicUrl),
    store: new SamlMessageStore(orm, REQUEST_TTL_MS),
  };
}

/**
 * OpenID userinfo for the gateway's own access tokens. oidc-provider's userinfo refuses tokens bound to a
 * resource (audience), and every access token here is one, so the gateway answers it itself.
 */
function userinfo(verifyToken: TokenVerifier, orm: Orm, fhirBase: string, publicUrl: string) {
  const findAccount = accountFinder(orm, fhirBase);
  return async (req: Request, res: Response) => {
    res.set('cache-control', 'no-store');
    try {
      const token = bearerToken(req.get('authorization'));
      if (!token) throw new UnauthenticatedError('An access token is required');
      const claims = await verifyToken(token);
      const account = await findAccount(undefined as never, claims.sub);
      if (!account) throw new UnauthenticatedError('The access token’s user no longer exists');
      res.json(await account.claims('userinfo', 'openid', {}, []));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      res
        .status(401)
        .set('www-authenticate', bearerChallenge(publicUrl, { error: 'invalid_token', description: error.message }))
        .json({ error: 'invalid_token', error_description: error.message });
    }
  };
}
