import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see, signIn } from '../support/chromium.js';

let app: TestApp;
let browser: Browser;
/** what Chromium reported against the Content-Security-Policy in any session of this file */
const violations: string[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A fresh browser profile signed in as `email`; confirm dialogs (deletes) are accepted. */
async function sessionOf(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  cspViolations(context, violations);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, app.baseUrl, email);
  return page;
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const clientRow = (page: Page, name: string): Locator =>
  page
    .getByRole('table', { name: 'Clients' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });

describe('sam (super user) keeps the clients', () => {
  let page: Page;
  let secret = '';
  beforeAll(async () => {
    page = await sessionOf('sam@example.com');
  });

  it('opens Clients from the navigation and sees the demo clients', async () => {
    await mainNav(page).getByRole('link', { name: 'Clients' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Clients' }));
    const carex = await see(clientRow(page, 'CareX'));
    await see(carex.getByRole('cell', { name: 'carex', exact: true }));
    await see(carex.getByRole('cell', { name: 'https://carex.ai/?invitation=CODE' }));
    await see(carex.getByRole('cell', { name: 'Public' }));
    await see(clientRow(page, 'CommonHealth').getByRole('cell', { name: 'iHealth, Dexcom' }));
  });

  it('shows the server’s validation message, then creates a confidential client and its secret once', async () => {
    const form = page.getByRole('form', { name: 'New client' });
    await form.getByLabel('Name').fill('Glucose Coach');
    await form.getByLabel('OAuth client id').fill('glucose-coach');
    await form.getByLabel('Redirect URIs').fill('https://coach.example.org/callback');
    await form.getByLabel('Invitation URL').fill('https://coach.example.org/start');
    await form.getByRole('checkbox', { name: 'Dexcom' }).check();
    await form.getByRole('checkbox', { name: /^Confidential/ }).check();
    await form.getByRole('button', { name: 'Create client' }).click();
    await see(form.getByRole('alert').filter({ hasText: 'invitationUrl: must contain CODE' }));

    await form.getByLabel('Invitation URL').fill('https://coach.example.org/start?code=CODE');
    await form.getByRole('button', { name: 'Create client' }).click();
    const shown = await see(page.getByTestId('client-secret'));
    secret = await shown.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const note = page.getByRole('region', { name: 'Client secret' });
    await see(note.getByText(/shown only this once/));
    const row = await see(clientRow(page, 'Glucose Coach'));
    await see(row.getByRole('cell', { name: 'Confidential' }));
    await see(row.getByRole('cell', { name: 'glucose-coach', exact: true }));
    expect(await form.getByLabel('Name').inputValue()).toBe('');
    await screenshot(page, '30-sam-client-secret');

    await note.getByRole('button', { name: 'I have stored it' }).click();
    await note.waitFor({ state: 'detached' });
    await page.reload();
    await see(clientRow(page, 'Glucose Coach'));
    expect(await page.getByTestId('client-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it('edits it: name, redirect URIs, invitation URL and data sources', async () => {
    await page.getByRole('button', { name: 'Edit Glucose Coach' }).click();
    const form = page.getByRole('form', { name: 'Edit client Glucose Coach' });
    await see(form.getByText('glucose-coach'));
    await form.getByLabel('Name').fill('Glucose Coach Pro');
    await form
      .getByLabel('Redirect URIs')
      .fill('https://coach.example.org/callback\nhttps://coach.example.org/callback-2');
    await form.getByLabel('Invitation URL').fill('https://coach.example.org/join?invitation=CODE');
    await form.getByRole('checkbox', { name: 'Oura' }).check();
    await form.getByRole('button', { name: 'Save client' }).click();
    await form.waitFor({ state: 'detached' });

    const row = await see(clientRow(page, 'Glucose Coach Pro'));
    await see(row.getByRole('cell', { name: 'https://coach.example.org/join?invitation=CODE' }));
    await see(row.getByText('https://coach.example.org/callback-2'));
    await see(row.getByRole('cell', { name: 'Dexcom, Oura' }));
    await see(row.getByRole('cell', { name: 'Confidential' }));
    expect(await clientRow(page, 'Glucose Coach').count()).toBe(0);
    await screenshot(page, '31-sam-clients');
  });

  it('creates a public client (no secret) and deletes it after confirming', async () => {
    const form = page.getByRole('form', { name: 'New client' });
    await form.getByLabel('Name').fill('Throwaway');
    await form.getByLabel('OAuth client id').fill('throwaway');
    await form.getByLabel('Redirect URIs').fill('https://throwaway.example.org/cb');
    await form.getByRole('button', { name: 'Create client' }).click();
    const row = await see(clientRow(page, 'Throwaway'));
    await see(row.getByRole('cell', { name: 'Public' }));
    expect(await page.getByTestId('client-secret').count()).toBe(0);

    await row.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await see(clientRow(page, 'Glucose Coach Pro'));
  });
});

describe('mary (manager of BIDS) gives a study a client and invites a patient to it', () => {
  let page: Page;
  beforeAll(async () => {
    page = await sessionOf('mary@example.com');
  });

  it('has no Clients navigation', async () => {
    await see(mainNav(page).getByRole('link', { name: 'Data sources & codes' }));
    expect(await mainNav(page).getByRole('link', { name: 'Clients' }).count()).toBe(0);
  });

  it('adds CareX to a new study of BIDS and removes it', async () => {
    await page.getByRole('combobox', { name: 'Switch organization' }).selectOption('20003');
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    const form = page.getByRole('form', { name: 'New study' });
    await form.getByLabel('Study name').fill('Sleep at home');
    await form.getByRole('button', { name: 'Create study' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Sleep at home' }));

    const clients = page.getByRole('region', { name: 'Clients' });
    await see(clients.getByText('No clients yet.'));
    await clients.getByLabel('Add client').selectOption({ label: 'CareX' });
    await clients.getByRole('button', { name: 'Add', exact: true }).click();
    const remove = await see(clients.getByRole('button', { name: 'Remove the client CareX' }));
    await screenshot(page, '32-mary-study-clients');

    await remove.click();
    await see(clients.getByText('No clients yet.'));
    expect(await clients.getByRole('button', { name: 'Remove the client CareX' }).count()).toBe(0);
  });

  it('invites Peter (BIDS Study on BP & HR holds CareX) to CareX: the link is CareX’s', async () => {
    await page.goto(`${app.baseUrl}/patients/40001`);
    await see(page.getByRole('heading', { level: 1, name: 'Peter Patient' }));
    const section = page.getByRole('region', { name: 'Invitation to the patient app' });
    const choice = section.getByLabel('App', { exact: true });
    await choice.selectOption({ label: 'CareX' });
    const options = await choice.locator('option').allTextContents();
    expect(options).toEqual(['Patient app (default)', 'CommonHealth', 'CareX']);
    await section.getByRole('button', { name: 'Generate invitation link' }).click();
    const link = await (await see(section.getByTestId('invitation-link'))).inputValue();
    expect(link).toMatch(/^https:\/\/carex\.ai\/\?invitation=\S+$/);

    const row = section.getByRole('table', { name: 'Invitations' }).getByRole('row').nth(1);
    await see(row.getByRole('cell', { name: 'CareX', exact: true }));
    await see(row.getByText(/^pending, expires/));
    await screenshot(page, '33-mary-invitation-carex');
  });
});

describe('no Clients navigation for those who do not manage clients', () => {
  for (const email of ['megan@example.com', 'peter@example.com']) {
    it(`${email}`, async () => {
      const page = await sessionOf(email);
      await see(mainNav(page).getByRole('link', { name: 'Observations' }));
      expect(await mainNav(page).getByRole('link', { name: 'Clients' }).count()).toBe(0);
    });
  }
});

describe('the Content-Security-Policy', () => {
  it('was never violated in these sessions', () => {
    expect(violations).toEqual([]);
  });
});
