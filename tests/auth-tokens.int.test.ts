import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';

let app: TestApp;
let signingKey: JWK;
beforeAll(async () => {
  app = await startTestApp();
  signingKey = JSON.parse(readFileSync(path.join(app.config.dataDir, 'oidc-secrets.json'), 'utf8')).signingKey;
});
afterAll(() => app?.close());

async function token(claims: Record<string, unknown>, opts: { key?: JWK; typ?: string; exp?: number } = {}) {
  const jwk = opts.key ?? signingKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: opts.typ ?? 'at+jwt', kid: jwk.kid })
    .setIssuer(`${app.baseUrl}/o`)
    .setAudience(`${app.baseUrl}/`)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 300)
    .sign(await importJWK(jwk, 'RS256'));
}

const userinfo = (authorization?: string) =>
  fetch(`${app.baseUrl}/o/me`, { headers: authorization ? { authorization } : {} });

describe('access token checks (no database round trip for verification)', () => {
  it('accepts a valid token', async () => {
    const res = await userinfo(`Bearer ${await token({ sub: '10002' })}`);
    expect(res.status).toBe(200);
    expect((await json(res)).email).toBe('mary@example.com');
  });

  it.each([
    ['no token', undefined, /access token is required/],
    ['not a bearer header', 'Basic abc', /must be "Bearer <access token>"/],
    ['garbage', 'Bearer not.a.jwt', /malformed|signature/],
  ])('rejects %s with 401', async (_name, header, message) => {
    const res = await userinfo(header);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource", error="invalid_token"/,
    );
    expect((await json(res)).error_description).toMatch(message);
  });

  it('rejects an expired token', async () => {
    const res = await userinfo(`Bearer ${await token({ sub: '10002' }, { exp: Math.floor(Date.now() / 1000) - 60 })}`);
    expect(res.status).toBe(401);
    expect((await json(res)).error_description).toBe('The access token has expired');
  });

  it('rejects a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const other = { ...(await exportJWK(privateKey)), kid: signingKey.kid };
    const res = await userinfo(`Bearer ${await token({ sub: '10002' }, { key: other })}`);
    expect(res.status).toBe(401);
    expect((await json(res)).error_description).toBe('The access token signature is not valid');
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await token({ sub: '10002' })).split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: '10001', iss: `${app.baseUrl}/o`, aud: `${app.baseUrl}/`, exp: 9999999999 }),
    ).toString('base64url');
    const res = await userinfo(`Bearer ${header}.${forged}.${signature}`);
    expect(res.status).toBe(401);
    expect((await json(res)).error_description).toBe('The access token signature is not valid');
  });

  it('rejects a token for another audience', async () => {
    const jwt = await new SignJWT({ sub: '10002' })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
      .setIssuer(`${app.baseUrl}/o`)
      .setAudience('https://other.example/')
      .setExpirationTime('5m')
      .sign(await importJWK(signingKey, 'RS256'));
    const res = await userinfo(`Bearer ${jwt}`);
    expect(res.status).toBe(401);
    expect((await json(res)).error_description).toBe('The access token is not meant for this server (wrong audience)');
  });

  it('rejects an ID token used as an access token', async () => {
    const res = await userinfo(`Bearer ${await token({ sub: '10002' }, { typ: 'JWT' })}`);
    expect(res.status).toBe(401);
  });

  it('rejects a token whose user was deleted', async () => {
    const res = await userinfo(`Bearer ${await token({ sub: '99999' })}`);
    expect(res.status).toBe(401);
    expect((await json(res)).error_description).toMatch(/no longer exists/);
  });
});
