import type { JWK } from 'jose';
import Provider, { type Configuration, errors } from 'oidc-provider';
import type { Config } from '../config.js';
import type { Orm } from '../db/orm.js';
import { accountFinder } from './account.js';
import { tokenGenerationClaims } from './token-generation.js';
import { postgresAdapter } from './adapter.js';
import { firstPartyClients } from './clients.js';
import { deviceFlowPages } from './device-pages.js';
import { logoutPage, messagePage } from './pages.js';
import { providerCors } from './provider-cors.js';
import { providerErrors } from './provider-errors.js';
import { clientMetadataExtension, registrationAnswer, registrationFeature } from './registration.js';
import { introspectionFeature } from './introspection.js';
import { acceptedResourceScopes, audienceParameter } from './scope-requests.js';
import { CLAIMS, OIDC_SCOPES } from './scopes.js';

export const OIDC_MOUNT_PATH = '/o';

export interface AuthEndpoints {
  issuer: string;
  /** the audience of access tokens: the gateway's APIs */
  resource: string;
  fhirBase: string;
}

export function authEndpoints(publicUrl: string): AuthEndpoints {
  return {
    issuer: `${publicUrl}${OIDC_MOUNT_PATH}`,
    resource: `${publicUrl}/`,
    fhirBase: `${publicUrl}/fhir/r5`,
  };
}

export function createProvider(config: Config, orm: Orm, signingKey: JWK, cookieKeys: string[]): Provider {
  const { issuer, resource, fhirBase } = authEndpoints(config.publicUrl);
  const { auth } = config;
  const cors = providerCors(config.corsOrigins);
  const configuration: Configuration = {
    adapter: postgresAdapter(orm.em),
    clients: firstPartyClients(config.publicUrl),
    jwks: { keys: [signingKey] },
    cookies: { keys: cookieKeys, long: { signed: true }, short: { signed: true } },
    findAccount: accountFinder(orm, fhirBase),
    extraTokenClaims: tokenGenerationClaims(orm),
    scopes: [...OIDC_SCOPES],
    extraParams: { aud: audienceParameter(fhirBase, resource) },
    claims: Object.fromEntries(Object.entries(CLAIMS).map(([k, v]) => [k, [...v]])),
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    extraClientMetadata: clientMetadataExtension,
    clientDefaults: { id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'none' },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    responseTypes: ['code'],
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `${OIDC_MOUNT_PATH}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true, ...deviceFlowPages },
      revocation: { enabled: true },
      registration: registrationFeature(auth.clientRegistration.enabled),
      introspection: introspectionFeature,
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You are signed out.', {
            href: `${config.publicUrl}/`,
            text: 'Back to the portal',
          });
        },
      },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          if (indicator !== resource)
            throw new errors.InvalidTarget(`unknown resource; this server serves ${resource}`);
          return {
            scope: acceptedResourceScopes(ctx),
            audience: resource,
            accessTokenTTL: auth.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: auth.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      DeviceCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 86400,
      Grant: Math.max(auth.refreshTokenTtlSeconds, auth.invitationTtlDays * 86400 + auth.refreshTokenTtlSeconds),
      RefreshToken: auth.refreshTokenTtlSeconds,
    },
    clientBasedCORS: cors.clientBasedCORS,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in error', `${String(out.error)}: ${String(out.error_description ?? '')}`);
    },
  };
  const provider = new Provider(issuer, configuration);
  // koa would believe anyone's X-Forwarded-*: Express, in front, puts only what TRUST_PROXY allows there
  // (forwardedAsTrusted, on every /o request)
  provider.proxy = true;
  provider.use(cors.middleware);
  provider.use(providerErrors);
  provider.use(registrationAnswer);
  return provider;
}
