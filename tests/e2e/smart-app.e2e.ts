import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient } from '../../src/auth/client-registry.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see } from '../support/chromium.js';
import { serveStatic, type StaticSite } from '../support/static-server.js';

/**
 * A SMART app served from another origin (tests/e2e/smart-app/: plain HTML and JavaScript, PKCE with
 * WebCrypto) in real Chromium: from the origin in CORS_ORIGINS it discovers, signs in, exchanges its code
 * and searches cross-origin; the same app from an origin not listed can read none of it.
 */

const APP_DIR = path.resolve('tests/e2e/smart-app');
const CLIENT_ID = 'smart-demo';
const SCOPE = 'openid user/Observation.rs user/Patient.rs';

let app: TestApp;
let browser: Browser;
let allowed: StaticSite;
let denied: StaticSite;
let fhirBase: string;
let issuer: string;

beforeAll(async () => {
  [allowed, denied] = await Promise.all([serveStatic(APP_DIR), serveStatic(APP_DIR)]);
  [app, browser] = await Promise.all([startTestApp({ CORS_ORIGINS: allowed.origin }), launchChromium()]);
  fhirBase = `${app.baseUrl}/fhir/r5`;
  issuer = `${app.baseUrl}/o`;
  // the same client may come back to either origin, so that only CORS tells the two apart
  await registerClient(app.db.orm.em.fork(), {
    clientId: CLIENT_ID,
    name: 'SMART demo app',
    redirectUris: [`${allowed.origin}/callback`, `${denied.origin}/callback`],
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await Promise.all([allowed?.close(), denied?.close()]);
});

const launchUrl = (site: StaticSite) =>
  `${site.origin}/?${new URLSearchParams({ iss: fhirBase, client_id: CLIENT_ID, scope: SCOPE })}`;

/** The text of one of the app's `<output>`s once it has left its initial text (the app's step is done). */
async function outcome(page: Page, id: string, initial: string): Promise<string> {
  await page.waitForFunction(
    `document.getElementById(${JSON.stringify(id)}).textContent !== ${JSON.stringify(initial)}`,
  );
  return (await page.locator(`#${id}`).textContent()) ?? '';
}

/** The app's four cross-origin reads, tried from the page: what the page could read, or why not. */
function tryReads(page: Page, token: string) {
  return page.evaluate(
    async ({ fhirBase, issuer, token, clientId }) => {
      const attempt = (url: string, init?: RequestInit) =>
        fetch(url, init).then(
          (response) => `read ${response.status}`,
          (error: Error) => `refused: ${error.message}`,
        );
      return {
        discovery: await attempt(`${fhirBase}/.well-known/smart-configuration`),
        openidConfiguration: await attempt(`${issuer}/.well-known/openid-configuration`),
        token: await attempt(`${issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'x',
            client_id: clientId,
            code_verifier: 'y',
          }),
        }),
        search: await attempt(`${fhirBase}/Observation?patient._has:Group:member:_id=30001`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      };
    },
    { fhirBase, issuer, token, clientId: CLIENT_ID },
  );
}

describe('a SMART app on an origin in CORS_ORIGINS', () => {
  let page: Page;
  let violations: string[];
  const consoleLines: string[] = [];
  let accessToken: string;

  beforeAll(async () => {
    page = await (await browser.newContext()).newPage();
    violations = cspViolations(page);
    page.on('console', (message) => consoleLines.push(message.text()));
  });

  it('discovers the endpoints, signs mary in with PKCE and her consent, and searches with its token', async () => {
    await page.goto(launchUrl(allowed));
    expect(await outcome(page, 'discovery', 'not run')).toBe(`authorize at ${issuer}/auth`);
    await page.getByRole('button', { name: 'Sign in with the gateway' }).click();

    await page.getByLabel('Email').fill('mary@example.com');
    await page.getByLabel('Password').fill('Jhe1234!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page.getByRole('heading', { name: 'Allow access?' }));
    await see(page.getByText('SMART demo app'));
    await see(page.getByText('user/Observation.rs'));
    await screenshot(page, '30-smart-app-consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL((url) => url.origin === allowed.origin && url.pathname === '/callback');
    expect(await outcome(page, 'token', 'none')).toMatch(/^Bearer token/);
    const search = await outcome(page, 'search', 'not run');
    expect(search).toMatch(/^searchset: \d+ entries$/);
    expect(Number(/(\d+) entries/.exec(search)![1])).toBeGreaterThan(0);
    await screenshot(page, '31-smart-app-searched');
    accessToken = await page.evaluate<string>(`sessionStorage.getItem('access_token')`);
    expect(accessToken).toBeTruthy();
  });

  it('can read discovery, the token endpoint’s answer and a search', async () => {
    expect(await tryReads(page, accessToken)).toEqual({
      discovery: 'read 200',
      openidConfiguration: 'read 200',
      token: 'read 400', // invalid_grant: the provider answered the app
      search: 'read 200',
    });
  });

  it('met no CSP violation and no CORS refusal on the way', () => {
    expect(violations).toEqual([]);
    expect(consoleLines.filter((line) => /CORS|Access-Control/.test(line))).toEqual([]);
  });

  describe('the same app on an origin not in CORS_ORIGINS', () => {
    let deniedPage: Page;
    const deniedConsole: string[] = [];

    beforeAll(async () => {
      deniedPage = await (await browser.newContext()).newPage();
      deniedPage.on('console', (message) => deniedConsole.push(message.text()));
    });

    it('cannot read the discovery document', async () => {
      await deniedPage.goto(launchUrl(denied));
      expect(await outcome(deniedPage, 'discovery', 'not run')).toBe('failed: Failed to fetch');
      expect(await deniedPage.getByRole('button', { name: 'Sign in with the gateway' }).isDisabled()).toBe(true);
      await screenshot(deniedPage, '32-smart-app-denied-origin');
    });

    it('cannot read the token endpoint’s answer or a search, even with a valid token', async () => {
      expect(await tryReads(deniedPage, accessToken)).toEqual({
        discovery: 'refused: Failed to fetch',
        openidConfiguration: 'refused: Failed to fetch',
        token: 'refused: Failed to fetch',
        search: 'refused: Failed to fetch',
      });
      const refusals = deniedConsole.filter((line) => line.includes(`from origin '${denied.origin}'`));
      expect(refusals.length).toBeGreaterThanOrEqual(5);
      // the search's preflight (it sends Authorization) got no Access-Control-Allow-Origin
      expect(refusals).toContainEqual(
        expect.stringMatching(
          /Observation\?patient\._has:Group:member:_id=30001' .* Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header/,
        ),
      );
    });

    it('gets no Access-Control-Allow-Origin on the preflight the browser sends', async () => {
      const preflight = await fetch(`${fhirBase}/Observation?patient._has:Group:member:_id=30001`, {
        method: 'OPTIONS',
        headers: {
          origin: denied.origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
