import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const ids = (bundle: { entry: { resource: { id: string } }[] }) => bundle.entry.map((e) => e.resource.id);

async function search(path: string, as: string) {
  const { status, body } = await fhirFetch(app, path, { as });
  expect(status, JSON.stringify(body)).toBe(200);
  return ids(body);
}

async function refused(path: string, as: string, expression: string) {
  const { status, body } = await fhirFetch(app, path, { as });
  expect(status).toBe(400);
  expect(body.resourceType).toBe('OperationOutcome');
  expect(body.issue[0].expression).toEqual([expression]);
  return body.issue[0].diagnostics as string;
}

describe('FHIR Patient search parameters', () => {
  it('family, given and name match only the patients the viewer may see', async () => {
    // every demo patient's family name is "Patient": mary sees BIDS's, mark UCSF's (Cardiology, Moslehi)
    expect(await search('/Patient?family=pati', 'mary@example.com')).toEqual(['40001', '40002']);
    expect(await search('/Patient?family=Patient', 'mark@example.com')).toEqual(['40003', '40005']);
    expect(await search('/Patient?given=pe', 'mary@example.com')).toEqual(['40001']);
    expect(await search('/Patient?given=pe', 'mark@example.com')).toEqual(['40003']);
    expect(await search('/Patient?name=ete', 'mary@example.com')).toEqual(['40001']);
    expect(await search('/Patient?name=ete', 'mark@example.com')).toEqual([]);
    expect(await search('/Patient?family=Nobody', 'mary@example.com')).toEqual([]);
  });

  it('birthdate matches one day, with or without eq; other prefixes and bad dates are 400', async () => {
    expect(await search('/Patient?birthdate=1980-01-01', 'mary@example.com')).toEqual(['40001']);
    expect(await search('/Patient?birthdate=eq1982-02-02', 'mary@example.com')).toEqual(['40002']);
    expect(await search('/Patient?birthdate=1980-01-01', 'mark@example.com')).toEqual([]);
    for (const bad of ['ge1980-01-01', 'lt1980-01-01', '1980-01', '1980-02-30', 'yesterday']) {
      expect(await refused(`/Patient?birthdate=${bad}`, 'mary@example.com', 'birthdate')).toMatch(/birthdate/);
    }
  });

  it('_id takes one id or a comma list, narrowed to what the viewer sees', async () => {
    expect(await search('/Patient?_id=40002', 'mary@example.com')).toEqual(['40002']);
    expect(await search('/Patient?_id=40001,40003,40005', 'mary@example.com')).toEqual(['40001']);
    expect(await search('/Patient?_id=40001,40003,40005', 'mark@example.com')).toEqual(['40003', '40005']);
    expect(await refused('/Patient?_id=40001,abc', 'mary@example.com', '_id')).toMatch(/_id must be an id/);
    expect(await refused('/Patient?_id=', 'mary@example.com', '_id')).toMatch(/_id must be an id/);
  });

  it('organization takes Organization/<id> or <id>; another organization is not found', async () => {
    expect(await search('/Patient?organization=Organization/20003', 'mary@example.com')).toEqual(['40001', '40002']);
    expect(await search('/Patient?organization=20006', 'mark@example.com')).toEqual(['40005']);
    const other = await fhirFetch(app, '/Patient?organization=20003', { as: 'mark@example.com' });
    expect(other.status).toBe(404);
    expect(other.body.resourceType).toBe('OperationOutcome');
    expect(await refused('/Patient?organization=Group/20003', 'mary@example.com', 'organization')).toMatch(/an id/);
  });

  it('combines parameters, each narrowing', async () => {
    expect(await search('/Patient?family=Patient&given=Pam&organization=20003', 'mary@example.com')).toEqual(['40002']);
    expect(await search('/Patient?_has:Group:member:_id=30002&family=Patient', 'mary@example.com')).toEqual([
      '40001',
      '40002',
    ]);
    expect(await search('/Patient?_id=40001&given=Pam', 'mary@example.com')).toEqual([]);
  });

  it('a patient token finds only themself', async () => {
    expect(await search('/Patient?family=Patient', 'peter@example.com')).toEqual(['40001']);
    expect(await search('/Patient?_id=40001,40002', 'peter@example.com')).toEqual(['40001']);
    expect(await search('/Patient?given=Pamela', 'peter@example.com')).toEqual([]);
  });

  it('sorts by _id only, and lists the search parameters in the CapabilityStatement', async () => {
    expect(await search('/Patient?_sort=_id&family=Patient', 'mary@example.com')).toEqual(['40001', '40002']);
    expect(await refused('/Patient?_sort=family', 'mary@example.com', '_sort')).toMatch(/accepted: "_id"/);
    const { body } = await fhirFetch(app, '/metadata');
    const patient = body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.searchParam.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['_id', 'name', 'family', 'given', 'birthdate', 'organization']),
    );
  });

  it('refuses empty names and a repeated parameter', async () => {
    expect(await refused('/Patient?family=', 'mary@example.com', 'family')).toMatch(/must not be empty/);
    expect(await refused('/Patient?given=a&given=b', 'mary@example.com', 'given')).toMatch(/only once/);
  });
});

interface ObservationResource {
  id: string;
  subject: { reference: string };
  device: { reference: string };
}

async function observations(path: string, as: string): Promise<ObservationResource[]> {
  const { status, body } = await fhirFetch(app, path, { as });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.entry.map((e: { resource: ObservationResource }) => e.resource);
}

describe('FHIR Observation search parameters', () => {
  it('_id takes one id or a comma list, narrowed to what the viewer may see', async () => {
    const marys = await observations('/Observation?_count=1000', 'mary@example.com');
    const marks = await observations('/Observation?_count=1000', 'mark@example.com');
    expect(marys.length).toBeGreaterThan(1);
    expect(marks.length).toBeGreaterThan(0);
    const [a, b] = marys;
    const theirs = marks[0]!.id;
    const found = await observations(`/Observation?_id=${a!.id},${b!.id},${theirs}`, 'mary@example.com');
    expect(found.map((o) => o.id).sort()).toEqual([a!.id, b!.id].sort());
    expect(await observations(`/Observation?_id=${a!.id}`, 'mark@example.com')).toEqual([]);
    expect(await refused('/Observation?_id=1,x', 'mary@example.com', '_id')).toMatch(/_id must be an id/);
  });

  it('device filters by data source, through GraphQL’s ObservationFilter.dataSourceId', async () => {
    const all = await observations('/Observation?_count=1000', 'mary@example.com');
    const devices = [...new Set(all.map((o) => o.device.reference))];
    expect(devices.length).toBeGreaterThan(1);
    for (const device of devices) {
      const expected = all.filter((o) => o.device.reference === device).map((o) => o.id);
      const found = await observations(`/Observation?_count=1000&device=${device}`, 'mary@example.com');
      expect(found.map((o) => o.id)).toEqual(expected);
      const bare = await observations(`/Observation?_count=1000&device=${device.split('/')[1]}`, 'mary@example.com');
      expect(bare.map((o) => o.id)).toEqual(expected);
    }
    // another organization's viewer gets none of BIDS's observations from the same device
    const marys = new Set(all.map((o) => o.id));
    const marks = await observations(`/Observation?_count=1000&device=${devices[0]}`, 'mark@example.com');
    expect(marks.filter((o) => marys.has(o.id))).toEqual([]);
    expect(await observations('/Observation?device=Device/79999', 'mary@example.com')).toEqual([]);
    expect(await refused('/Observation?device=Patient/40001', 'mary@example.com', 'device')).toMatch(/an id/);
    const { data, errors } = await gql(
      app,
      'mary@example.com',
      'query ($id: ID) { observations(filter: { dataSourceId: $id }, first: 1000) { nodes { id dataSource { id } } } }',
      { id: devices[0]!.split('/')[1] },
    );
    expect(errors).toBeUndefined();
    expect(data!.observations.nodes.map((n: { id: string }) => n.id)).toEqual(
      all.filter((o) => o.device.reference === devices[0]).map((o) => o.id),
    );
  });

  it('patient.organization narrows to that organization’s patients; an invisible one is 404', async () => {
    const bids = await observations(
      '/Observation?_count=1000&patient.organization=Organization/20003',
      'mary@example.com',
    );
    expect(bids.length).toBeGreaterThan(0);
    expect(new Set(bids.map((o) => o.subject.reference))).toEqual(new Set(['Patient/40001', 'Patient/40002']));
    const cardiology = await observations('/Observation?_count=1000&patient.organization=20006', 'mark@example.com');
    expect(new Set(cardiology.map((o) => o.subject.reference))).toEqual(new Set(['Patient/40005']));
    const other = await fhirFetch(app, '/Observation?patient.organization=20003', { as: 'mark@example.com' });
    expect(other.status).toBe(404);
    expect(other.body.resourceType).toBe('OperationOutcome');
    expect(await refused('/Observation?patient.organization=x', 'mary@example.com', 'patient.organization')).toMatch(
      /an id/,
    );
  });

  it('a patient token finds only their own observations by _id', async () => {
    const pamelas = await observations('/Observation?patient=40002', 'pamela@example.com');
    const peters = await observations('/Observation?patient=40001', 'peter@example.com');
    expect(pamelas.length).toBeGreaterThan(0);
    expect(peters.length).toBeGreaterThan(0);
    const found = await observations(`/Observation?_id=${pamelas[0]!.id},${peters[0]!.id}`, 'peter@example.com');
    expect(found.map((o) => o.id)).toEqual([peters[0]!.id]);
  });

  it('status takes observation-status codes only (the rest is in fhir-generic-observations)', async () => {
    expect((await fhirFetch(app, '/Observation?status=final', { as: 'mary@example.com' })).status).toBe(200);
    const { status, body } = await fhirFetch(app, '/Observation?status=done', { as: 'mary@example.com' });
    expect(status).toBe(400);
    expect(body.issue[0]).toMatchObject({ code: 'invalid', expression: ['status'] });
  });
});

describe('FHIR _sort on Observation', () => {
  const hr = 'code=https://w3id.org/openmhealth|omh:heart-rate:2.0';

  it('accepts the order results come in, and date for one patient and code', async () => {
    const plain = await observations('/Observation?_count=1000', 'mary@example.com');
    for (const sort of ['patient,code,date', 'patient,code,date,_id']) {
      const sorted = await observations(`/Observation?_count=1000&_sort=${sort}`, 'mary@example.com');
      expect(sorted.map((o) => o.id)).toEqual(plain.map((o) => o.id));
    }
    const byDate = await fhirFetch(app, `/Observation?patient=40001&${hr}&_sort=date&_count=1000`, {
      as: 'mary@example.com',
    });
    expect(byDate.status).toBe(200);
    const times = byDate.body.entry.map(
      (e: { resource: { effectiveDateTime?: string; effectivePeriod?: { start: string } } }) =>
        Date.parse(e.resource.effectiveDateTime ?? e.resource.effectivePeriod!.start),
    );
    expect(times.length).toBeGreaterThan(1);
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
  });

  it('refuses other orders with the accepted values', async () => {
    expect(await refused('/Observation?_sort=-date', 'mary@example.com', '_sort')).toMatch(
      /accepted: "patient,code,date", "patient,code,date,_id" \("date" and "-date" too, with patient and code given\)/,
    );
    expect(await refused('/Observation?_sort=date', 'mary@example.com', '_sort')).toMatch(/with patient and code/);
    expect(await refused(`/Observation?patient=40001&${hr}&_sort=-code`, 'mary@example.com', '_sort')).toMatch(
      /accepted: "patient,code,date", "patient,code,date,_id", "date", "-date"; other orders are not served/,
    );
  });
});

describe('POST [type]/_search', () => {
  const form = (path: string, body: string, as: string, type = 'application/x-www-form-urlencoded') =>
    fhirFetch(app, path, { as, method: 'POST', body, headers: { 'content-type': type } });

  it('searches Patients with a form body, merged with the URL, as the viewer', async () => {
    const posted = await form('/Patient/_search?given=Pam', 'family=Patient&_count=1', 'mary@example.com');
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(ids(posted.body)).toEqual(['40002']);
    const self = new URL(posted.body.link.find((l: { relation: string }) => l.relation === 'self').url);
    expect(self.pathname).toBe('/fhir/r5/Patient');
    expect(Object.fromEntries(self.searchParams)).toEqual({ given: 'Pam', family: 'Patient', _count: '1' });
    expect(ids((await form('/Patient/_search', 'family=Patient', 'mark@example.com')).body)).toEqual([
      '40003',
      '40005',
    ]);
    expect(ids((await form('/Patient/_search', 'family=Patient', 'peter@example.com')).body)).toEqual(['40001']);
  });

  it('searches Observations with a form body; its next link goes on as a GET', async () => {
    const all = await observations('/Observation?patient=40001&_count=1000', 'mary@example.com');
    const first = await form('/Observation/_search', 'patient=Patient/40001&_count=2', 'mary@example.com');
    expect(first.status).toBe(200);
    expect(first.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(
      all.slice(0, 2).map((o) => o.id),
    );
    const next = new URL(first.body.link.find((l: { relation: string }) => l.relation === 'next').url);
    const second = await fhirFetch(app, `${next.pathname.replace('/fhir/r5', '')}${next.search}`, {
      as: 'mary@example.com',
    });
    expect(second.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(
      all.slice(2, 4).map((o) => o.id),
    );
    const marks = await form('/Observation/_search', 'patient=40001', 'mark@example.com');
    expect(marks.status).toBe(404);
  });

  it('refuses other content types (415), bad and repeated parameters (400)', async () => {
    const json = await form('/Patient/_search', '{"family":"Patient"}', 'mary@example.com', 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.resourceType).toBe('OperationOutcome');
    const repeated = await form('/Patient/_search?family=A', 'family=B', 'mary@example.com');
    expect(repeated.status).toBe(400);
    expect(repeated.body.issue[0].diagnostics).toMatch(/only once/);
    const unknown = await form('/Observation/_search', '__proto__=x&combo-code=x', 'mary@example.com');
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0].code).toBe('not-supported');
    expect((await form('/Patient/_search', 'birthdate=ge1980-01-01', 'mary@example.com')).status).toBe(400);
  });
});

describe('previous links', () => {
  const link = (bundle: { link: { relation: string; url: string }[] }, relation: string) =>
    bundle.link.find((l) => l.relation === relation)?.url;
  const path = (url: string) => url.replace(`${app.baseUrl}/fhir/r5`, '');

  it('a _page beyond the first links to the page before; the first page and cursor pages have none', async () => {
    const as = 'mary@example.com';
    const first = (await fhirFetch(app, '/Observation?patient=40001&_count=2&_page=1', { as })).body;
    const second = (await fhirFetch(app, '/Observation?patient=40001&_count=2&_page=2', { as })).body;
    expect(link(first, 'previous')).toBeUndefined();
    const previous = link(second, 'previous')!;
    expect(new URL(previous).searchParams.get('_page')).toBe('1');
    expect(ids((await fhirFetch(app, path(previous), { as })).body)).toEqual(ids(first));
    // pages reached through `next` cursors: keyset cursors only go forward
    const next = (await fhirFetch(app, path(link(first, 'next')!), { as })).body;
    expect(ids(next)).toEqual(ids(second));
    expect(link(next, 'previous')).toBeUndefined();
    const patients = (await fhirFetch(app, '/Patient?_count=1&_page=2', { as })).body;
    expect(ids((await fhirFetch(app, path(link(patients, 'previous')!), { as })).body)).toEqual(['40001']);
  });
});
