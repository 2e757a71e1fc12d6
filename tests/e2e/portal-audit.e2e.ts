import type { Browser, Page } from 'playwright-core';
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

async function sessionOf(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  cspViolations(context, violations);
  const page = await context.newPage();
  await signIn(page, app.baseUrl, email);
  return page;
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const rowsOf = (page: Page, table: string, text: string | RegExp) =>
  page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: text });

describe('victor (viewer of BIDS) reads Peter, and tries Percy of another organization', () => {
  let page: Page;
  beforeAll(async () => {
    page = await sessionOf('victor@example.com');
  });

  it('sees Peter’s page without its access log, and has no Audit screen', async () => {
    await page.goto(`${app.baseUrl}/patients/40001`);
    await see(page.getByRole('heading', { level: 1, name: 'Peter Patient' }));
    expect(await page.getByRole('heading', { name: 'Who read this patient’s data' }).count()).toBe(0);
    expect(await mainNav(page).getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await page.goto(`${app.baseUrl}/audit`);
    await see(page.getByText('Only super users may read the audit trail.'));
  });

  it('is refused Percy (Moslehi Lab)', async () => {
    await page.goto(`${app.baseUrl}/patients/40003`);
    await see(page.getByRole('alert'));
    expect(await page.getByRole('heading', { level: 1, name: /Percy/ }).count()).toBe(0);
  });
});

describe('mary (manager of BIDS) sees who read Peter', () => {
  it('lists victor’s read on Peter’s page', async () => {
    await app.audit.flush();
    const page = await sessionOf('mary@example.com');
    await page.goto(`${app.baseUrl}/patients/40001`);
    await see(page.getByRole('heading', { name: 'Who read this patient’s data' }));
    const victors = await see(rowsOf(page, 'Access log', 'victor@example.com'));
    await see(victors.filter({ hasText: 'read Patient' }).first());
    // the log is about Peter: nobody's read of Percy is in it
    expect(await rowsOf(page, 'Access log', 'NOT_FOUND').count()).toBe(0);
    await screenshot(page, '40-mary-patient-access-log');
  });
});

describe('sam (super user) reads the audit trail', () => {
  let page: Page;
  beforeAll(async () => {
    await app.audit.flush();
    page = await sessionOf('sam@example.com');
  });

  it('opens Audit from the navigation: newest first, everyone’s accesses', async () => {
    await mainNav(page).getByRole('link', { name: 'Audit' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Audit trail' }));
    await see(rowsOf(page, 'Audit events', 'mary@example.com'));
    await see(rowsOf(page, 'Audit events', 'victor@example.com'));
  });

  // a patient out of the viewer's reach is answered as not found (its existence is not told): an error outcome
  it('filters by user and outcome: victor’s attempt on Percy, and only that', async () => {
    const form = page.getByRole('form', { name: 'Filter audit events' });
    await form.getByLabel('User id').fill('10004');
    await form.getByLabel('Outcome').selectOption('ERROR');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/outcome=ERROR/);
    const failed = await see(rowsOf(page, 'Audit events', 'error (NOT_FOUND)'));
    const body = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    expect(await body.count()).toBe(await failed.count());
    for (const text of await body.allInnerTexts()) {
      expect(text).toContain('victor@example.com');
      expect(text).not.toContain('mary@example.com');
    }
    await see(page.getByRole('table', { name: 'Audit events' }).getByRole('link', { name: '40003' }));
    await screenshot(page, '41-sam-audit-trail');
  });

  it('refuses a bad filter in the form, before asking the server', async () => {
    const form = page.getByRole('form', { name: 'Filter audit events' });
    await form.getByLabel('User id').fill('victor');
    await see(form.getByRole('alert').filter({ hasText: 'Ids are numbers' }));
    expect(await form.getByRole('button', { name: 'Apply filters' }).isDisabled()).toBe(true);
  });

  it('broke no Content-Security-Policy rule', () => {
    expect(violations).toEqual([]);
  });
});
