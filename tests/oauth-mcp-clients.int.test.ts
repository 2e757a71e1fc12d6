import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  registerClient as mcpRegisterClient,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIntrospectionClient } from '../src/auth/client-registry.js';
import { createAuth } from '../src/auth/index.js';
import { DEFAULT_REGISTERED_SCOPE } from '../src/auth/registration-policy.js';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { gqlWith, thirdPartySignIn } from './support/scoped-tokens.js';

let app: TestApp;
let issuer: string;
const PER_HOUR = 4;
beforeAll(async () => {
  app = await startTestApp({ OAUTH_REGISTRATION_PER_HOUR: String(PER_HOUR) });
  issuer = `${app.baseUrl}/o`;
});
afterAll(() => app?.close());

const REDIRECT = 'http://127.0.0.1:33418/callback';
const MCP_CLIENT = {
  client_name: 'An MCP client',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

// every test registers from an address of its own (the gateway trusts the loopback proxy: X-Forwarded-For counts)
let lastAddress = 0;
const newAddress = () => `198.51.100.${++lastAddress}`;
const register = (body: Record<string, unknown>, address = newAddress()) =>
  fetch(`${app.baseUrl}/o/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(body),
  });
const storedClients = async () =>
  Number(
    (
      await app.db.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>(`select count(*) as n from oidc_payloads where model = 'Client'`)
    )[0]!.n,
  );

describe('discovery for MCP clients', () => {
  it('serves the protected resource metadata at the root and path-suffixed URLs, readable by allowed origins', async () => {
    const root = await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource`, {
      headers: { origin: app.baseUrl },
    });
    expect(root.status).toBe(200);
    expect(root.headers.get('access-control-allow-origin')).toBe(app.baseUrl);
    const document = await json(root);
    expect(document).toEqual({
      resource: `${app.baseUrl}/`,
      authorization_servers: [issuer],
      scopes_supported: expect.arrayContaining(['user/*.rs', 'patient/*.rs', 'user/Observation.rs']),
      bearer_methods_supported: ['header'],
      resource_name: 'Health Exchange Gateway',
    });
    const suffixed = await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    expect(await json(suffixed)).toEqual(document);
    const other = await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource`, {
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is found by the MCP SDK for /mcp, whose authorization server metadata is the provider’s own discovery', async () => {
    const resource = await discoverOAuthProtectedResourceMetadata(`${app.baseUrl}/mcp`);
    expect(resource.resource).toBe(`${app.baseUrl}/`);
    const openid = await json(await fetch(`${issuer}/.well-known/openid-configuration`));
    const alias = await fetch(`${app.baseUrl}/.well-known/oauth-authorization-server/o`);
    expect(alias.status).toBe(200);
    expect(await json(alias)).toEqual(openid);
    expect(await discoverAuthorizationServerMetadata(resource.authorization_servers![0]!)).toEqual(openid);
    expect(openid.registration_endpoint).toBe(`${issuer}/reg`);
    expect(openid.introspection_endpoint).toBe(`${issuer}/token/introspection`);
    expect(openid.code_challenge_methods_supported).toEqual(['S256']);
    const smart = await json(await fetch(`${app.baseUrl}/fhir/r5/.well-known/smart-configuration`));
    expect(smart.registration_endpoint).toBe(openid.registration_endpoint);
    expect(smart.introspection_endpoint).toBe(openid.introspection_endpoint);
  });

  it('points a request without a token at the metadata, with no error code (RFC 6750 §3.1)', async () => {
    for (const url of [`${app.baseUrl}/fhir/r5/Patient`, `${app.baseUrl}/api/v1/organizations`]) {
      const answer = await fetch(url);
      expect(answer.status, url).toBe(401);
      expect(answer.headers.get('www-authenticate'), url).toBe(
        `Bearer resource_metadata="${app.baseUrl}/.well-known/oauth-protected-resource"`,
      );
    }
  });

  it('points every face’s 401 at the metadata, keeping its error', async () => {
    const bad = { authorization: 'Bearer not.a.token' };
    const answers = {
      fhir: await fetch(`${app.baseUrl}/fhir/r5/Patient`, { headers: bad }),
      graphql: await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { ...bad, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { id } }' }),
      }),
      rest: await fetch(`${app.baseUrl}/api/v1/organizations`, { headers: bad }),
      userinfo: await fetch(`${issuer}/me`, { headers: bad }),
    };
    for (const [face, answer] of Object.entries(answers)) {
      expect(answer.status, face).toBe(401);
      expect(answer.headers.get('www-authenticate'), face).toMatch(
        new RegExp(
          `^Bearer resource_metadata="${app.baseUrl}/\\.well-known/oauth-protected-resource", error="invalid_token", error_description="[^"]+"$`,
        ),
      );
    }
  });
});

describe('dynamic client registration (/o/reg)', () => {
  it('registers a public, read-only client (through the MCP SDK) that persists for every instance', async () => {
    const metadata = await discoverAuthorizationServerMetadata(issuer);
    const before = await storedClients();
    const client = await mcpRegisterClient(issuer, {
      metadata,
      clientMetadata: { ...MCP_CLIENT, scope: 'openid offline_access user/*.rs' },
    });
    expect(client).toMatchObject({
      client_id: expect.any(String),
      token_endpoint_auth_method: 'none',
      scope: 'openid offline_access user/*.rs',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
    });
    expect(client).not.toHaveProperty('client_secret');
    expect(client).not.toHaveProperty('registration_access_token');
    expect(client).not.toHaveProperty('registration_client_uri');
    expect(await storedClients()).toBe(before + 1);
    // another provider on the same database (a restart, another instance) finds it
    const fresh = await createAuth(app.config, app.db.orm);
    const found = await fresh.provider.Client.find(client.client_id);
    expect(found?.metadata()).toMatchObject({
      client_id: client.client_id,
      application_type: 'native', // loopback redirects on any port
      resource_scope: 'user/*.rs',
    });
  });

  it('gives a client that names no scope the documented read default, and ignores a resource_scope it sends', async () => {
    const bare = await register({ redirect_uris: ['https://mcp.example/callback'] });
    expect(bare.status).toBe(201);
    const registered = await json(bare);
    expect(registered.scope).toBe(DEFAULT_REGISTERED_SCOPE);
    expect(registered).toMatchObject({ token_endpoint_auth_method: 'none', application_type: 'web' });
    const sneaky = await json(
      await register({ ...MCP_CLIENT, scope: 'openid user/Patient.rs', resource_scope: 'user/*.cruds' }),
    );
    expect(sneaky.scope).toBe('openid user/Patient.rs');
    const stored = await app.auth.provider.Client.find(sneaky.client_id);
    expect(stored?.metadata().resource_scope).toBe('user/Patient.rs');
  });

  it.each([
    [
      'a confidential client (client_secret_basic)',
      { token_endpoint_auth_method: 'client_secret_basic' },
      /only public clients/,
    ],
    [
      'a confidential client (client_secret_post)',
      { token_endpoint_auth_method: 'client_secret_post' },
      /only public clients/,
    ],
    ['a write scope', { scope: 'openid user/Observation.c' }, /may only read and search/],
    ['user/*.cruds', { scope: 'user/*.cruds' }, /may only read and search/],
    ['SMART v1 user/*.write', { scope: 'openid user/*.write' }, /may only read and search/],
    ['SMART v1 patient/*.*', { scope: 'patient/*.*' }, /may only read and search/],
    ['an unknown scope', { scope: 'openid system/*.rs' }, /not one this server grants/],
    [
      'an http redirect to another host',
      { redirect_uris: ['http://mcp.example/callback'] },
      /must use https/,
      'invalid_redirect_uri',
    ],
    ['a javascript: redirect', { redirect_uris: ['javascript:alert(1)//'] }, /not allowed/, 'invalid_redirect_uri'],
    ['the implicit grant', { grant_types: ['implicit'], response_types: ['token'] }, /grant_types/],
    ['client credentials', { grant_types: ['client_credentials'] }, /grant_types/],
  ])(
    'refuses %s (invalid_client_metadata, or invalid_redirect_uri for redirects), storing nothing',
    async (_what, change, reason, error = 'invalid_client_metadata') => {
      const before = await storedClients();
      const answer = await register({ ...MCP_CLIENT, ...change });
      expect(answer.status).toBe(400);
      const body = await json(answer);
      expect(body.error).toBe(error);
      expect(body.error_description).toMatch(reason);
      expect(await storedClients()).toBe(before);
    },
  );

  it.each([
    ['not JSON', 'application/json', '{"redirect_uris": ['],
    ['an array', 'application/json', '[]'],
    ['a string', 'application/json', '"x"'],
    ['a form', 'application/x-www-form-urlencoded', 'redirect_uris=https://a.example/cb'],
    ['redirect_uris as a string', 'application/json', '{"redirect_uris": "https://a.example/cb"}'],
    ['a number for a redirect', 'application/json', '{"redirect_uris": [1]}'],
    ['a number for scope', 'application/json', '{"redirect_uris": ["https://a.example/cb"], "scope": 5}'],
    ['an object for grant_types', 'application/json', '{"redirect_uris": ["https://a.example/cb"], "grant_types": {}}'],
    ['a fragment in a redirect', 'application/json', '{"redirect_uris": ["https://a.example/cb#x"]}'],
  ])('answers %s with a 400 OAuth error, never a 5xx', async (_what, type, body) => {
    const answer = await fetch(`${app.baseUrl}/o/reg`, {
      method: 'POST',
      headers: { 'content-type': type, 'x-forwarded-for': newAddress() },
      body,
    });
    expect(answer.status).toBe(400);
    expect((await json(answer)).error).toMatch(/^invalid_(request|client_metadata|redirect_uri)$/);
  });

  it('offers no way to read, change or widen a registration', async () => {
    const { client_id } = await json(await register(MCP_CLIENT));
    const read = await fetch(`${issuer}/reg/${client_id}`, { headers: { authorization: 'Bearer anything' } });
    expect(read.status).toBe(401);
    const update = await fetch(`${issuer}/reg/${client_id}`, {
      method: 'PUT',
      headers: { authorization: 'Bearer anything', 'content-type': 'application/json' },
      body: JSON.stringify({ ...MCP_CLIENT, client_id, scope: 'user/*.cruds' }),
    });
    expect(update.status).toBe(404);
    expect((await app.auth.provider.Client.find(client_id))?.metadata().resource_scope).toBe('user/*.rs');
  });

  it(`throttles registrations per client address: ${PER_HOUR} an hour, then 429 with Retry-After`, async () => {
    const address = newAddress();
    const statuses = [];
    for (let i = 0; i < PER_HOUR; i++) {
      statuses.push((await register(i % 2 ? MCP_CLIENT : { ...MCP_CLIENT, scope: 'user/*.cruds' }, address)).status);
    }
    expect(statuses).toEqual([400, 201, 400, 201]); // refused registrations count too
    const blocked = await register(MCP_CLIENT, address);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await json(blocked)).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(
        /Too many client registrations from this address; try again in \d+ seconds/,
      ),
    });
    expect((await register(MCP_CLIENT, newAddress())).status).toBe(201);
  });
});

/** A client registered through /o/reg and a practitioner's tokens for it through the consent screen. */
async function registeredClientTokens(
  email: string,
  scope: string,
  registeredScope = 'openid offline_access user/*.rs',
) {
  const client = await json(await register({ ...MCP_CLIENT, scope: registeredScope }));
  // oidc-provider issues refresh tokens (offline_access) only with prompt=consent, which MCP clients send
  const flow = await thirdPartySignIn(app, email, {
    clientId: client.client_id,
    redirectUri: REDIRECT,
    scope,
    params: { prompt: 'consent' },
  });
  return { clientId: client.client_id as string, ...flow };
}

describe('a self-registered client’s tokens', () => {
  it('asks for consent, grants only what it registered (read), reads FHIR and is refused writes naming the scope', async () => {
    const { tokens, consent } = await registeredClientTokens(
      'mary@example.com',
      'openid offline_access user/*.rs user/*.cruds patient/Observation.c',
    );
    expect(consent).toMatch(/user\/\*\.rs/);
    expect(consent).not.toMatch(/cruds|Observation\.c/);
    expect(consent).toContain(`registered itself: its name is its own claim`);
    expect(consent).toContain(`sends you back to ${REDIRECT}`);
    expect(tokens.scope!.split(' ').sort()).toEqual(['offline_access', 'openid', 'user/*.rs']);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const patients = await fetch(`${app.baseUrl}/fhir/r5/Patient`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(patients.status).toBe(200);
    expect((await json(patients)).total).toBeGreaterThan(0);
    const created = await gqlWith(
      tokens.access_token,
      app,
      'mutation { createPatient(input: { organizationId: "20003", email: "mcp@example.com", nameFamily: "M", nameGiven: "C" }) { id } }',
    );
    expect(created.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(created.errors?.[0]?.message).toMatch(/needs the scope user\/Patient\.c .*granted: user\/\*\.rs/);
  });

  it('lets the user grant fewer scopes than asked, and gives the registered scopes when none is asked for', async () => {
    const narrower = await registeredClientTokens(
      'mary@example.com',
      'openid user/Patient.rs user/Observation.rs',
      'openid user/*.rs',
    );
    const few = await thirdPartySignIn(app, 'megan@example.com', {
      clientId: narrower.clientId,
      redirectUri: REDIRECT,
      scope: 'openid user/Patient.rs user/Observation.rs',
      tick: ['user/Patient.rs'],
    });
    expect(few.tokens.scope!.split(' ').sort()).toEqual(['openid', 'user/Patient.rs']);
    const defaults = await thirdPartySignIn(app, 'megan@example.com', {
      clientId: narrower.clientId,
      redirectUri: REDIRECT,
      scope: 'openid',
      tick: ['user/*.rs'],
    });
    expect(defaults.consent).toMatch(/user\/\*\.rs/);
    expect(defaults.tokens.scope!.split(' ').sort()).toEqual(['openid', 'user/*.rs']);
  });
});

describe('token introspection (/o/token/introspection)', () => {
  let resourceServer: { clientId: string; clientSecret: string };
  let signingKey: JWK;
  beforeAll(async () => {
    resourceServer = await registerIntrospectionClient(app.db.orm.em.fork(), {
      clientId: 'mcp-rs',
      name: 'A resource server',
    });
    signingKey = JSON.parse(readFileSync(path.join(app.config.dataDir, 'oidc-secrets.json'), 'utf8')).signingKey;
  });

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const introspect = (token: string, authorization = basic(resourceServer.clientId, resourceServer.clientSecret)) =>
    fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: new URLSearchParams({ token }).toString(),
    });
  const revoke = (clientId: string, token: string) =>
    fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, token }).toString(),
    });

  it('answers a live access token active with its claims, for a confidential client', async () => {
    const { tokens, clientId } = await registeredClientTokens('mary@example.com', 'openid user/*.rs');
    const answer = await introspect(tokens.access_token);
    expect(answer.status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect(await json(answer)).toEqual({
      active: true,
      scope: 'user/*.rs',
      client_id: clientId,
      sub: '10002',
      aud: `${app.baseUrl}/`,
      iss: issuer,
      exp: expect.any(Number),
      iat: expect.any(Number),
      jti: expect.any(String),
      token_type: 'Bearer',
    });
    const { exp, iat } = await json(await introspect(tokens.access_token));
    expect(iat).toBeLessThanOrEqual(now);
    expect(exp - iat).toBe(app.config.auth.accessTokenTtlSeconds);
  });

  it('answers inactive once the refresh token is revoked, once the access token itself is revoked, and for garbage', async () => {
    const first = await registeredClientTokens('mary@example.com', 'openid offline_access user/*.rs');
    expect((await json(await introspect(first.tokens.access_token))).active).toBe(true);
    expect((await revoke(first.clientId, first.tokens.refresh_token!)).status).toBe(200);
    expect(await json(await introspect(first.tokens.access_token))).toEqual({ active: false });

    const second = await thirdPartySignIn(app, 'mary@example.com', {
      clientId: first.clientId,
      redirectUri: REDIRECT,
      scope: 'openid user/*.rs',
    });
    expect((await json(await introspect(second.tokens.access_token))).active).toBe(true);
    expect((await revoke(first.clientId, second.tokens.access_token)).status).toBe(200);
    expect(await json(await introspect(second.tokens.access_token))).toEqual({ active: false });

    expect(await json(await introspect('garbage'))).toEqual({ active: false });
  });

  it('answers inactive for a well-signed token the provider never issued, and for an expired one', async () => {
    const key = await importJWK(signingKey, 'RS256');
    const forge = (exp: number) =>
      new SignJWT({ sub: '10002', client_id: 'portal', scope: 'user/*.cruds', jti: 'made-up' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
        .setIssuer(issuer)
        .setAudience(`${app.baseUrl}/`)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(key);
    const now = Math.floor(Date.now() / 1000);
    expect(await json(await introspect(await forge(now + 300)))).toEqual({ active: false });
    expect(await json(await introspect(await forge(now - 60)))).toEqual({ active: false });
  });

  it('refuses public clients and wrong secrets (invalid_client), whatever the token', async () => {
    const { tokens, clientId } = await registeredClientTokens('mary@example.com', 'openid offline_access user/*.rs');
    for (const token of [tokens.access_token, tokens.refresh_token!, 'garbage']) {
      const asPublic = await fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, token }).toString(),
      });
      expect(asPublic.status).toBe(401);
      expect((await json(asPublic)).error).toBe('invalid_client');
    }
    const wrong = await introspect(tokens.access_token, basic(resourceServer.clientId, 'not-the-secret'));
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error).toBe('invalid_client');
  });
});

describe('with OAUTH_REGISTRATION=off', () => {
  let closed: TestApp;
  beforeAll(async () => {
    closed = await startTestApp({ OAUTH_REGISTRATION: 'off' });
  });
  afterAll(() => closed?.close());

  it('has no registration endpoint, in discovery or at /o/reg; the resource metadata stays', async () => {
    const openid = await json(await fetch(`${closed.baseUrl}/o/.well-known/openid-configuration`));
    expect(openid).not.toHaveProperty('registration_endpoint');
    const smart = await json(await fetch(`${closed.baseUrl}/fhir/r5/.well-known/smart-configuration`));
    expect(smart).not.toHaveProperty('registration_endpoint');
    const attempt = await fetch(`${closed.baseUrl}/o/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(MCP_CLIENT),
    });
    expect(attempt.status).toBe(404);
    expect((await fetch(`${closed.baseUrl}/.well-known/oauth-protected-resource`)).status).toBe(200);
  });
});
