import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, readForm } from './support/browser.js';
import { postLogin } from './support/login-page.js';
import { linkIn, type Mailbox, startMailbox } from './support/mail.js';
import { portalSignIn } from './support/tokens.js';

let mailbox: Mailbox;
let app: TestApp;
beforeAll(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await app?.close();
  await mailbox?.close();
});

const form = (path: string, fields: Record<string, string>) =>
  fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
const forgot = (email: string) => form('/o/password/forgot', { email });
const resetPrefix = () => `${app.baseUrl}/o/password/reset?token=`;
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;
/** asks for a reset of `email` and returns the token of the link mailed to it */
const resetToken = async (email: string) => {
  expect((await forgot(email)).status).toBe(200);
  return tokenOf(linkIn(await mailbox.next(email), resetPrefix()));
};
const setPassword = (token: string, password: string) => form('/o/password/reset', { token, password });
const sql = <T>(query: string, params: unknown[] = []) => app.db.orm.em.getConnection().execute<T[]>(query, params);

/** a browser signed in to the portal: its provider session lets the next authorization through without the form */
async function signedInBrowser(email: string, password: string) {
  const browser = new Browser();
  const callback = `${app.baseUrl}/auth/callback`;
  const auth = `${app.baseUrl}/o/auth?${new URLSearchParams({
    client_id: 'portal',
    response_type: 'code',
    redirect_uri: callback,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  })}`;
  const leaves = (u: string) => u.startsWith(callback);
  const login = await browser.follow(auth, {}, leaves);
  const done = await browser.follow(
    readForm(await login.response.text(), login.url).action,
    {
      form: { email, password },
    },
    leaves,
  );
  expect(leaves(done.url)).toBe(true);
  /** whether the browser still gets through without the login form */
  const stillSignedIn = async () => leaves((await browser.follow(auth, {}, leaves)).url);
  return { stillSignedIn };
}

describe('password reset', () => {
  it('is offered on the login page', async () => {
    const page = await postLogin(app, 'megan@example.com', 'not-her-password1');
    expect(page.html).toContain('href="/o/password/forgot"');
    const res = await fetch(`${app.baseUrl}/o/password/forgot`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<label for="email">');
  });

  it('sets a new password through the mailed link and revokes every session, grant, refresh and access token', async () => {
    const tokens = await portalSignIn(app, 'megan@example.com');
    if (!('refresh_token' in tokens)) throw new Error('no tokens');
    const me = (accessToken: string) =>
      fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
    expect((await me(tokens.access_token)).status).toBe(200);
    const browser = await signedInBrowser('megan@example.com', 'Jhe1234!');
    expect(await browser.stillSignedIn()).toBe(true);
    const [{ n: before }] = await sql<{ n: string }>(
      `select count(*) as n from oidc_payloads where payload->>'accountId' = '10003'`,
    );
    expect(Number(before)).toBeGreaterThan(0);

    const unknown = await forgot('nobody@example.org');
    const known = await forgot('megan@example.com');
    expect([unknown.status, await unknown.text()]).toEqual([known.status, await known.text()]);
    const mail = await mailbox.next('megan@example.com');
    expect(mail.subject).toBe('Reset your Health Exchange Gateway password');
    expect(mail.text).toContain('Hello Megan,');
    expect(mail.text).toContain(app.baseUrl);
    const link = linkIn(mail, resetPrefix());
    expect(mail.html).toContain(`href="${link}"`);
    expect((await fetch(link)).status).toBe(200);

    // sign-up's rules; a refused password does not spend the link
    const weak = await setPassword(tokenOf(link), 'password');
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('must contain a digit');
    const done = await setPassword(tokenOf(link), 'New-pass-42');
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your new password is set');

    const portal = await oidc.discovery(new URL(`${app.baseUrl}/o`), 'portal', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    await expect(oidc.refreshTokenGrant(portal, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await browser.stillSignedIn()).toBe(false);
    // the access token handed out before the reset is refused at once, on every face
    expect((await me(tokens.access_token)).status).toBe(401);
    const fhirRead = await fetch(`${app.baseUrl}/fhir/r5/Practitioner/3`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(fhirRead.status).toBe(401);
    const [{ n: after }] = await sql<{ n: string }>(
      `select count(*) as n from oidc_payloads where payload->>'accountId' = '10003'`,
    );
    expect(Number(after)).toBe(0);

    expect((await postLogin(app, 'megan@example.com', 'Jhe1234!')).status).toBe(401);
    expect(await postLogin(app, 'megan@example.com', 'New-pass-42')).toMatchObject({ signedIn: true });
    // the link is spent
    expect((await setPassword(tokenOf(link), 'Other-pass-43')).status).toBe(400);
    expect((await fetch(link)).status).toBe(400);
    // nobody else's password changed, nor their sessions
    expect(await postLogin(app, 'victor@example.com', 'Jhe1234!')).toMatchObject({ signedIn: true });
  });

  it('refuses expired links, and links of the other purpose', async () => {
    const token = await resetToken('tom@example.com');
    await sql(`update email_tokens set expires_at = now() - interval '1 second' where used_at is null`);
    const expired = await setPassword(token, 'New-pass-42');
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('Ask for a new reset link');
    expect(await postLogin(app, 'tom@example.com', 'Jhe1234!')).toMatchObject({ signedIn: true });

    // a sign-up's confirmation token resets nothing, a reset token confirms nothing
    await form('/o/signup', {
      inviteCode: 'jhe',
      firstName: 'Una',
      lastName: 'Verified',
      email: 'una@example.org',
      password: 'Secret123',
    });
    const verify = tokenOf(linkIn(await mailbox.next('una@example.org'), `${app.baseUrl}/o/verify?token=`));
    expect((await setPassword(verify, 'New-pass-42')).status).toBe(400);
    const reset = await resetToken('una@example.org');
    expect((await form('/o/verify', { token: reset })).status).toBe(400);
    expect((await postLogin(app, 'una@example.org', 'Secret123')).status).toBe(403);
    // a reset proves the address too: the account can sign in with its new password
    expect((await setPassword(reset, 'New-pass-42')).status).toBe(200);
    expect(await postLogin(app, 'una@example.org', 'New-pass-42')).toMatchObject({ signedIn: true });
  });

  it('lets only one of two simultaneous uses of a link through', async () => {
    const token = await resetToken('mark@example.com');
    const answers = await Promise.all([setPassword(token, 'First-pass-1'), setPassword(token, 'Second-pass-2')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const winner = answers[0]!.status === 200 ? 'First-pass-1' : 'Second-pass-2';
    expect(await postLogin(app, 'mark@example.com', winner)).toMatchObject({ signedIn: true });
  });

  it('throttles requests per account, whether or not it exists, with the same answer', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const res = await forgot('ghost@example.org');
      answers.push(res.status);
    }
    expect(answers).toEqual([200, 200, 200, 429]);
    const text = await (await forgot('ghost@example.org')).text();
    expect(text).toContain('Too many reset requests');
  });
});
