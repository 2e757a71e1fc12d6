import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { codes, gql } from './support/tokens.js';

function productionEnv(): Record<string, string> {
  const verifier = randomBytes(32).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    NODE_ENV: 'production',
    // the test app runs on its own test database; production's check only asks that one is configured
    DATABASE_URL: 'postgres://configured-by-the-test-app',
    PUBLIC_URL_ALLOW_HTTP: 'true',
    PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier,
    PATIENT_AUTHORIZATION_CODE_CHALLENGE: createHash('sha256').update(verifier).digest('base64url'),
    OIDC_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    OIDC_COOKIE_KEYS: randomBytes(32).toString('hex'),
  };
}

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPE = '{ __type(name: "Patient") { fields { name } } }';
const TYPO = '{ mee { id } }';

describe('GraphQL schema details in production', () => {
  let production: TestApp;
  let development: TestApp;
  beforeAll(async () => {
    [production, development] = await Promise.all([startTestApp(productionEnv()), startTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([production?.close(), development?.close()]);
  });

  it('refuses introspection to a caller without a token, and answers it to a signed-in one', async () => {
    for (const query of [INTROSPECTION, TYPE, `query Q { ...F } fragment F on Query { __schema { types { name } } }`]) {
      const anonymous = await gql(production, null, query);
      expect(anonymous.status).toBe(401);
      expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
      expect(anonymous.data).toBeUndefined();
    }
    const signedIn = await gql(production, 'mary@example.com', INTROSPECTION);
    expect(signedIn).toMatchObject({ status: 200, data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await gql(production, null, '{ __typename }')).data).toEqual({ __typename: 'Query' });
    // development keeps introspection open to all
    expect((await gql(development, null, INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('drops field suggestions from errors for a caller without a token only', async () => {
    const anonymous = await gql(production, null, TYPO);
    expect(anonymous.status).toBe(400);
    expect(anonymous.errors![0]!.message).toBe('Cannot query field "mee" on type "Query".');
    const signedIn = await gql(production, 'mary@example.com', TYPO);
    expect(signedIn.errors![0]!.message).toMatch(/Did you mean "me"\?/);
    expect((await gql(development, null, TYPO)).errors![0]!.message).toMatch(/Did you mean "me"\?/);
  });
});
