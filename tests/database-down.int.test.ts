import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { bundle, heartRate, observation } from './support/omh.js';
import { rest } from './support/rest.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { gql, tokenFor } from './support/tokens.js';

const PETER = 'peter@example.com';
const MARY = 'mary@example.com';

let app: TestApp;
let proxy: TcpProxy;
beforeAll(async () => {
  const admin = new URL(inject('adminDatabaseUrl'));
  proxy = await startTcpProxy(admin.hostname, Number(admin.port));
  app = await startTestApp(
    {},
    {},
    {
      route: (url) => {
        const viaProxy = new URL(url);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxy.port);
        return viaProxy.toString();
      },
    },
  );
  // tokens are minted while the database is up; verifying them needs the viewer's rows
  await tokenFor(app, PETER);
  await tokenFor(app, MARY);
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await app?.close();
  await proxy?.close();
});

const count = async () => {
  // the test's own connection goes around the proxy
  const [row] = await app.db.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from observations');
  return Number(row!.n);
};

describe('with the database down', () => {
  it('FHIR, GraphQL and /api/v1 answer 503 with Retry-After in their formats, and serve again once it is back', async () => {
    const upload = () =>
      fhirFetch(app, '/', { as: PETER, body: bundle('batch', [observation({ patient: 40001, omh: heartRate(70) })]) });
    expect((await upload()).status).toBe(200);
    await proxy.cut();

    const search = await fhirFetch(app, '/Observation?patient=40001', { as: PETER });
    expect(search.status).toBe(503);
    expect(search.headers.get('retry-after')).toBe('5');
    expect(search.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    expect(search.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    const batch = await upload();
    expect(batch.status).toBe(503);
    expect(batch.headers.get('retry-after')).toBe('5');

    const graphql = await gql(app, MARY, '{ organizations { id name } }');
    expect(graphql.status).toBe(503);
    expect(graphql.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(graphql.errors?.[0]?.message).toMatch(/database cannot be reached/);
    const graphqlRaw = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(app, MARY)}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(graphqlRaw.status).toBe(503);
    expect(graphqlRaw.headers.get('retry-after')).toBe('5');

    const api = await rest(app, '/organizations', { as: MARY });
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    expect(api.body).toEqual({ detail: expect.stringMatching(/database cannot be reached/) });

    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(503);

    await proxy.restore();
    await expect.poll(async () => (await fetch(`${app.baseUrl}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    const before = await count();
    expect((await upload()).body.entry[0].response.status).toBe('201');
    expect(await count()).toBe(before + 1);
    expect((await gql(app, MARY, '{ me { id } }')).status).toBe(200);
  });
});
