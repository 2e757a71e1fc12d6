import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startTestIdp, type TestIdp } from './support/saml-idp.js';
import { clickSso, me, openLoginPage, postToAcs } from './support/saml-sign-in.js';
import { freePort, type ServerProcess, startServer } from './support/server-process.js';

/**
 * The built server with single sign-on: two gateway instances on one database (one issues the AuthnRequest, the
 * other receives the IdP's answer, as a load balancer may route them), and a start refused for its metadata.
 */
const SAML = {
  SAML_ALLOWED_DOMAINS: 'uni.example.edu',
  SAML_DISPLAY_NAME: 'Example University',
};
let idp: TestIdp;
let a: TestApp;
let b: ServerProcess;
let bUrl: string;

beforeAll(async () => {
  idp = await startTestIdp();
  a = await startTestApp({ SAML_IDP_METADATA: idp.metadataUrl, ...SAML });
  const port = await freePort();
  bUrl = `http://127.0.0.1:${port}`;
  // the same public URL, database and keys (the development secrets in the same DATA_DIR): one deployment
  b = startServer({
    ...SAML,
    SAML_IDP_METADATA: idp.metadataUrl,
    PORT: String(port),
    PUBLIC_URL: a.baseUrl,
    DATABASE_URL: a.db.url,
    DATA_DIR: a.config.dataDir,
    SEED: 'none',
  });
  await b.waitFor(/listening on/);
});

afterAll(async () => {
  await b?.stop();
  await a?.close();
  await idp?.close();
});

it('answers at one instance a request issued by the other', async () => {
  idp.answer = { email: 'kay@uni.example.edu', firstName: 'Kay', lastName: 'Two' };
  const page = await openLoginPage(a);
  const idpForm = await clickSso(page, idp);
  const { tokens } = await postToAcs(page, `${bUrl}/o/saml/acs`, idpForm.hidden.SAMLResponse!);
  expect(await me(a, tokens!.access_token)).toMatchObject({ email: 'kay@uni.example.edu' });

  // the request was consumed in the database: the first instance refuses the same answer
  const again = await openLoginPage(a);
  await clickSso(again, idp);
  const replay = await postToAcs(again, `${a.baseUrl}/o/saml/acs`, idpForm.hidden.SAMLResponse!);
  expect(replay.status).toBe(403);
  expect(replay.tokens).toBeNull();
});

it('refuses to start when the IdP metadata cannot be read, before it reaches for the database', async () => {
  const closed = await freePort();
  const server = startServer({
    ...SAML,
    SAML_IDP_METADATA: `http://127.0.0.1:${closed}/metadata`,
    PORT: String(await freePort()),
    PUBLIC_URL: a.baseUrl,
    // nothing listens there: had the server waited for its database, it would not exit at once
    DATABASE_URL: `postgres://nobody@127.0.0.1:${closed}/none`,
    DATA_DIR: a.config.dataDir,
    SEED: 'none',
  });
  expect(await server.exited).toBe(1);
  expect(server.output()).toMatch(/failed to start: .*SAML_IDP_METADATA: cannot fetch/);
  expect(server.output()).not.toMatch(/listening on/);
});
