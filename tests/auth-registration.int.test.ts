import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient } from '../src/auth/client-registry.js';
import { loadAuthSecrets } from '../src/auth/keys.js';
import { JUPYTERHEALTH_DEMO_PKCE, loadConfig } from '../src/config.js';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, readForm } from './support/browser.js';
import { linkIn, type Mailbox, startMailbox } from './support/mail.js';
import { portalSignIn } from './support/tokens.js';

let app: TestApp;
let mailbox: Mailbox;
beforeAll(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await app?.close();
  await mailbox?.close();
});

const signup = (form: Record<string, string>) =>
  fetch(`${app.baseUrl}/o/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
const good = {
  inviteCode: 'jhe',
  firstName: 'Rita',
  lastName: 'Researcher',
  email: 'rita@example.org',
  password: 'Secret123',
};

describe('practitioner self sign-up', () => {
  it('shows the form', async () => {
    const res = await fetch(`${app.baseUrl}/o/signup`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<label for="inviteCode">');
  });

  it('refuses a wrong invitation code and weak or duplicate input, writing nothing', async () => {
    const wrong = await signup({ ...good, inviteCode: 'nope' });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('The invitation code is not valid.');
    const weak = await signup({ ...good, password: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toMatch(/password/i);
    const duplicate = await signup({ ...good, email: 'MARY@example.com' });
    expect(duplicate.status).toBe(409);
    const [row] = await app.db.orm.em
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from users where email = 'rita@example.org'`);
    expect(Number(row!.n)).toBe(0);
  });

  it('creates a practitioner who can then sign in, once the email is confirmed', async () => {
    const res = await signup(good);
    expect(res.status).toBe(201);
    const [row] = await app.db.orm.em
      .getConnection()
      .execute<{ kind: string; is_superuser: boolean }[]>(
        `select kind, is_superuser from users where email = 'rita@example.org'`,
      );
    expect(row).toEqual({ kind: 'practitioner', is_superuser: false });
    const link = linkIn(await mailbox.next('rita@example.org'), `${app.baseUrl}/o/verify?token=`);
    const confirmed = await fetch(`${app.baseUrl}/o/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: new URL(link).searchParams.get('token')! }),
    });
    expect(confirmed.status).toBe(200);
    const tokens = await portalSignIn(app, 'rita@example.org', { password: good.password });
    expect(decodeJwt((tokens as { access_token: string }).access_token).sub).toMatch(/^\d+$/);
  });
});

describe('third-party clients', () => {
  it('are registered (confidential) and must obtain the user’s consent', async () => {
    const redirectUri = 'https://dashboard.example/callback';
    const { clientId, clientSecret } = await registerClient(app.db.orm.em.fork(), {
      clientId: 'acme-dashboard',
      name: 'ACME Dashboard',
      redirectUris: [redirectUri],
      confidential: true,
    });
    expect(clientSecret).toMatch(/^[\w-]{40,}$/);
    await expect(
      registerClient(app.db.orm.em.fork(), { clientId: 'acme-dashboard', name: 'x', redirectUris: [redirectUri] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      registerClient(app.db.orm.em.fork(), { clientId: 'portal', name: 'x', redirectUris: [redirectUri] }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    const client = await oidc.discovery(new URL(`${app.baseUrl}/o`), clientId, clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: redirectUri,
      scope: 'openid user/*.rs',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new Browser();
    const leaves = (u: string) => u.startsWith('https://dashboard.example');
    let { url: at, response } = await browser.follow(url.toString(), {}, leaves);
    ({ url: at, response } = await browser.follow(
      readForm(await response.text(), at).action,
      { form: { email: 'megan@example.com', password: 'Jhe1234!' } },
      leaves,
    ));
    const consent = await response.text();
    expect(consent).toContain('Allow access?');
    expect(consent).toContain('ACME Dashboard');
    expect(consent).toContain('user/*.rs');
    ({ url: at } = await browser.follow(readForm(consent, at, 0).action, { form: { scope: 'user/*.rs' } }, leaves));
    const tokens = await oidc.authorizationCodeGrant(client, new URL(at), { pkceCodeVerifier: verifier });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: '10003',
      client_id: 'acme-dashboard',
      scope: 'user/*.rs',
    });
    expect(tokens.scope).toBe('openid user/*.rs');
  });

  it('validate registration input', async () => {
    await expect(
      registerClient(app.db.orm.em.fork(), { clientId: 'X', name: 'x', redirectUris: ['https://a.example/cb'] }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(
      registerClient(app.db.orm.em.fork(), { clientId: 'valid-id', name: 'x', redirectUris: [] }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
  });
});

describe('production mode', () => {
  it('refuses the demo verifier, challenge and invite code, JupyterHealth’s published pair, and a mismatched pair', () => {
    const pkce = (verifier: string) => ({
      PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier,
      PATIENT_AUTHORIZATION_CODE_CHALLENGE: createHash('sha256').update(verifier).digest('base64url'),
    });
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PATIENT_AUTHORIZATION_CODE_VERIFIER/);
    expect(() => loadConfig({ NODE_ENV: 'production', PATIENT_AUTHORIZATION_CODE_VERIFIER: 'v'.repeat(50) })).toThrow(
      /PATIENT_AUTHORIZATION_CODE_CHALLENGE must be the S256 challenge/,
    );
    expect(() => loadConfig({ PATIENT_AUTHORIZATION_CODE_CHALLENGE: 'c'.repeat(43) })).toThrow(/S256 challenge/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...pkce(JUPYTERHEALTH_DEMO_PKCE.verifier) })).toThrow(
      /JupyterHealth’s published demo/,
    );
    expect(pkce(JUPYTERHEALTH_DEMO_PKCE.verifier).PATIENT_AUTHORIZATION_CODE_CHALLENGE).toBe(
      JUPYTERHEALTH_DEMO_PKCE.challenge,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      ...pkce('v'.repeat(50)),
      DATABASE_URL: 'postgres://gateway@db.internal/hxg',
      PUBLIC_URL: 'https://gateway.example.org',
    });
    expect(config.auth.registrationInviteCode).toBeUndefined();
    expect(config.seed).toBe('none');
  });

  it('refuses to start without a configured signing key and cookie keys', async () => {
    await expect(loadAuthSecrets({ production: true, dataDir: '/nonexistent' })).rejects.toThrow(/OIDC_PRIVATE_KEY/);
    const { privateKey } = await import('jose').then((j) => j.generateKeyPair('RS256', { extractable: true }));
    const pem = await import('jose').then((j) => j.exportPKCS8(privateKey));
    await expect(loadAuthSecrets({ production: true, dataDir: '/nonexistent', privateKey: pem })).rejects.toThrow(
      /OIDC_COOKIE_KEYS/,
    );
    const secrets = await loadAuthSecrets({
      production: true,
      dataDir: '/nonexistent',
      privateKey: pem,
      cookieKeys: 'k'.repeat(40),
    });
    expect(secrets.signingKey).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: expect.any(String) });
  });
});
