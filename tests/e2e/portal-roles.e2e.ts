import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see, signIn } from '../support/chromium.js';
import { linkIn, type Mailbox, startMailbox } from '../support/mail.js';

let app: TestApp;
let browser: Browser;
/** what Chromium reported against the Content-Security-Policy in any session of this file */
const violations: string[] = [];

let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await startMailbox();
  [app, browser] = await Promise.all([startTestApp({ SMTP_URL: mailbox.url }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await mailbox?.close();
});

/** A fresh browser profile (no shared cookies or storage) signed in as `email`. */
async function sessionOf(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  cspViolations(context, violations);
  const page = await context.newPage();
  await signIn(page, app.baseUrl, email);
  return { context, page };
}

const absent = async (page: Page, ...names: string[]) => {
  for (const name of names) expect(await page.getByRole('form', { name }).count(), name).toBe(0);
};

describe('victor (viewer of BIDS) sees the data but no edit controls', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await sessionOf('victor@example.com'));
  });

  it('organization: practitioners listed, roles as text, no forms', async () => {
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    await see(page.getByRole('cell', { name: 'mary@example.com' }));
    await absent(page, 'Add practitioner', 'New organization', 'Edit organization');
    expect(await page.getByRole('combobox', { name: /^Role of/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete organization' }).count()).toBe(0);
    await screenshot(page, '10-victor-organization');
  });

  it('studies and a study: readable, with consents, and nothing to change', async () => {
    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    await page.getByRole('link', { name: 'BIDS Study on BP & HR' }).click();
    await see(page.getByRole('table', { name: 'Consents per scope' }).getByRole('link', { name: /Peter/ }));
    await absent(page, 'Edit study');
    for (const name of ['Delete study', 'Unenroll', 'Enroll', 'Add']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    await page.goBack();
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    await absent(page, 'New study');
  });

  it('patients: listed without selection or creation; a patient without invitation or edit', async () => {
    await page.getByRole('link', { name: 'Patients', exact: true }).click();
    await page.getByRole('link', { name: /Peter/ }).click();
    await see(page.getByRole('region', { name: 'Studies and consents' }));
    await absent(page, 'Save patient', 'Add identifier');
    expect(await page.getByRole('button', { name: /invitation/i }).count()).toBe(0);
    await page.goBack();
    await see(page.getByRole('table'));
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await absent(page, 'Create patient');
    await screenshot(page, '11-victor-patients');
  });

  it('the catalog is read-only', async () => {
    await page.getByRole('link', { name: 'Data sources & codes' }).click();
    await see(page.getByText('Only super users change the catalog.'));
    await see(page.getByRole('cell', { name: 'Dexcom' }));
    await absent(page, 'New data source', 'New codeable concept');
  });
});

describe('megan (member of BIDS) edits content of BIDS only', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await sessionOf('megan@example.com'));
  });

  it('may create studies but not manage practitioners', async () => {
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    await absent(page, 'Add practitioner', 'New organization');
    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    await see(page.getByRole('form', { name: 'New study' }));
  });

  it("cannot see another organization's organization page, patients or observations", async () => {
    const tree = page.getByRole('complementary', { name: 'Organizations' });
    await see(tree.getByRole('link', { name: 'Berkeley Institute for Data Science (BIDS)' }));
    expect(await tree.getByRole('link', { name: /Moslehi|UCSF|San Francisco/ }).count()).toBe(0);

    await page.goto(`${app.baseUrl}/organizations/20007`);
    await see(page.getByRole('alert'));
    expect(await page.getByRole('heading', { name: 'Moslehi Lab' }).count()).toBe(0);

    await page.goto(`${app.baseUrl}/patients/40003`);
    await see(page.getByRole('alert'));
    expect(await page.getByText('Percy').count()).toBe(0);

    await page.goto(`${app.baseUrl}/observations?patient=40003`);
    await see(page.getByRole('alert'));
    expect(await page.locator('table.observations tbody tr').count()).toBe(0);
    const studies = await page.getByLabel('Study').locator('option').allTextContents();
    expect(studies).toContain('BIDS Study on BP & HR');
    expect(studies.some((s) => /Moslehi|Olgin|Cardio/.test(s))).toBe(false);
    await screenshot(page, '12-megan-other-organization');
  });
});

describe('sam (super user) keeps the catalog', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await sessionOf('sam@example.com'));
  });

  it('creates a top-level organization from the home page', async () => {
    const form = page.getByRole('form', { name: 'New organization' });
    await form.getByLabel('Name').fill('Stanford Medicine');
    await form.getByLabel('Type').selectOption('EDU');
    await form.getByRole('button', { name: 'Create organization' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Stanford Medicine' }));
    await see(
      page.getByRole('complementary', { name: 'Organizations' }).getByRole('link', { name: 'Stanford Medicine' }),
    );
  });

  it('creates a code and a data source, and gives the source that scope', async () => {
    await page.getByRole('link', { name: 'Data sources & codes' }).click();
    const code = page.getByRole('form', { name: 'New codeable concept' });
    await code.getByLabel('Code').fill('omh:step-count:3.0x');
    await code.getByLabel('Text').fill('Steps (test)');
    await code.getByRole('button', { name: 'Create code' }).click();
    await see(page.getByRole('cell', { name: 'omh:step-count:3.0x' }));

    const source = page.getByRole('form', { name: 'New data source' });
    await source.getByLabel('Name').fill('Fitbit Charge');
    await source.getByLabel('Type').selectOption('PERSONAL_DEVICE');
    await source.getByRole('button', { name: 'Create data source' }).click();
    await page.getByRole('combobox', { name: 'Add a scope to Fitbit Charge' }).selectOption({ label: 'Steps (test)' });
    await see(page.getByRole('button', { name: 'Remove Steps (test) from Fitbit Charge' }));
    await screenshot(page, '13-sam-catalog');
  });

  it('chooses among the studies of every organization when filtering observations', async () => {
    await page.getByRole('link', { name: 'Observations' }).click();
    const study = page.getByRole('form', { name: 'Filter observations' }).getByLabel('Study');
    await study.locator('option', { hasText: 'Moslehi Study on BT' }).waitFor({ state: 'attached' });
    const options = await study.locator('option').allTextContents();
    expect(options).toEqual(
      expect.arrayContaining(['BIDS Study on BP & HR', 'Olgin Study on O2', 'Cardio Study on RR']),
    );
  });
});

describe('the session', () => {
  it('a new practitioner signs up with the invite code, confirms the email, signs in, and belongs to no organization yet', async () => {
    const page = await (await browser.newContext()).newPage();
    cspViolations(page, violations);
    await page.goto(`${app.baseUrl}/`);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Invitation code').fill('jhe');
    await page.getByLabel('First name').fill('Nina');
    await page.getByLabel('Last name').fill('Newcomer');
    await page.getByLabel('Email').fill('nina@example.com');
    await page.getByLabel(/^Password/).fill('Welcome2026');
    await page.getByRole('button', { name: 'Create account' }).click();
    await see(page.getByRole('heading', { name: 'Check your email' }));
    await page.goto(linkIn(await mailbox.next('nina@example.com'), `${app.baseUrl}/o/verify?token=`));
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(page, app.baseUrl, 'nina@example.com', 'Welcome2026');
    await see(page.getByText('You belong to no organization yet.'));
  });

  it('renews the access token with the refresh token when it is about to expire', async () => {
    const { page } = await sessionOf('mary@example.com');
    await page.getByRole('link', { name: 'Berkeley Institute for Data Science (BIDS)' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    // make the stored token look almost expired: the next request must renew it first
    await page.evaluate(`(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
      const user = JSON.parse(sessionStorage.getItem(key));
      user.expires_at = Math.floor(Date.now() / 1000) + 5;
      sessionStorage.setItem(key, JSON.stringify(user));
    })()`);
    const renewal = page.waitForRequest(
      (r) => r.url().endsWith('/o/token') && (r.postData() ?? '').includes('grant_type=refresh_token'),
    );
    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    await renewal;
    await see(page.getByRole('link', { name: 'BIDS Study on BP & HR' }));
  });

  it('signing out ends the provider session: signing in again asks for the password', async () => {
    const { page } = await sessionOf('victor@example.com');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: /sign me out/i }).click();
    await see(page.getByRole('button', { name: 'Sign in' }));
    await page.goto(`${app.baseUrl}/organizations/20003`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page.getByLabel('Password'));
  });
});

describe('the Content-Security-Policy', () => {
  it('was never violated in these sessions (portal, sign-in, sign-up and sign-out pages)', () => {
    expect(violations).toEqual([]);
  });
});
