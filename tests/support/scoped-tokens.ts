import * as oidc from 'openid-client';
import { registerClient } from '../../src/auth/client-registry.js';
import { authEndpoints } from '../../src/auth/provider.js';
import { DEMO_DEFAULTS } from '../../src/config.js';
import type { TestApp } from './app.js';
import { Browser, readForm } from './browser.js';
import { json } from './http.js';
import { redeemInvitation } from './invitations.js';
import { gql } from './tokens.js';

const CLIENT_ID = 'scope-test-dashboard';
const REDIRECT = 'https://dashboard.example/callback';
const registered = new WeakSet<TestApp>();

export interface ScopedTokens {
  access_token: string;
  /** what the token response says was granted */
  scope: string;
}

const defaultTicks = (scope: string) => scope.split(' ').filter((s) => s && s !== 'openid');

/**
 * Follows an authorization URL through the provider's own pages as `email`: the login form, then the consent
 * screen (if shown) with the scopes in `tick` ticked, until the redirect back to `redirectUri`. Returns where it
 * ended (with the code) and the consent page as shown.
 */
export async function authorizeInPages(url: string, email: string, redirectUri: string, tick: string[]) {
  const browser = new Browser();
  const leaves = (u: string) => u.startsWith(redirectUri);
  let { url: at, response } = await browser.follow(url, {}, leaves);
  ({ url: at, response } = await browser.follow(
    readForm(await response.text(), at).action,
    { form: { email, password: 'Jhe1234!' } },
    leaves,
  ));
  let consent = '';
  if (!leaves(at)) {
    consent = await response.text();
    ({ url: at } = await browser.follow(
      readForm(consent, at, 0).action,
      { form: tick.map((s): [string, string] => ['scope', s]) },
      leaves,
    ));
  }
  return { at, consent };
}

/**
 * A third-party client's authorization code + PKCE flow as `email`, through the login form and the consent
 * screen, on which the scopes in `tick` (default: every requested one) are ticked. Returns the token answer and
 * the consent page as shown.
 */
export async function thirdPartySignIn(
  app: TestApp,
  email: string,
  opts: { clientId: string; redirectUri: string; scope: string; tick?: string[]; params?: Record<string, string> },
) {
  const client = await oidc.discovery(new URL(`${app.baseUrl}/o`), opts.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: opts.redirectUri,
    scope: opts.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...opts.params,
  });
  const { at, consent } = await authorizeInPages(
    url.toString(),
    email,
    opts.redirectUri,
    opts.tick ?? defaultTicks(opts.scope),
  );
  const tokens = await oidc.authorizationCodeGrant(client, new URL(at), { pkceCodeVerifier: verifier });
  return { tokens, consent };
}

/**
 * A real token with exactly the resource scopes asked for (`''`: none), for a practitioner: a third-party
 * dashboard client's flow (thirdPartySignIn), every requested scope ticked.
 */
export async function scopedToken(app: TestApp, email: string, scope: string): Promise<ScopedTokens> {
  if (!registered.has(app)) {
    await registerClient(app.db.orm.em.fork(), { clientId: CLIENT_ID, name: 'Scope test', redirectUris: [REDIRECT] });
    registered.add(app);
  }
  const { tokens } = await thirdPartySignIn(app, email, {
    clientId: CLIENT_ID,
    redirectUri: REDIRECT,
    scope: `openid ${scope}`.trim(),
  });
  return { access_token: tokens.access_token, scope: tokens.scope ?? '' };
}

/**
 * A token of the patient app for a patient with the given resource scopes (`''`: none). The app's own codes come
 * from invitations with fixed scopes (and a refresh may narrow them only to a literal subset), so the code is
 * minted here the way an invitation mints it, with these scopes, then redeemed at the real token endpoint.
 */
export async function patientToken(app: TestApp, patientId: number, scope: string): Promise<ScopedTokens> {
  const invited = await gql(
    app,
    'mary@example.com',
    `mutation ($id: ID!) { createPatientInvitation(patientId: $id) { id } }`,
    {
      id: String(patientId),
    },
  );
  if (invited.errors) throw new Error(JSON.stringify(invited.errors));
  const [row] = await app.db.orm.em
    .fork()
    .getConnection()
    .execute<{ user_id: number }[]>('select user_id from patients where id = ?', [patientId]);
  const { provider } = app.auth;
  const { resource } = authEndpoints(app.baseUrl);
  const accountId = String(row!.user_id);
  const grant = new provider.Grant({ accountId, clientId: 'patient-app' });
  grant.addOIDCScope('openid');
  if (scope) grant.addResourceScope(resource, scope);
  const code = await new provider.AuthorizationCode({
    accountId,
    client: (await provider.Client.find('patient-app'))!,
    gty: 'authorization_code',
    grantId: await grant.save(),
    scope: `openid ${scope}`.trim(),
    resource,
    redirectUri: `${app.baseUrl}/auth/callback`,
    codeChallenge: DEMO_DEFAULTS.patientCodeChallenge,
    codeChallengeMethod: 'S256',
  }).save();
  const tokens = await json(await redeemInvitation(app, code));
  if (!tokens.access_token) throw new Error(`redeeming a code with scope ${scope} failed: ${JSON.stringify(tokens)}`);
  return { access_token: tokens.access_token, scope: tokens.scope ?? '' };
}

/** POSTs a GraphQL operation with a given access token. */
export async function gqlWith(token: string, app: TestApp, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${app.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    ...((await response.json()) as {
      data?: Record<string, any> | null;
      errors?: { message: string; extensions?: { code?: string }; path?: (string | number)[] }[];
    }),
  };
}
