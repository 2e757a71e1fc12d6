import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from './support/app.js';
import { createTestDatabase } from './support/database.js';
import { json } from './support/http.js';
import { freePort, startServer } from './support/server-process.js';
import { awaitStatus, bearer, download, exportAll, kickoff } from './support/bulk-export.js';
import { patientToken, gqlWith, scopedToken } from './support/scoped-tokens.js';
import { tokenFor } from './support/tokens.js';

const STUDY = 30001; // BIDS Study on BP & HR: peter and pamela
const PAMELA = 40002;
const OMH = 'https://w3id.org/openmhealth';
const HR = 'omh:heart-rate:2.0';
const BP = 'omh:blood-pressure:4.0';

let app: TestApp;
let fhirBase: string;
const as = async (email: string) => ({ fhirBase, token: await tokenFor(app, email) });

/** Every observation id the `observations` query pages through for this token (and filter). */
async function graphqlObservationIds(token: string, filter: Record<string, unknown>) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await gqlWith(
      token,
      app,
      `query ($filter: ObservationFilter!, $after: String) {
        observations(filter: $filter, first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
      }`,
      { filter, after },
    );
    expect(page.errors).toBeUndefined();
    ids.push(...page.data!.observations.nodes.map((n: { id: string }) => n.id));
    if (!page.data!.observations.pageInfo.hasNextPage) return ids;
    after = page.data!.observations.pageInfo.endCursor;
  }
}

const auditEvents = async (operation: string) => {
  await app.audit.flush();
  return app.db.orm.em
    .fork()
    .getConnection()
    .execute<{ user_id: number; row_count: number | null; params: any; outcome: string }[]>(
      'select user_id, row_count, params, outcome from audit_events where operation = ? order by id',
      [operation],
    );
};

beforeAll(async () => {
  // small batches and files: several chunks and parts even with the demo data
  app = await startTestApp({ BULK_EXPORT_BATCH_ROWS: '40', BULK_EXPORT_FILE_LINES: '100' });
  fhirBase = `${app.baseUrl}/fhir/r5`;
});
afterAll(() => app?.close());

describe('Group/<study>/$export as a practitioner of the study’s organization', () => {
  it('writes NDJSON per type whose lines are what FHIR reads answer, and exactly the GraphQL query’s observations', async () => {
    const mary = await as('mary@example.com');
    const { manifest, lines, statusUrl } = await exportAll(mary, `/Group/${STUDY}/$export`);
    expect(manifest).toMatchObject({
      request: `${app.baseUrl}/fhir/r5/Group/${STUDY}/$export`,
      requiresAccessToken: true,
      error: [],
    });
    expect(new Date(manifest.transactionTime).getTime()).not.toBeNaN();
    expect([...new Set(manifest.output.map((o) => o.type))]).toEqual(['Group', 'Patient', 'Device', 'Observation']);
    // large types come in several files (BULK_EXPORT_FILE_LINES)
    expect(manifest.output.filter((o) => o.type === 'Observation').length).toBeGreaterThan(1);

    const read = (path: string) => fetch(`${fhirBase}/${path}`, { headers: bearer(mary.token) }).then((r) => r.json());
    expect(lines('Group')).toEqual([await read(`Group/${STUDY}`)]);
    expect(
      lines('Patient')
        .map((p) => p.id)
        .sort(),
    ).toEqual(['40001', '40002']);
    for (const patient of lines('Patient')) expect(patient).toEqual(await read(`Patient/${patient.id}`));
    for (const device of lines('Device')) expect(device).toEqual(await read(`Device/${device.id}`));

    const observations = lines('Observation');
    const ids = observations.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(await graphqlObservationIds(mary.token, { studyId: String(STUDY) }));
    // a sample of Open mHealth lines, and every other Observation (stored as uploaded), against their reads
    const others = observations.filter((o) => !o.valueAttachment);
    for (const o of [observations[0], observations[ids.length >> 1], observations.at(-1), ...others]) {
      expect(o).toEqual(await read(`Observation/${o!.id}`));
    }
    // every observation is of the study's patients and codes only: other organizations' rows are not there
    expect(new Set(observations.map((o) => o.subject.reference))).toEqual(new Set(['Patient/40001', 'Patient/40002']));
    expect(new Set(observations.map((o) => o.code.coding[0].code))).toEqual(new Set([HR, BP]));

    const status = await fetch(statusUrl, { headers: bearer(mary.token) });
    expect(status.headers.get('expires')).toBeTruthy();
    const [kicked] = await auditEvents('Mutation.startBulkExport');
    expect(kicked).toMatchObject({ user_id: 10002, outcome: 'allowed' });
    await expect.poll(async () => (await auditEvents('BulkExport.complete')).length).toBeGreaterThan(0);
    const [completed] = await auditEvents('BulkExport.complete');
    expect(completed!.row_count).toBe(1 + 2 + lines('Device').length + observations.length);
    expect(completed!.params.counts).toEqual({
      Group: 1,
      Patient: 2,
      Device: lines('Device').length,
      Observation: observations.length,
    });
    expect((await auditEvents('Query.bulkExportFile')).length).toBe(manifest.output.length);
  });

  it('narrows by _type, _since and _typeFilter', async () => {
    const mary = await as('mary@example.com');
    const all = await graphqlObservationIds(mary.token, { studyId: String(STUDY) });
    const hr = await exportAll(
      mary,
      `/Group/${STUDY}/$export?_type=Observation&_typeFilter=${encodeURIComponent(`Observation?code=${OMH}|${HR}`)}`,
    );
    expect([...hr.byType.keys()]).toEqual(['Observation']);
    expect(hr.lines('Observation').length).toBeGreaterThan(0);
    expect(hr.lines('Observation').every((o) => o.code.coding[0].code === HR)).toBe(true);
    expect(hr.lines('Observation').map((o) => o.id)).toEqual(
      await graphqlObservationIds(mary.token, { studyId: String(STUDY), code: { system: OMH, code: HR } }),
    );

    const updated = [...(await exportAll(mary, `/Group/${STUDY}/$export?_type=Observation`)).lines('Observation')]
      .map((o) => o.meta.lastUpdated)
      .sort();
    expect(updated).toHaveLength(all.length);
    const since = updated[updated.length >> 1]!;
    const recent = await exportAll(mary, `/Group/${STUDY}/$export?_type=Observation&_since=${since}`);
    expect(recent.lines('Observation').length).toBe(updated.filter((t) => t >= since).length);
    expect(recent.lines('Observation').every((o) => o.meta.lastUpdated >= since)).toBe(true);

    const patients = await exportAll(mary, `/Group/${STUDY}/$export?_type=Patient,Group&_outputFormat=ndjson`);
    expect([...patients.byType.keys()]).toEqual(['Group', 'Patient']);
  });

  it('the CapabilityStatement lists the export operations', async () => {
    const metadata = await json(await fetch(`${fhirBase}/metadata`));
    expect(metadata.instantiates).toContain('http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data');
    const operations = (type: string) =>
      metadata.rest[0].resource.find((r: { type: string }) => r.type === type).operation;
    expect(operations('Group')).toEqual([
      { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' },
    ]);
    expect(operations('Patient')[0].name).toBe('export');
  });

  it('refuses bad parameters and missing headers with 400 OperationOutcomes', async () => {
    const mary = await as('mary@example.com');
    const noAsync = await fetch(`${fhirBase}/Group/${STUDY}/$export`, { headers: bearer(mary.token) });
    expect(noAsync.status).toBe(400);
    expect((await json(noAsync)).issue[0].diagnostics).toMatch(/respond-async/);
    for (const query of [
      '_outputFormat=text/csv',
      '_since=yesterday',
      '_since=2026-13-01T00:00:00Z',
      '_type=Medication',
      '_type=Organization',
      `_typeFilter=${encodeURIComponent('Observation?status=final')}`,
      `_typeFilter=${encodeURIComponent('Patient?gender=female')}`,
      `_typeFilter=${encodeURIComponent('Observation?code=no-bar')}`,
      '_elements=id',
      'patient=Patient/40001',
      'unknown=1',
    ]) {
      const response = await kickoff(mary, `/Group/${STUDY}/$export?${query}`);
      expect(response.status, query).toBe(400);
      expect((await json(response)).resourceType).toBe('OperationOutcome');
    }
    const badStudy = await kickoff(mary, '/Group/abc/$export');
    expect(badStudy.status).toBe(400);
    const unknownStatus = await fetch(`${fhirBase}/$export-status/not-a-job`, { headers: bearer(mary.token) });
    expect(unknownStatus.status).toBe(404);
  });

  it('POST kickoff with a Parameters resource works too', async () => {
    const mary = await as('mary@example.com');
    const response = await fetch(`${fhirBase}/Group/${STUDY}/$export`, {
      method: 'POST',
      headers: { ...bearer(mary.token), prefer: 'respond-async', 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Group' }] }),
    });
    expect(response.status).toBe(202);
    const done = await awaitStatus(mary.token, response.headers.get('content-location')!);
    expect((await json(done)).output.map((o: { type: string }) => o.type)).toEqual(['Group']);
  });
});

describe('who may export what', () => {
  it('another organization’s practitioner cannot export the study (404), nor see or fetch mary’s export', async () => {
    const mark = await as('mark@example.com');
    const refused = await kickoff(mark, `/Group/${STUDY}/$export`);
    expect(refused.status).toBe(404);
    expect((await json(refused)).resourceType).toBe('OperationOutcome');

    const mary = await as('mary@example.com');
    const { statusUrl, manifest } = await exportAll(mary, `/Group/${STUDY}/$export?_type=Patient`);
    for (const other of [mark, await as('megan@example.com'), await as('peter@example.com')]) {
      expect((await fetch(statusUrl, { headers: bearer(other.token) })).status).toBe(404);
      expect((await fetch(manifest.output[0]!.url, { headers: bearer(other.token) })).status).toBe(404);
      expect((await fetch(statusUrl, { method: 'DELETE', headers: bearer(other.token) })).status).toBe(404);
    }
    expect((await fetch(manifest.output[0]!.url)).status).toBe(401);
    // still mary's
    expect((await download(mary.token, manifest.output[0]!.url)).length).toBe(2);
  });

  it('a patient exports their own data alone through Patient/$export', async () => {
    const peter = await as('peter@example.com');
    const { lines } = await exportAll(peter, '/Patient/$export');
    expect(lines('Patient').map((p) => p.id)).toEqual(['40001']);
    expect(lines('Observation').length).toBeGreaterThan(0);
    expect(lines('Observation').every((o) => o.subject.reference === 'Patient/40001')).toBe(true);
    expect(lines('Observation').map((o) => o.id)).toEqual(await graphqlObservationIds(peter.token, {}));
  });

  it('a token narrowed to one code (?code=) exports that code’s observations alone', async () => {
    const narrow = await scopedToken(
      app,
      'mary@example.com',
      `user/Patient.rs user/Group.rs user/Device.rs user/Observation.rs?code=${OMH}|${HR}`,
    );
    const client = { fhirBase, token: narrow.access_token };
    const { lines } = await exportAll(client, `/Group/${STUDY}/$export`);
    expect(lines('Observation').length).toBeGreaterThan(0);
    expect(lines('Observation').every((o) => o.code.coding[0].code === HR)).toBe(true);
    expect(lines('Observation').map((o) => o.id)).toEqual(
      await graphqlObservationIds(narrow.access_token, { studyId: String(STUDY) }),
    );

    const noObservations = await scopedToken(app, 'mary@example.com', 'user/Patient.rs user/Group.rs');
    const patientsOnly = await exportAll({ fhirBase, token: noObservations.access_token }, `/Group/${STUDY}/$export`);
    expect([...patientsOnly.byType.keys()]).toEqual(['Group', 'Patient']);
    const refused = await kickoff(
      { fhirBase, token: noObservations.access_token },
      `/Group/${STUDY}/$export?_type=Observation`,
    );
    expect(refused.status).toBe(403);
  });

  it('a consent revoked before the export hides those observations', async () => {
    const mary = await as('mary@example.com');
    const before = await exportAll(mary, `/Group/${STUDY}/$export?_type=Observation`);
    const pamelaHr = (o: Record<string, any>) =>
      o.subject.reference === `Patient/${PAMELA}` && o.code.coding[0].code === HR;
    expect(before.lines('Observation').some(pamelaHr)).toBe(true);

    const pamela = await patientToken(app, PAMELA, 'patient/*.cruds');
    const revoked = await gqlWith(
      pamela.access_token,
      app,
      `mutation ($p: ID!, $c: [StudyScopeConsentsInput!]!) { revokeConsents(patientId: $p, studyScopeConsents: $c) { patient { id } } }`,
      { p: String(PAMELA), c: [{ studyId: String(STUDY), scopeConsents: [{ codingSystem: OMH, codingCode: HR }] }] },
    );
    expect(revoked.errors).toBeUndefined();

    const after = await exportAll(mary, `/Group/${STUDY}/$export?_type=Observation`);
    expect(after.lines('Observation').some(pamelaHr)).toBe(false);
    expect(after.lines('Observation').length).toBe(before.lines('Observation').filter((o) => !pamelaHr(o)).length);
    expect(after.lines('Observation').map((o) => o.id)).toEqual(
      await graphqlObservationIds(mary.token, { studyId: String(STUDY) }),
    );
  });
});

describe('the job', () => {
  it('DELETE on the status URL cancels it (202, then 404) and deletes its files', async () => {
    const mary = await as('mary@example.com');
    const { statusUrl, manifest } = await exportAll(mary, `/Group/${STUDY}/$export`);
    const cancelled = await fetch(statusUrl, { method: 'DELETE', headers: bearer(mary.token) });
    expect(cancelled.status).toBe(202);
    expect((await fetch(statusUrl, { headers: bearer(mary.token) })).status).toBe(404);
    expect((await fetch(manifest.output[0]!.url, { headers: bearer(mary.token) })).status).toBe(404);
    const id = statusUrl.split('/').at(-1);
    const files = await app.db.orm.em
      .fork()
      .getConnection()
      .execute('select id from bulk_export_files where export_id = ?', [id]);
    expect(files).toEqual([]);
    expect((await auditEvents('Mutation.cancelBulkExport')).at(-1)).toMatchObject({ outcome: 'allowed' });
  });
});

describe('cancelling a running export', () => {
  it('stops the job where it stands: 404 at once, its files gone, and the job ends without writing more', async () => {
    // one row a batch: a checkpoint per line, so that the export is still running when it is cancelled
    const slow = await startTestApp({ BULK_EXPORT_BATCH_ROWS: '1' });
    try {
      const client = { fhirBase: `${slow.baseUrl}/fhir/r5`, token: await tokenFor(slow, 'mary@example.com') };
      const sql = slow.db.orm.em.fork().getConnection();
      const started = await kickoff(client, `/Group/${STUDY}/$export?_type=Observation`);
      expect(started.status).toBe(202);
      const statusUrl = started.headers.get('content-location')!;
      const id = statusUrl.split('/').at(-1)!;
      const exportRow = async () =>
        (
          await sql.execute<{ status: string; counts: Record<string, number> }[]>(
            'select status, counts from bulk_exports where id = ?',
            [id],
          )
        )[0];
      await expect.poll(async () => (await exportRow())?.counts.Observation ?? 0, { interval: 10 }).toBeGreaterThan(0);
      expect((await exportRow())?.status).toBe('running');

      const cancelled = await fetch(statusUrl, { method: 'DELETE', headers: bearer(client.token) });
      expect(cancelled.status).toBe(202);
      expect((await fetch(statusUrl, { headers: bearer(client.token) })).status).toBe(404);
      expect(await exportRow()).toBeUndefined();
      // the job's handler returns once its next batch finds the export gone (pg-boss then marks it completed)
      await expect
        .poll(
          async () =>
            (
              await sql.execute<{ state: string }[]>(
                `select state from pgboss.job where name = 'fhir-bulk-export' and data->>'exportId' = ?`,
                [id],
              )
            )[0]?.state,
          { timeout: 20_000, interval: 50 },
        )
        .toBe('completed');
      expect(await sql.execute('select id from bulk_export_files where export_id = ?', [id])).toEqual([]);
      expect(await exportRow()).toBeUndefined();
    } finally {
      await slow.close();
    }
  });
});

describe('expiry', () => {
  it('a finished export and its files answer 404 once BULK_EXPORT_TTL_SECONDS have passed, and are deleted', async () => {
    const short = await startTestApp({ BULK_EXPORT_TTL_SECONDS: '1' });
    try {
      const client = { fhirBase: `${short.baseUrl}/fhir/r5`, token: await tokenFor(short, 'mary@example.com') };
      const { statusUrl, manifest } = await exportAll(client, `/Group/${STUDY}/$export?_type=Group`);
      await expect
        .poll(async () => (await fetch(statusUrl, { headers: bearer(client.token) })).status, { timeout: 10_000 })
        .toBe(404);
      expect((await fetch(manifest.output[0]!.url, { headers: bearer(client.token) })).status).toBe(404);
      const sql = short.db.orm.em.fork().getConnection();
      await expect
        .poll(async () => (await sql.execute('select id from bulk_exports')).length, { timeout: 10_000 })
        .toBe(0);
      expect(await sql.execute('select file_id from bulk_export_chunks')).toEqual([]);
    } finally {
      await short.close();
    }
  });
});

describe('an export interrupted by stopping the gateway', () => {
  it('completes once it starts again, from its checkpoint: no line missing, none twice (two workers each time)', async () => {
    const db = await createTestDatabase('seeded');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-export-restart-'));
    chmodSync(dataDir, 0o755);
    const port = String(await freePort());
    const env = {
      DATABASE_URL: db.url,
      PORT: port,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SEED: 'none',
      DATA_DIR: dataDir,
      WEB_CONCURRENCY: '2',
      // five rows a batch: hundreds of checkpoints, so that the stop lands in the middle
      BULK_EXPORT_BATCH_ROWS: '5',
    };
    const base = { baseUrl: env.PUBLIC_URL } as TestApp;
    const client = { fhirBase: `${env.PUBLIC_URL}/fhir/r5`, token: '' };
    const sql = db.orm.em.fork().getConnection();
    const job = async (id: string) =>
      (
        await sql.execute<{ status: string; run: number; counts: Record<string, number> }[]>(
          'select status, run, counts from bulk_exports where id = ?',
          [id],
        )
      )[0]!;
    let server = startServer(env);
    try {
      await server.waitFor(/worker 2\] listening on|"worker":2.*listening on/);
      client.token = await tokenFor(base, 'mary@example.com');
      const expected = await graphqlObservationIdsAt(env.PUBLIC_URL, client.token);
      const started = await kickoff(client, `/Group/${STUDY}/$export?_type=Patient,Observation`);
      expect(started.status).toBe(202);
      const statusUrl = started.headers.get('content-location')!;
      const id = statusUrl.split('/').at(-1)!;
      await expect.poll(async () => (await job(id)).counts.Observation ?? 0, { interval: 20 }).toBeGreaterThan(0);
      // while it runs, the status URL says how far it is
      const running = await fetch(statusUrl, { headers: bearer(client.token) });
      expect(running.status).toBe(202);
      expect(running.headers.get('x-progress')).toMatch(/^running: Patient 2, Observation \d+$/);
      expect(running.headers.get('retry-after')).toBe('2');
      expect(await server.stop('SIGTERM')).toBe(0);
      const stopped = await job(id);
      expect(stopped.status).toBe('running');
      expect(stopped.counts.Observation).toBeLessThan(expected.length);

      server = startServer(env);
      await server.waitFor(/listening on/);
      const done = await awaitStatus(client.token, statusUrl, 120_000);
      expect(done.status, await done.clone().text()).toBe(200);
      expect((await job(id)).run).toBeGreaterThan(stopped.run);
      const manifest = await json(done);
      const observations: string[] = [];
      for (const file of manifest.output.filter((o: { type: string }) => o.type === 'Observation')) {
        observations.push(...(await download(client.token, file.url)).map((o) => o.id as string));
      }
      expect(observations).toEqual(expected);
    } finally {
      await server.stop();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

/** The study's observation ids as the `observations` query pages through them, on another gateway. */
async function graphqlObservationIdsAt(baseUrl: string, token: string) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({
        query: `query ($after: String) { observations(filter: { studyId: "${STUDY}" }, first: 1000, after: $after) {
          nodes { id } pageInfo { hasNextPage endCursor } } }`,
        variables: { after },
      }),
    });
    const { data } = (await json(response)) as any;
    ids.push(...data.observations.nodes.map((n: { id: string }) => n.id));
    if (!data.observations.pageInfo.hasNextPage) return ids;
    after = data.observations.pageInfo.endCursor;
  }
}
