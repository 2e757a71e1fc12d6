import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirClient, fhirFetch } from './support/fhir.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('FHIR metadata', () => {
  it('serves a public CapabilityStatement generated from the supported searches', async () => {
    const { status, headers, body } = await fhirFetch(app, '/metadata');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '5.0.0', kind: 'instance' });
    const [rest] = body.rest;
    const observation = rest.resource.find((r: { type: string }) => r.type === 'Observation');
    expect(observation.searchParam.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'patient._has:Group:member:_id',
        'patient',
        'patient.identifier',
        'code',
        'date',
        '_lastUpdated',
      ]),
    );
    expect(observation.interaction.map((i: { code: string }) => i.code)).toEqual(['read', 'search-type', 'create']);
    expect(rest.interaction.map((i: { code: string }) => i.code)).toEqual(['batch', 'transaction']);
    const oauth = rest.security.extension[0].extension.map((e: { url: string }) => e.url);
    expect(oauth).toEqual(['authorize', 'token', 'revoke', 'introspect', 'register']);
  });

  it('negotiates content: JSON yes, XML no', async () => {
    expect((await fhirFetch(app, '/metadata', { headers: { accept: 'application/json' } })).status).toBe(200);
    expect((await fhirFetch(app, '/metadata?_format=json')).status).toBe(200);
    const xml = await fhirFetch(app, '/metadata', { headers: { accept: 'application/fhir+xml' } });
    expect(xml.status).toBe(406);
    expect(xml.body.resourceType).toBe('OperationOutcome');
    expect((await fhirFetch(app, '/metadata?_format=xml')).status).toBe(406);
  });
});

describe('FHIR Patient', () => {
  it('searches a study’s patients with an independent FHIR client', async () => {
    const client = await fhirClient(app, 'mary@example.com');
    const bundle = (await client.search({
      resourceType: 'Patient',
      searchParams: { '_has:Group:member:_id': '30001' },
    })) as any;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(bundle.entry.map((e: any) => e.resource.id)).toEqual(['40001', '40002']);
    expect(bundle.entry[0].fullUrl).toBe(`${app.baseUrl}/fhir/r5/Patient/40001`);
    expect(bundle.entry[0].resource).toMatchObject({
      resourceType: 'Patient',
      name: [{ family: 'Patient', given: ['Peter'] }],
      birthDate: '1980-01-01',
      identifier: [{ system: 'https://ehr.example.com', value: 'peter-mrn-40001' }],
      telecom: [{ system: 'email', value: 'peter@example.com' }],
    });
    expect(bundle.link[0]).toEqual({ relation: 'self', url: expect.stringContaining('/fhir/r5/Patient?') });
  });

  it('finds a patient by identifier and reads one by id', async () => {
    const client = await fhirClient(app, 'mary@example.com');
    const bundle = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: 'https://ehr.example.com|pamela-mrn-40002' },
    })) as any;
    expect(bundle.entry.map((e: any) => e.resource.id)).toEqual(['40002']);
    const patient = (await client.read({ resourceType: 'Patient', id: '40001' })) as any;
    expect(patient.id).toBe('40001');
  });

  it('answers an empty page with "entry": []', async () => {
    const { status, body } = await fhirFetch(app, '/Patient?identifier=https://ehr.example.com|nobody', {
      as: 'mary@example.com',
    });
    expect(status).toBe(200);
    expect(body.total).toBe(0);
    expect(body.entry).toEqual([]);
  });

  it('hides patients of other organizations and refuses unknown parameters', async () => {
    const hidden = await fhirFetch(app, '/Patient/40004', { as: 'mary@example.com' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.resourceType).toBe('OperationOutcome');
    const other = await fhirFetch(app, '/Patient?_has:Group:member:_id=30005', { as: 'mary@example.com' });
    expect(other.status).toBe(404);
    const unknown = await fhirFetch(app, '/Patient?gender=male', { as: 'mary@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0].diagnostics).toMatch(/Unknown or unsupported search parameter "gender"/);
    const badId = await fhirFetch(app, '/Patient/abc', { as: 'mary@example.com' });
    expect(badId.status).toBe(400);
  });

  it('requires a valid token (401) and refuses other methods (405)', async () => {
    const anonymous = await fhirFetch(app, '/Patient?_has:Group:member:_id=30001');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.issue[0].code).toBe('login');
    const bad = await fhirFetch(app, '/Patient', { headers: { authorization: 'Bearer x.y.z' } });
    expect(bad.status).toBe(401);
    const del = await fhirFetch(app, '/Patient/40001', { as: 'mary@example.com', method: 'DELETE' });
    expect(del.status).toBe(405);
    const nowhere = await fhirFetch(app, '/Encounter', { as: 'mary@example.com' });
    expect(nowhere.status).toBe(404);
  });
});
