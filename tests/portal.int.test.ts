import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

// `npm test` builds first (pretest), so the portal is in dist/client.
const html = { accept: 'text/html,application/xhtml+xml' };
let app: TestApp;
let unbuilt: TestApp;
const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-no-client-'));

beforeAll(async () => {
  [app, unbuilt] = await Promise.all([startTestApp(), startTestApp({ CLIENT_DIR: emptyDir })]);
});
afterAll(async () => {
  await Promise.all([app?.close(), unbuilt?.close()]);
  rmSync(emptyDir, { recursive: true, force: true });
});

describe('the portal SPA served by the gateway', () => {
  it('answers its routes, the OIDC callback included, with the uncached index page', async () => {
    for (const route of ['/', '/auth/callback?code=x&state=y', '/studies/30001', '/invitation/host|code']) {
      const response = await fetch(`${app.baseUrl}${route}`, { headers: html });
      expect(response.status, route).toBe(200);
      expect(response.headers.get('cache-control'), route).toBe('no-store');
      expect(await response.text(), route).toContain('<div id="root">');
    }
  });

  it('serves the hashed assets the index page names, cached for good', async () => {
    const index = readFileSync('dist/client/index.html', 'utf8');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    const response = await fetch(`${app.baseUrl}${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${app.baseUrl}/assets/missing.js`)).status).toBe(404);
  });

  it('leaves the APIs and non-HTML requests alone', async () => {
    const fhir = await fetch(`${app.baseUrl}/fhir/r5/Unknown`, { headers: html });
    expect(fhir.headers.get('content-type')).toMatch(/fhir\+json/);
    const graphql = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(await graphql.json()).toEqual({ data: { me: null } });
    const api = await fetch(`${app.baseUrl}/no-such-api`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
  });

  it('says how to build the portal when it is missing', async () => {
    const response = await fetch(`${unbuilt.baseUrl}/`, { headers: html });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});
