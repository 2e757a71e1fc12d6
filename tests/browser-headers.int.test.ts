import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../src/http/security-headers.js';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { freePort } from './support/server-process.js';
import { tokenFor } from './support/tokens.js';

/** CORS and the security headers over real HTTP (the browser's side of them: tests/e2e/smart-app.e2e.ts). */

const ALLOWED = 'http://127.0.0.1:5555';
const DENIED = 'http://127.0.0.1:6666';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ CORS_ORIGINS: ALLOWED });
});
afterAll(() => app?.close());

const preflight = (path: string, origin: string, method = 'GET', headers = 'authorization') =>
  fetch(`${app.baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

/** What a browser app calls, by face; each needs a preflight (a bearer token, JSON or FHIR JSON). */
const CALLS: { path: string; method: string; headers: string }[] = [
  { path: '/graphql', method: 'POST', headers: 'authorization,content-type' },
  { path: '/fhir/r5/metadata', method: 'GET', headers: 'accept' },
  { path: '/fhir/r5/.well-known/smart-configuration', method: 'GET', headers: 'accept' },
  { path: '/fhir/r5/Observation?patient=40001', method: 'GET', headers: 'authorization' },
  { path: '/fhir/r5/Observation', method: 'POST', headers: 'authorization,content-type,prefer' },
  { path: '/fhir/r5/', method: 'POST', headers: 'authorization,content-type' },
  { path: '/o/.well-known/openid-configuration', method: 'GET', headers: 'accept' },
  { path: '/o/jwks', method: 'GET', headers: 'accept' },
  { path: '/o/token', method: 'POST', headers: 'content-type' },
  { path: '/o/token/revocation', method: 'POST', headers: 'content-type' },
  { path: '/o/reg', method: 'POST', headers: 'content-type' },
  { path: '/.well-known/oauth-protected-resource', method: 'GET', headers: 'accept' },
  { path: '/.well-known/oauth-protected-resource/mcp', method: 'GET', headers: 'accept' },
  { path: '/.well-known/oauth-authorization-server/o', method: 'GET', headers: 'accept' },
  { path: '/o/me', method: 'GET', headers: 'authorization' },
];

describe('CORS for an allowed origin (CORS_ORIGINS)', () => {
  it('answers preflights on every face before authentication: 204, its origin, methods and headers', async () => {
    for (const call of CALLS) {
      const response = await preflight(call.path, ALLOWED, call.method, call.headers);
      const what = `${call.method} ${call.path}`;
      expect(response.status, what).toBe(204);
      expect(response.headers.get('access-control-allow-origin'), what).toBe(ALLOWED);
      expect(response.headers.get('access-control-allow-methods'), what).toMatch(new RegExp(call.method));
      for (const header of ['Authorization', 'Content-Type', 'Prefer']) {
        expect(response.headers.get('access-control-allow-headers'), what).toContain(header);
      }
      expect(response.headers.get('access-control-allow-credentials'), what).toBeNull();
      expect(response.headers.get('access-control-max-age'), what).toBe('600');
      expect(response.headers.get('vary'), what).toMatch(/origin/i);
      expect(response.headers.get('www-authenticate'), what).toBeNull();
    }
  });

  it('gives answers its origin once and exposes the headers FHIR and OAuth clients read', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const answers = [
      await fetch(`${app.baseUrl}/fhir/r5/metadata`, { headers: { origin: ALLOWED } }),
      await fetch(`${app.baseUrl}/fhir/r5/Observation?patient=40001`, {
        headers: { origin: ALLOWED, authorization: `Bearer ${token}` },
      }),
      await fetch(`${app.baseUrl}/fhir/r5/Observation?patient=40001`, { headers: { origin: ALLOWED } }), // 401
      await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { origin: ALLOWED, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { email } }' }),
      }),
      await fetch(`${app.baseUrl}/o/.well-known/openid-configuration`, { headers: { origin: ALLOWED } }),
      await fetch(`${app.baseUrl}/o/jwks`, { headers: { origin: ALLOWED } }),
      await fetch(`${app.baseUrl}/o/me`, { headers: { origin: ALLOWED, authorization: `Bearer ${token}` } }),
      await fetch(`${app.baseUrl}/o/token`, {
        method: 'POST',
        headers: { origin: ALLOWED, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=nope&client_id=portal&code_verifier=x',
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 200, 200, 200, 200, 400]);
    for (const answer of answers) {
      expect(answer.headers.get('access-control-allow-origin'), answer.url).toBe(ALLOWED);
      expect(answer.headers.get('access-control-expose-headers'), answer.url).toBe(
        'Location, Content-Location, Last-Modified, ETag, WWW-Authenticate, Retry-After',
      );
      expect(answer.headers.get('access-control-allow-credentials'), answer.url).toBeNull();
    }
    expect(await answers[7]!.json()).toMatchObject({ error: 'invalid_grant' }); // the provider did its work
  });

  it('keeps Apollo’s CSRF prevention: a simple (unpreflighted) POST is refused', async () => {
    const response = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
  });
});

describe('CORS for any other origin', () => {
  it('refuses its preflights on every face, with no CORS header', async () => {
    for (const origin of [DENIED, 'null', 'https://gateway.example.org']) {
      for (const call of CALLS) {
        const response = await preflight(call.path, origin, call.method, call.headers);
        const what = `${origin} ${call.method} ${call.path}`;
        expect(response.status, what).toBe(403);
        expect(
          [...response.headers.keys()].filter((h) => h.startsWith('access-control-')),
          what,
        ).toEqual([]);
      }
    }
  });

  it('gets no CORS header on answers, /o’s discovery and keys included', async () => {
    for (const path of [
      '/fhir/r5/metadata',
      '/fhir/r5/.well-known/smart-configuration',
      '/fhir/r5/Observation',
      '/o/.well-known/openid-configuration',
      '/o/jwks',
      '/o/me',
    ]) {
      const response = await fetch(`${app.baseUrl}${path}`, { headers: { origin: DENIED } });
      expect(
        [...response.headers.keys()].filter((h) => h.startsWith('access-control-')),
        path,
      ).toEqual([]);
      expect(response.headers.get('vary'), path).toMatch(/origin/i);
    }
  });

  it('cannot use the token endpoint: the provider refuses before looking at the code', async () => {
    const response = await fetch(`${app.baseUrl}/o/token`, {
      method: 'POST',
      headers: { origin: DENIED, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=nope&client_id=portal&code_verifier=x',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_request',
      error_description: `origin ${DENIED} not allowed for client: portal`,
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('same-origin calls without an Origin header are untouched', async () => {
    const response = await fetch(`${app.baseUrl}/fhir/r5/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('credentials', () => {
  it('are never allowed, and `*` is never answered to a browser origin, on any face', async () => {
    const paths = [...CALLS.map((c) => c.path), '/', '/healthz', '/o/signup', '/o/auth?client_id=portal'];
    for (const path of paths) {
      for (const origin of [undefined, ALLOWED, DENIED]) {
        for (const method of ['GET', 'OPTIONS']) {
          const headers: Record<string, string> = origin ? { origin } : {};
          if (method === 'OPTIONS') headers['access-control-request-method'] = 'GET';
          const response = await fetch(`${app.baseUrl}${path}`, { method, headers, redirect: 'manual' });
          const what = `${method} ${path} from ${origin ?? 'no origin'}`;
          expect(response.headers.get('access-control-allow-credentials'), what).toBeNull();
          if (origin) expect(response.headers.get('access-control-allow-origin'), what).not.toBe('*');
        }
      }
    }
  });
});

describe('security headers', () => {
  const cspOf = (response: Response) =>
    Object.fromEntries(
      (response.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    ) as Record<string, string[]>;
  const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  function expectHelmet(response: Response, what: string) {
    const csp = cspOf(response);
    expect(csp['default-src'], what).toEqual(["'self'"]);
    expect(csp['script-src'], what).toEqual(expect.arrayContaining(["'self'"]));
    expect(csp['script-src']!.join(' '), what).not.toMatch(/unsafe/);
    expect(csp['style-src']!.join(' '), what).not.toMatch(/unsafe/);
    expect(csp['object-src'], what).toEqual(["'none'"]);
    expect(csp['frame-ancestors'], what).toEqual(["'none'"]);
    expect(csp['upgrade-insecure-requests'], what).toBeUndefined(); // PUBLIC_URL is http here
    expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
    expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
    expect(response.headers.get('x-frame-options'), what).toBe('DENY');
    expect(response.headers.get('cross-origin-resource-policy'), what).toBe('same-origin');
    expect(response.headers.get('strict-transport-security'), what).toBeNull();
    expect(response.headers.get('x-powered-by'), what).toBeNull();
    return csp;
  }

  it('are on API answers, error answers included', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const bearer = { authorization: `Bearer ${token}` };
    const answers = {
      graphql: await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: JSON.stringify({ query: '{ me { id } }' }),
      }),
      'graphql bad JSON': await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      'fhir search': await fetch(`${app.baseUrl}/fhir/r5/Observation?patient=40001&_count=1`, { headers: bearer }),
      'fhir 401': await fetch(`${app.baseUrl}/fhir/r5/Observation`),
      'fhir 404': await fetch(`${app.baseUrl}/fhir/r5/Unknown`, { headers: bearer }),
      'fhir preflight': await preflight('/fhir/r5/Patient', ALLOWED),
      'denied preflight': await preflight('/fhir/r5/Patient', DENIED),
      healthz: await fetch(`${app.baseUrl}/healthz`),
      'unknown endpoint': await fetch(`${app.baseUrl}/nope`, { headers: { accept: 'application/json' } }),
      'bad percent-encoding': await fetch(`${app.baseUrl}/studies/%E0%A4%A`, { headers: { accept: 'text/html' } }),
    };
    for (const [what, response] of Object.entries(answers)) {
      const csp = expectHelmet(response, what);
      expect(csp['form-action'], what).toEqual(["'self'"]);
      expect(response.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
    }
    expect(answers['bad percent-encoding'].status).toBe(400);
    expect(await answers['bad percent-encoding'].json()).toEqual({
      error: 'invalid_request',
      message: 'The URL’s percent-encoding is not valid',
    });
  });

  it('are on the portal’s page and files; its CSP has no inline allowance, which its build does not need', async () => {
    const index = readFileSync('dist/client/index.html', 'utf8');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const page = await fetch(`${app.baseUrl}/studies/30001`, { headers: { accept: 'text/html' } });
    const csp = expectHelmet(page, 'portal page');
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    expectHelmet(await fetch(`${app.baseUrl}${script}`), 'portal script');
    expectHelmet(await fetch(`${app.baseUrl}/assets/missing.js`), 'missing asset');
  });

  it('are on the provider’s pages, whose style block the CSP allows by its hash; no form-action there', async () => {
    const pages = {
      signup: await fetch(`${app.baseUrl}/o/signup`),
      'expired interaction': await fetch(`${app.baseUrl}/o/interaction/nope`),
      'provider error page': await fetch(`${app.baseUrl}/o/auth?client_id=nope`, { headers: { accept: 'text/html' } }),
      'device code page': await fetch(`${app.baseUrl}/o/device`),
      'device form without a session': await fetch(`${app.baseUrl}/o/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: 'xsrf=x&user_code=y',
      }),
    };
    expect(Object.values(pages).map((p) => p.status)).toEqual([200, 400, 400, 200, 400]);
    for (const [what, response] of Object.entries(pages)) {
      const csp = expectHelmet(response, what);
      const html = await response.text();
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
      expect(styles, what).toHaveLength(1);
      expect(csp['style-src'], what).toEqual(["'self'", sha256(styles[0]!)]);
      expect(html, what).not.toMatch(/\son[a-z]+="|style="|<script|fonts\.googleapis/);
      expect(csp['form-action'], what).toBeUndefined();
      expect(response.headers.get('cross-origin-opener-policy'), what).toBeNull();
    }
    const json = await fetch(`${app.baseUrl}/o/.well-known/openid-configuration`);
    expectHelmet(json, 'discovery');
    expectHelmet(await fetch(`${app.baseUrl}/o/nope`), 'unknown /o path');
  });

  it('let oidc-provider add the hash of its form_post page’s inline script', async () => {
    const response = await fetch(`${app.baseUrl}/o/device?user_code=ABCD-EFGH`);
    const html = await response.text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(cspOf(response)['script-src']).toEqual(["'self'", sha256(script)]);
  });

  it('include HSTS and upgrade-insecure-requests only when PUBLIC_URL is https', async () => {
    const headersFor = async (publicUrl: string) => {
      const bare = express().use(securityHeaders(publicUrl), (_req, res) => void res.send('ok'));
      const port = await freePort();
      const server: Server = await new Promise((resolve) => {
        const s = bare.listen(port, '127.0.0.1', () => resolve(s));
      });
      try {
        return (await fetch(`http://127.0.0.1:${port}/`)).headers;
      } finally {
        server.close();
      }
    };
    const https = await headersFor('https://gateway.example.org');
    expect(https.get('strict-transport-security')).toBe('max-age=31536000');
    expect(https.get('content-security-policy')).toMatch(/upgrade-insecure-requests/);
    const http = await headersFor('http://localhost:8000');
    expect(http.get('strict-transport-security')).toBeNull();
    expect(http.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
  });
});

describe('the CapabilityStatement', () => {
  it('says CORS is supported, names SMART, and lists OAuth endpoints that exist and match discovery', async () => {
    const { rest } = await json(await fetch(`${app.baseUrl}/fhir/r5/metadata`));
    const { security } = rest[0];
    expect(security.cors).toBe(true);
    expect(security.service[0].coding).toEqual([
      { system: 'http://hl7.org/fhir/restful-security-service', code: 'SMART-on-FHIR', display: 'SMART-on-FHIR' },
    ]);
    expect(security.description).toMatch(/CORS_ORIGINS/);
    const uris = Object.fromEntries(
      security.extension[0].extension.map((e: { url: string; valueUri: string }) => [e.url, e.valueUri]),
    );
    const smart = await json(await fetch(`${app.baseUrl}/fhir/r5/.well-known/smart-configuration`));
    const openid = await json(await fetch(`${app.baseUrl}/o/.well-known/openid-configuration`));
    expect(uris).toEqual({
      authorize: smart.authorization_endpoint,
      token: smart.token_endpoint,
      revoke: smart.revocation_endpoint,
      introspect: smart.introspection_endpoint,
      register: smart.registration_endpoint,
    });
    expect([uris.authorize, uris.token, uris.revoke, uris.introspect, uris.register]).toEqual([
      openid.authorization_endpoint,
      openid.token_endpoint,
      openid.revocation_endpoint,
      openid.introspection_endpoint,
      openid.registration_endpoint,
    ]);
    expect(security.extension[0].extension.map((e: { url: string }) => e.url)).not.toContain('manage');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const uri of [uris.token, uris.revoke, uris.introspect]) {
      expect((await fetch(uri, { method: 'POST', headers: form, body: 'client_id=portal' })).status, uri).not.toBe(404);
    }
    expect((await fetch(`${uris.authorize}?client_id=portal`, { redirect: 'manual' })).status).not.toBe(404);
  });
});
