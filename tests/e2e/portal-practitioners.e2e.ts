import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see, signIn } from '../support/chromium.js';
import { linkIn, type Mailbox, startMailbox } from '../support/mail.js';
import { createPractitioner } from '../../src/services/practitioners.js';
import { gql } from '../support/tokens.js';

let app: TestApp;
let browser: Browser;
let mailbox: Mailbox;
const violations: string[] = [];
/** the confirmations the screen asked for (each accepted) */
const dialogs: string[] = [];

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
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  cspViolations(context, violations);
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.accept();
  });
  return page;
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const accountRow = (page: Page, email: string): Locator =>
  page
    .getByRole('table', { name: 'Practitioners' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: email, exact: true }) });

describe('sam (super user) manages practitioner accounts', () => {
  let page: Page;
  beforeAll(async () => {
    page = await freshPage();
    await signIn(page, app.baseUrl, 'sam@example.com');
  });

  it('lists the accounts, and finds them by name', async () => {
    await mainNav(page).getByRole('link', { name: 'Practitioners' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Practitioners' }));
    await see(accountRow(page, 'mary@example.com').getByRole('cell', { name: 'Active' }));
    await see(accountRow(page, 'sam@example.com').getByRole('cell', { name: 'Super user' }));
    // no disable or delete on one's own row
    expect(await accountRow(page, 'sam@example.com').getByRole('button', { name: 'Delete' }).count()).toBe(0);

    const search = page.getByRole('search', { name: 'Search practitioners' });
    await search.getByLabel('Name contains').fill('meg');
    await search.getByRole('button', { name: 'Search' }).click();
    await see(page.getByText('1 practitioner; page 1'));
    await see(accountRow(page, 'megan@example.com'));
    expect(await page.getByRole('table', { name: 'Practitioners' }).getByRole('row').count()).toBe(2);
    await search.getByLabel('Name contains').fill('');
    await search.getByRole('button', { name: 'Search' }).click();
    await see(accountRow(page, 'mary@example.com'));
  });

  it('creates a practitioner, who gets the mail, chooses a password and signs in', async () => {
    const form = page.getByRole('form', { name: 'New practitioner' });
    await form.getByLabel('First name').fill('Nora');
    await form.getByLabel('Last name').fill('Newton');
    await form.getByLabel('Email').fill('mary@example.com');
    await form.getByRole('button', { name: 'Create and send invitation' }).click();
    await see(form.getByRole('alert').filter({ hasText: 'already exists' }));

    await form.getByLabel('Email').fill('nora@example.org');
    await form.getByRole('button', { name: 'Create and send invitation' }).click();
    await see(page.getByRole('status').filter({ hasText: 'Invitation sent to nora@example.org' }));
    await see(accountRow(page, 'nora@example.org').getByRole('cell', { name: 'Invited (email not confirmed)' }));
    await screenshot(page, '70-practitioners-invited');

    const mail = await mailbox.next('nora@example.org');
    const nora = await freshPage();
    await nora.goto(linkIn(mail, `${app.baseUrl}/o/password/reset?token=`));
    await nora.getByLabel(/^New password/).fill('Nora-2026!');
    await nora.getByRole('button', { name: 'Set the new password' }).click();
    await see(nora.getByRole('heading', { name: 'Password changed' }));
    await signIn(nora, app.baseUrl, 'nora@example.org', 'Nora-2026!');
    await see(mainNav(nora));
    // she is no super user: no Practitioners screen for her
    expect(await mainNav(nora).getByRole('link', { name: 'Practitioners' }).count()).toBe(0);
    await nora.context().close();
  });

  it('edits a practitioner’s name', async () => {
    await page.reload();
    const row = await see(accountRow(page, 'nora@example.org'));
    await row.getByRole('button', { name: 'Edit Nora Newton' }).click();
    const form = page.getByRole('form', { name: 'Edit practitioner' });
    await form.getByLabel('Last name').fill('Newell');
    await form.getByRole('button', { name: 'Save' }).click();
    await see(accountRow(page, 'nora@example.org').getByRole('cell', { name: 'Nora Newell' }));
  });

  it('disables a practitioner (their open portal stops working), enables them again', async () => {
    const megan = await freshPage();
    await signIn(megan, app.baseUrl, 'megan@example.com');
    await see(mainNav(megan));

    await accountRow(page, 'megan@example.com').getByRole('button', { name: 'Disable' }).click();
    await see(accountRow(page, 'megan@example.com').getByRole('cell', { name: 'Disabled' }));
    expect(dialogs.at(-1)).toMatch(/^Disable Megan .*signed out everywhere/);
    await screenshot(page, '71-practitioner-disabled');
    // her next request with the token she holds is refused
    await megan.reload();
    await see(megan.getByRole('alert').filter({ hasText: 'Your session has ended' }));
    await megan.context().close();

    await accountRow(page, 'megan@example.com')
      .getByRole('button', { name: /^Enable Megan/ })
      .click();
    await see(accountRow(page, 'megan@example.com').getByRole('cell', { name: 'Active' }));
    const again = await freshPage();
    await signIn(again, app.baseUrl, 'megan@example.com');
    await see(mainNav(again));
    await again.context().close();
  });

  it('deletes an account after confirming, and tells why one that must stay cannot go', async () => {
    // an account made by mistake, never used
    const form = page.getByRole('form', { name: 'New practitioner' });
    await form.getByLabel('First name').fill('Typo');
    await form.getByLabel('Last name').fill('Account');
    await form.getByLabel('Email').fill('typo@example.org');
    await form.getByRole('button', { name: 'Create and send invitation' }).click();
    await see(accountRow(page, 'typo@example.org'));
    await accountRow(page, 'typo@example.org').getByRole('button', { name: 'Delete' }).click();
    await accountRow(page, 'typo@example.org').waitFor({ state: 'detached' });
    expect(dialogs.at(-1)).toBe('Delete the account of Typo Account? This cannot be undone.');

    // mary's reads of patients are in the audit trail
    await gql(app, 'mary@example.com', '{ patients(first: 1) { nodes { id } } }');
    await app.audit.flush();
    await accountRow(page, 'mary@example.com').getByRole('button', { name: 'Delete' }).click();
    await see(page.getByRole('alert').filter({ hasText: 'disable it instead' }));
    await see(accountRow(page, 'mary@example.com'));
  });

  it('makes a practitioner a super user, and an ordinary one again', async () => {
    await accountRow(page, 'tom@example.com').getByRole('button', { name: 'Make super user' }).click();
    await see(accountRow(page, 'tom@example.com').getByRole('cell', { name: 'Super user' }));
    await accountRow(page, 'tom@example.com').getByRole('button', { name: 'Remove super user' }).click();
    await see(accountRow(page, 'tom@example.com').getByRole('cell', { name: 'Practitioner', exact: true }));
  });

  it('pages through more accounts than fit on a page', async () => {
    const em = app.db.orm.em.fork();
    for (let i = 1; i <= 25; i++) {
      const n = String(i).padStart(2, '0');
      await createPractitioner(em, {
        email: `extra${n}@example.org`,
        password: 'Extra-2026',
        firstName: 'Extra',
        lastName: `Person ${n}`,
      });
    }
    await page.reload();
    await see(page.getByText(/^\d+ practitioners; page 1$/));
    await see(accountRow(page, 'sam@example.com'));
    await page.getByRole('button', { name: 'Next' }).click();
    await see(page.getByText(/; page 2$/));
    await see(accountRow(page, 'extra25@example.org'));
    expect(await accountRow(page, 'sam@example.com').count()).toBe(0);
    await page.getByRole('button', { name: 'Previous' }).click();
    await see(accountRow(page, 'sam@example.com'));
  });
});

describe('other practitioners', () => {
  it('have no Practitioners screen', async () => {
    const page = await freshPage();
    await signIn(page, app.baseUrl, 'mary@example.com');
    await see(mainNav(page));
    expect(await mainNav(page).getByRole('link', { name: 'Practitioners' }).count()).toBe(0);
    await page.goto(`${app.baseUrl}/practitioners`);
    await see(page.getByText('Only super users manage practitioner accounts.'));
  });

  it('broke no Content-Security-Policy rule', () => {
    expect(violations).toEqual([]);
  });
});
