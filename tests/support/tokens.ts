import * as oidc from 'openid-client';
import { Browser, readForm } from './browser.js';
import type { TestApp } from './app.js';

const cache = new WeakMap<TestApp, Map<string, string>>();

/**
 * Signs `email` in through the portal's authorization code + PKCE flow and the login form, as a browser would
 * (the portal is first-party: no consent screen). `scope` defaults to `openid`, which gets the portal's default
 * resource scopes. A flow the provider ends with an error gives `{ error }` (its description).
 */
export async function portalSignIn(
  app: TestApp,
  email: string,
  opts: { password?: string; scope?: string; params?: Record<string, string>; verifier?: string } = {},
): Promise<oidc.TokenEndpointResponse | { error: string | null }> {
  const client = await oidc.discovery(new URL(`${app.baseUrl}/o`), 'portal', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const redirectUri = `${app.baseUrl}/auth/callback`;
  const verifier = opts.verifier ?? oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    scope: opts.scope ?? 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...opts.params,
  });
  const browser = new Browser();
  const leaves = (u: string) => u.startsWith(redirectUri);
  const login = await browser.follow(url.toString(), {}, leaves);
  if (leaves(login.url)) return { error: new URL(login.url).searchParams.get('error_description') };
  const done = await browser.follow(
    readForm(await login.response.text(), login.url).action,
    { form: { email, password: opts.password ?? 'Jhe1234!' } },
    leaves,
  );
  if (!leaves(done.url)) throw new Error(`sign-in as ${email} failed (${done.response.status})`);
  return oidc.authorizationCodeGrant(client, new URL(done.url), { pkceCodeVerifier: verifier });
}

/** A real access token for a seeded user through the portal's flow (portalSignIn), cached per app and email. */
export async function tokenFor(app: TestApp, email: string, password = 'Jhe1234!'): Promise<string> {
  const known = cache.get(app) ?? new Map<string, string>();
  cache.set(app, known);
  const cached = known.get(email);
  if (cached) return cached;
  const tokens = await portalSignIn(app, email, { password });
  if (!('access_token' in tokens)) throw new Error(`sign-in as ${email} failed: ${tokens.error}`);
  known.set(email, tokens.access_token);
  return tokens.access_token;
}

export interface GraphQLResult {
  status: number;
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string; field?: string }; path?: (string | number)[] }[];
}

/** POSTs a GraphQL operation as `email` (or anonymously with `null`). */
export async function gql(
  app: TestApp,
  as: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as) headers.authorization = `Bearer ${await tokenFor(app, as)}`;
  const response = await fetch(`${app.baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

/** The error codes of a result, in order. */
export const codes = (result: GraphQLResult) => (result.errors ?? []).map((e) => e.extensions?.code);
