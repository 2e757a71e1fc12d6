import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see, signIn } from '../support/chromium.js';
import { linkIn, type Mailbox, startMailbox } from '../support/mail.js';

let app: TestApp;
let browser: Browser;
let mailbox: Mailbox;
const violations: string[] = [];

beforeAll(async () => {
  mailbox = await startMailbox();
  [app, browser] = await Promise.all([startTestApp({ SMTP_URL: mailbox.url }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mailbox?.close();
});

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  cspViolations(context, violations);
  return context.newPage();
}

/** From the portal's start page to the provider's login form, and posts it. */
async function submitLogin(page: Page, email: string, password: string) {
  await page.goto(`${app.baseUrl}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('sign-up confirms the email', () => {
  it('signs up, is refused until the mailed link is opened, confirms, then signs in', async () => {
    const page = await freshPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Invitation code').fill('jhe');
    await page.getByLabel('First name').fill('Rosa');
    await page.getByLabel('Last name').fill('Franklin');
    await page.getByLabel('Email').fill('rosa@example.org');
    await page.getByLabel(/^Password/).fill('Helix-1953');
    await page.getByRole('button', { name: 'Create account' }).click();
    await see(page.getByRole('heading', { name: 'Check your email' }));
    await screenshot(page, '60-signup-check-email');

    const mail = await mailbox.next('rosa@example.org');
    await submitLogin(page, 'rosa@example.org', 'Helix-1953');
    await see(page.getByRole('alert').filter({ hasText: 'Confirm your email address first' }));
    await see(page.getByRole('button', { name: 'Send a new confirmation link' }));
    await screenshot(page, '61-login-unconfirmed');

    await page.goto(linkIn(mail, `${app.baseUrl}/o/verify?token=`));
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await see(page.getByRole('heading', { name: 'Email confirmed' }));
    await screenshot(page, '62-email-confirmed');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill('rosa@example.org');
    await page.getByLabel('Password').fill('Helix-1953');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page.getByTestId('current-user').filter({ hasText: 'rosa@example.org' }));
  });
});

describe('forgot password', () => {
  it('asks for the email, mails a link, sets a new password that then signs in', async () => {
    const page = await freshPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await see(page.getByRole('heading', { name: 'Forgot your password?' }));
    await page.getByLabel('Email').fill('victor@example.com');
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await see(page.getByRole('heading', { name: 'Check your email' }));

    const mail = await mailbox.next('victor@example.com');
    await page.goto(linkIn(mail, `${app.baseUrl}/o/password/reset?token=`));
    // sign-up's rules, told on the page
    await page.getByLabel(/^New password/).fill('no-digits-here');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await see(page.getByRole('alert').filter({ hasText: 'must contain a digit' }));
    await page.getByLabel(/^New password/).fill('Victor-2026');
    await screenshot(page, '63-reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await see(page.getByRole('heading', { name: 'Password changed' }));

    const next = await freshPage();
    await submitLogin(next, 'victor@example.com', 'Jhe1234!');
    await see(next.getByRole('alert').filter({ hasText: 'The email or password is not correct.' }));
    await signIn(next, app.baseUrl, 'victor@example.com', 'Victor-2026');
  });
});

describe('invitations by email in the portal', () => {
  it('emails the invitation to the patient and lists it as emailed', async () => {
    const page = await freshPage();
    await signIn(page, app.baseUrl, 'megan@example.com');
    await page.getByRole('link', { name: 'Patients', exact: true }).click();
    await page.getByRole('link', { name: /Peter/ }).click();
    await page.getByRole('button', { name: 'Email the invitation to the patient' }).click();
    await see(page.getByRole('status').filter({ hasText: 'The invitation was emailed to the patient' }));
    const mail = await mailbox.next('peter@example.com');
    expect(mail.text).toContain(app.config.auth.invitationLinkPrefix);
    await see(page.getByRole('table', { name: 'Invitations' }).getByText(/emailed to the patient/));
    await screenshot(page, '64-invitation-emailed');
  });

  it('raised no Content-Security-Policy violation on any page', () => {
    expect(violations).toEqual([]);
  });
});
