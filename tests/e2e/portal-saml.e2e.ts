import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see } from '../support/chromium.js';
import { startTestIdp, type TestIdp } from '../support/saml-idp.js';

let idp: TestIdp;
let app: TestApp;
let browser: Browser;
const violations: string[] = [];

beforeAll(async () => {
  idp = await startTestIdp();
  [app, browser] = await Promise.all([
    startTestApp({
      SAML_IDP_METADATA: idp.metadataUrl,
      SAML_ALLOWED_DOMAINS: 'uni.example.edu',
      SAML_DISPLAY_NAME: 'Example University',
    }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await idp?.close();
});

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  cspViolations(context, violations);
  return context.newPage();
}

describe('single sign-on in the browser', () => {
  it('shows "Sign in with Example University", goes through the IdP and lands signed in to the portal', async () => {
    idp.answer = { email: 'grace@uni.example.edu', firstName: 'Grace', lastName: 'Hopper' };
    const page = await freshPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const sso = await see(page.getByRole('button', { name: 'Sign in with Example University' }));
    await screenshot(page, '70-login-with-sso');
    await sso.click();
    // the IdP's page (another origin) posts the signed response to the gateway's ACS, cross-site
    await page.getByRole('button', { name: 'Continue to the service' }).click();
    await see(page.getByTestId('current-user').filter({ hasText: 'grace@uni.example.edu' }));
    await screenshot(page, '71-signed-in-with-sso');
    expect(violations).toEqual([]);
    // no default organizations configured: the new account waits for a manager to add it
    const roles = await app.db.orm.em
      .getConnection()
      .execute(
        'select u.kind, count(po.id)::int as roles from users u join practitioners p on p.user_id = u.id left join practitioner_organizations po on po.practitioner_id = p.id where u.email = ? group by u.kind',
        ['grace@uni.example.edu'],
      );
    expect(roles).toEqual([{ kind: 'practitioner', roles: 0 }]);
  });

  it('shows why a refused answer is refused', async () => {
    idp.answer = { email: 'eve@elsewhere.example.org' };
    const page = await freshPage();
    await page.goto(`${app.baseUrl}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in with Example University' }).click();
    await page.getByRole('button', { name: 'Continue to the service' }).click();
    await see(page.getByRole('heading', { name: 'Single sign-on refused' }));
    await see(page.getByText('Accounts of elsewhere.example.org cannot sign in here'));
  });
});
