import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageHash } from '../src/auth/adapter.js';
import { startTestApp, type TestApp } from './support/app.js';
import { readForm } from './support/browser.js';
import { postLogin } from './support/login-page.js';
import { linkIn, type Mailbox, startMailbox } from './support/mail.js';
import { portalSignIn } from './support/tokens.js';

let mailbox: Mailbox;
let app: TestApp;
beforeAll(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({ SMTP_URL: mailbox.url, SMTP_FROM: 'Gateway <gateway@example.org>' });
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
const signup = (email: string, extra: Record<string, string> = {}) =>
  form('/o/signup', {
    inviteCode: 'jhe',
    firstName: 'Rita',
    lastName: 'Researcher',
    email,
    password: 'Secret123',
    ...extra,
  });
const verifyPrefix = () => `${app.baseUrl}/o/verify?token=`;
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;
/** the confirmation page's form, posted as the browser does */
const confirm = async (link: string) => {
  const page = await fetch(link);
  if (page.status !== 200) return page;
  const { action, hidden } = readForm(await page.text(), link);
  return fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(hidden),
  });
};
const sql = <T>(query: string, params: unknown[] = []) => app.db.orm.em.getConnection().execute<T[]>(query, params);

describe('sign-up verifies the email', () => {
  it('mails a single-use link; the account signs in only once it is confirmed', async () => {
    const created = await signup('rita@example.org');
    expect(created.status).toBe(201);
    expect(await created.text()).toContain('We sent a link to rita@example.org');

    const mail = await mailbox.next('rita@example.org');
    expect(mail.from).toBe('"Gateway" <gateway@example.org>');
    expect(mail.subject).toBe('Confirm your email for the Health Exchange Gateway');
    expect(mail.text).toContain('Hello Rita,');
    expect(mail.text).toContain(app.baseUrl);
    expect(mail.text).not.toContain('Secret123');
    const link = linkIn(mail, verifyPrefix());
    expect(mail.html).toContain(`href="${link}"`);

    // before: the right password is refused, with a way to get a new link
    const before = await postLogin(app, 'rita@example.org', 'Secret123');
    expect(before).toMatchObject({ signedIn: false, status: 403 });
    expect(before.html).toContain('Confirm your email address first');
    expect(before.html).toContain('action="/o/verify/resend"');
    // a wrong password says nothing about the account's state
    const wrong = await postLogin(app, 'rita@example.org', 'Wrong1234');
    expect(wrong.status).toBe(401);
    expect(wrong.html).not.toContain('Confirm your email');

    // the link's page does not use the token (mail scanners open links); its button does, once
    expect((await fetch(link)).status).toBe(200);
    const confirmed = await confirm(link);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Your email is confirmed');
    const again = await form('/o/verify', { token: tokenOf(link) });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('has expired or was already used');

    const tokens = await portalSignIn(app, 'rita@example.org', { password: 'Secret123' });
    if (!('access_token' in tokens)) throw new Error(`sign-in failed: ${tokens.error}`);
    const info = await fetch(`${app.baseUrl}/o/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await info.json()).toMatchObject({ email: 'rita@example.org', email_verified: true });
  });

  it('stores only the hash of a token, and refuses guessed, malformed and expired ones', async () => {
    await signup('gus@example.org');
    const token = tokenOf(linkIn(await mailbox.next('gus@example.org'), verifyPrefix()));
    const rows = await sql<{ token_hash: string }>(
      `select token_hash from email_tokens t join users u on u.id = t.user_id where u.email = 'gus@example.org'`,
    );
    expect(rows).toEqual([{ token_hash: storageHash(token) }]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits

    const guess = `${token.slice(0, 42)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [guess, 'x', '', `${token}x`, token.toUpperCase()]) {
      expect((await form('/o/verify', { token: bad })).status).toBe(400);
      expect((await fetch(`${app.baseUrl}/o/verify?token=${encodeURIComponent(bad)}`)).status).toBe(400);
    }
    await sql(`update email_tokens set expires_at = now() - interval '1 second' where token_hash = ?`, [
      storageHash(token),
    ]);
    const expired = await form('/o/verify', { token });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('Ask for a new one');
    expect((await postLogin(app, 'gus@example.org', 'Secret123')).status).toBe(403);
  });

  it('resends a new link that replaces the old one, answering the same for unknown and verified accounts', async () => {
    await signup('nell@example.org');
    const first = linkIn(await mailbox.next('nell@example.org'), verifyPrefix());
    const answers = [];
    for (const email of ['nobody@example.org', 'mary@example.com', 'nell@example.org']) {
      const res = await form('/o/verify/resend', { email });
      answers.push([res.status, await res.text()]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]![0]).toBe(200);
    const second = linkIn(await mailbox.next('nell@example.org'), verifyPrefix());
    expect(second).not.toBe(first);
    expect((await confirm(first)).status).toBe(400);
    expect((await confirm(second)).status).toBe(200);
    // nothing was issued for the others
    const issued = await sql<{ email: string }>(
      `select u.email from email_tokens t join users u on u.id = t.user_id where u.email in ('nobody@example.org', 'mary@example.com')`,
    );
    expect(issued).toEqual([]);
    expect(mailbox.waiting('mary@example.com') + mailbox.waiting('nobody@example.org')).toBe(0);
  });

  it('throttles resending per address: 3 in 15 minutes', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await form('/o/verify/resend', { email: 'flood@example.org' })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('keeps names out of the headers and escapes them in HTML', async () => {
    const created = await signup('eve@example.org', { firstName: 'Eve\r\nBcc: mallory@example.org <b>x</b>' });
    expect(created.status).toBe(201);
    const mail = await mailbox.next('eve@example.org');
    expect(mail.to).toEqual(['eve@example.org']);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.subject).toBe('Confirm your email for the Health Exchange Gateway');
    expect(mail.html).not.toContain('<b>x</b>');
    expect(mail.html).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(mailbox.waiting('mallory@example.org')).toBe(0);
  });

  it('counts seeded and administrator-made accounts as verified', async () => {
    const rows = await sql<{ n: string }>(
      `select count(*) as n from users where email_verified_at is null and email like '%@example.com'`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
    expect(await postLogin(app, 'megan@example.com', 'Jhe1234!')).toMatchObject({ signedIn: true });
  });
});
