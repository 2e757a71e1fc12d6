import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throttleKey } from '../src/auth/throttle.js';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, readForm } from './support/browser.js';

let trusting: TestApp; // TRUST_PROXY unset: loopback, and the tests reach the app on 127.0.0.1
let distrusting: TestApp; // TRUST_PROXY=false: the same peer is nobody's proxy
beforeAll(async () => {
  [trusting, distrusting] = await Promise.all([startTestApp(), startTestApp({ TRUST_PROXY: 'false' })]);
});
afterAll(() => Promise.all([trusting?.close(), distrusting?.close()]));

const authorizeUrl = (app: TestApp) =>
  `${app.baseUrl}/o/auth?${new URLSearchParams({
    client_id: 'portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${app.baseUrl}/auth/callback`,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  })}`;

/** One failed sign-in through the login form, every request carrying `headers`; the form's answer. */
async function failSignIn(app: TestApp, email: string, headers: Record<string, string>) {
  const browser = new Browser();
  browser.headers = headers;
  const page = await browser.follow(authorizeUrl(app));
  const { response } = await browser.follow(readForm(await page.response.text(), page.url).action, {
    form: { email, password: 'not-the-password' },
  });
  return response.status;
}

const throttledKeys = async (app: TestApp) =>
  (await app.db.orm.em.getConnection().execute<{ key: string }[]>('select key from throttle_failures')).map(
    (r) => r.key,
  );
const addressKey = (address: string) => throttleKey('login', 'address', address);

describe('TRUST_PROXY: whose X-Forwarded-For sets the throttled address', () => {
  it('from a peer that is no trusted proxy, a forged X-Forwarded-For counts for nothing: its own address is throttled', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await failSignIn(distrusting, `nobody-${i}@example.com`, { 'x-forwarded-for': `203.0.113.${i}` })).toBe(
        401,
      );
    }
    const keys = await throttledKeys(distrusting);
    expect(keys).toContain(addressKey('127.0.0.1'));
    expect(keys).not.toContain(addressKey('203.0.113.0'));
    // the 21st attempt, whatever address it claims, is the same peer's
    expect(await failSignIn(distrusting, 'nobody-21@example.com', { 'x-forwarded-for': '198.51.100.9' })).toBe(429);
  });

  it('from a trusted proxy, X-Forwarded-For names the client: each client has a limit of its own', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await failSignIn(trusting, `someone-${i}@example.com`, { 'x-forwarded-for': '203.0.113.7' })).toBe(401);
    }
    const keys = await throttledKeys(trusting);
    expect(keys).toContain(addressKey('203.0.113.7'));
    expect(keys).not.toContain(addressKey('127.0.0.1'));
    expect(await failSignIn(trusting, 'someone-21@example.com', { 'x-forwarded-for': '203.0.113.7' })).toBe(429);
    expect(await failSignIn(trusting, 'someone-22@example.com', { 'x-forwarded-for': '203.0.113.8' })).toBe(401);
  });

  it('oidc-provider believes X-Forwarded-Proto from a trusted proxy only, as Express does', async () => {
    const cookies = async (app: TestApp) =>
      (await fetch(authorizeUrl(app), { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } })).headers
        .getSetCookie()
        .map((c) => /;\s*secure/i.test(c));
    const fromTrusted = await cookies(trusting);
    expect(fromTrusted.length).toBeGreaterThan(0);
    expect(fromTrusted.every(Boolean)).toBe(true);
    const fromOther = await cookies(distrusting);
    expect(fromOther.length).toBeGreaterThan(0);
    expect(fromOther.some(Boolean)).toBe(false);
  });
});

describe('sign-up', () => {
  const signup = (inviteCode: string, address: string) =>
    fetch(`${trusting.baseUrl}/o/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
      body: new URLSearchParams({
        inviteCode,
        firstName: 'Nora',
        lastName: 'N',
        email: `nora-${address}@example.com`,
        password: 'Secret1234',
      }),
    });

  it('throttles wrong invitation codes per address, even the right one afterwards', async () => {
    for (let i = 0; i < 10; i++) expect((await signup(`guess-${i}`, '198.51.100.1')).status).toBe(403);
    const blocked = await signup('jhe', '198.51.100.1');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await blocked.text()).toContain('Too many wrong invitation codes');
    expect((await signup('jhe', '198.51.100.2')).status).toBe(201);
  });
});
