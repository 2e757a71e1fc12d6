import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';

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
