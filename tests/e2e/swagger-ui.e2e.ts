import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see } from '../support/chromium.js';

/** The Admin REST API's Swagger UI, from the swagger-ui-dist package, in real Chromium under the gateway's CSP. */
let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('Swagger UI at /api/v1/schema/swagger-ui/', () => {
  it('renders the generated document’s operations, with no CSP violation', async () => {
    const page = await browser.newPage();
    const violations = cspViolations(page);
    await page.goto(`${app.baseUrl}/api/v1/schema/swagger-ui`);
    expect(page.url()).toBe(`${app.baseUrl}/api/v1/schema/swagger-ui/`);
    await see(page.getByText('Health Exchange Gateway Admin REST API'));
    await see(page.locator('.opblock-summary-path', { hasText: '/users/profile' }).first());
    await screenshot(page, 'swagger-ui');
    expect(violations).toEqual([]);
    await page.close();
  });
});
