import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, readForm } from './support/browser.js';
import { approveDevice } from './support/device.js';
import { json } from './support/http.js';

let app: TestApp;
let issuer: URL;
const insecure = { execute: [oidc.allowInsecureRequests] };

beforeAll(async () => {
  app = await startTestApp();
  issuer = new URL(`${app.baseUrl}/o`);
});
afterAll(() => app?.close());

/** Runs the authorization code + PKCE flow through the real login form; returns the callback URL. */
async function signIn(
  client: oidc.Configuration,
  opts: { email: string; password: string; redirectUri: string; scope?: string; approveConsent?: boolean },
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: opts.redirectUri,
    scope: opts.scope ?? 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const browser = new Browser();
  const leaves = (u: string) => u.startsWith(opts.redirectUri.replace(/\/callback$/, ''));
  let { url: at, response } = await browser.follow(url.toString(), {}, leaves);
  expect(at).toMatch(/\/o\/interaction\//);
  const loginForm = readForm(await response.text(), at);
  ({ url: at, response } = await browser.follow(
    loginForm.action,
    { form: { email: opts.email, password: opts.password } },
    leaves,
  ));
  if (!leaves(at) && opts.approveConsent) {
    const html = await response.text();
    expect(html).toContain('Allow access?');
    ({ url: at, response } = await browser.follow(readForm(html, at, 0).action, { form: {} }, leaves));
  }
  return { callback: new URL(at), verifier, state, response };
}

describe('discovery', () => {
  it('publishes OpenID configuration and a public-only JWKS', async () => {
    const discovery = await json(await fetch(`${issuer}/.well-known/openid-configuration`));
    expect(discovery).toMatchObject({
      issuer: issuer.toString(),
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/me`,
      end_session_endpoint: `${issuer}/session/end`,
      device_authorization_endpoint: `${issuer}/device/auth`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
    const jwks = await json(await fetch(discovery.jwks_uri));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('publishes SMART App Launch configuration matching the provider', async () => {
    const res = await fetch(`${app.baseUrl}/fhir/r5/.well-known/smart-configuration`);
    expect(res.status).toBe(200);
    const smart = await json(res);
    const discovery = await json(await fetch(`${issuer}/.well-known/openid-configuration`));
    for (const key of ['issuer', 'jwks_uri', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint']) {
      expect(smart[key], key).toBe(discovery[key]);
    }
    expect(smart.code_challenge_methods_supported).toEqual(['S256']);
    expect(smart.capabilities).toEqual(
      expect.arrayContaining(['launch-standalone', 'client-public', 'permission-offline']),
    );
    expect(smart.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'fhirUser', 'offline_access', 'patient/*.rs', 'user/*.rs']),
    );
  });
});

describe('practitioner sign-in with authorization code + PKCE (portal client)', () => {
  it('signs mary in through the form, issues an RS256 JWT for the gateway, refreshes with rotation', async () => {
    const portal = await oidc.discovery(issuer, 'portal', undefined, oidc.None(), insecure);
    const redirectUri = `${app.baseUrl}/auth/callback`;
    const { callback, verifier, state } = await signIn(portal, {
      email: 'Mary@Example.com',
      password: 'Jhe1234!',
      redirectUri,
    });
    const tokens = await oidc.authorizationCodeGrant(portal, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });

    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({
      sub: '10002',
      aud: `${app.baseUrl}/`,
      iss: issuer.toString(),
      client_id: 'portal',
    });
    expect(tokens.claims()).toMatchObject({ sub: '10002', email: 'mary@example.com' });
    expect(tokens.refresh_token).toBeTruthy();

    const info = await oidc.fetchUserInfo(portal, tokens.access_token, '10002');
    expect(info).toMatchObject({
      email: 'mary@example.com',
      given_name: 'Mary',
      fhirUser: expect.stringMatching(/Practitioner\/\d+$/),
    });

    const refreshed = await oidc.refreshTokenGrant(portal, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token).sub).toBe('10002');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // rotation: the used refresh token is spent
    await expect(oidc.refreshTokenGrant(portal, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('shows a clear error on bad credentials and stays on the form', async () => {
    const portal = await oidc.discovery(issuer, 'portal', undefined, oidc.None(), insecure);
    const { response, callback } = await signIn(portal, {
      email: 'mary@example.com',
      password: 'wrong-password',
      redirectUri: `${app.baseUrl}/auth/callback`,
    });
    expect(callback.pathname).toMatch(/\/o\/interaction\/.+\/login$/);
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('The email or password is not correct.');
    expect(html).toContain('value="mary@example.com"');
  });

  it('throttles repeated failures for one account, even with the right password afterwards', async () => {
    const portal = await oidc.discovery(issuer, 'portal', undefined, oidc.None(), insecure);
    const attempt = (password: string) =>
      signIn(portal, { email: 'victor@example.com', password, redirectUri: `${app.baseUrl}/auth/callback` });
    for (let i = 0; i < 5; i++) expect((await attempt(`bad-${i}`)).response.status).toBe(401);
    const blocked = await attempt('Jhe1234!');
    expect(blocked.response.status).toBe(429);
    expect(blocked.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await blocked.response.text()).toContain('Too many failed sign-in attempts');
  });

  it('rejects a redirect URI the client did not register, without redirecting', async () => {
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'portal',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://evil.example/callback',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('requires PKCE', async () => {
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'portal',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${app.baseUrl}/auth/callback`,
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});

describe('token endpoint bad input', () => {
  const post = (body: Record<string, string>) =>
    fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });

  it('answers OAuth errors, never 5xx', async () => {
    const unknownClient = await post({
      grant_type: 'authorization_code',
      client_id: 'nobody',
      code: 'x',
      redirect_uri: 'http://x',
    });
    expect(unknownClient.status).toBe(401);
    expect((await json(unknownClient)).error).toBe('invalid_client');

    const badCode = await post({
      grant_type: 'authorization_code',
      client_id: 'portal',
      code: 'not-a-code',
      redirect_uri: `${app.baseUrl}/auth/callback`,
      code_verifier: 'v'.repeat(43),
    });
    expect(badCode.status).toBe(400);
    expect((await json(badCode)).error).toBe('invalid_grant');

    const unsupported = await post({
      grant_type: 'password',
      client_id: 'portal',
      username: 'a',
      password: 'b',
    });
    expect(unsupported.status).toBe(400);
    expect((await json(unsupported)).error).toMatch(/unsupported_grant_type|unauthorized_client/);

    const garbage = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
  });
});

describe('notebooks', () => {
  it('complete the device authorization grant approved in a browser', async () => {
    const notebook = await oidc.discovery(issuer, 'notebook', undefined, oidc.None(), insecure);
    const device = await oidc.initiateDeviceAuthorization(notebook, { scope: 'openid offline_access' });
    expect(device.user_code).toBeTruthy();
    expect(device.verification_uri).toBe(`${issuer}/device`);

    const { status, html } = await approveDevice(
      device.verification_uri_complete!,
      device.user_code,
      'megan@example.com',
    );
    expect(status).toBe(200);
    expect(html).toMatch(/Sign-in Success|success/i);
    const tokens = await oidc.pollDeviceAuthorizationGrant(notebook, device);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: '10003', client_id: 'notebook' });
  });

  it('sign in with a loopback redirect on any port', async () => {
    const notebook = await oidc.discovery(issuer, 'notebook', undefined, oidc.None(), insecure);
    const redirectUri = 'http://127.0.0.1:51234/callback';
    const { callback, verifier, state } = await signIn(notebook, {
      email: 'tom@example.com',
      password: 'Jhe1234!',
      redirectUri,
    });
    expect(callback.origin).toBe('http://127.0.0.1:51234');
    const tokens = await oidc.authorizationCodeGrant(notebook, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(decodeJwt(tokens.access_token).sub).toBe('10005');
  });
});
