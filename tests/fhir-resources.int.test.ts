import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { PATIENT } from './support/seed-viewers.js';

/** Organization, Device and Group on the FHIR face: what generic clients reach by following references. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const ids = (bundle: any) => bundle.entry.map((e: any) => e.resource.id);

describe('FHIR Organization', () => {
  it('reads an organization the viewer holds a role in, with its type and parent', async () => {
    const { status, body } = await fhirFetch(app, '/Organization/20003', { as: 'mary@example.com' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      resourceType: 'Organization',
      id: '20003',
      name: expect.stringContaining('BIDS'),
      partOf: { reference: 'Organization/20002' },
    });
    // laboratory is not a code of the FHIR CodeSystem: text only
    expect(body.type).toEqual([{ text: 'Laboratory' }]);
    const top = await fhirFetch(app, '/Organization/20001', { as: 'mary@example.com' });
    expect(top.body.partOf).toBeUndefined();
    expect(top.body.type).toEqual([
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/organization-type',
            code: 'edu',
            display: 'Educational Institute',
          },
        ],
        text: 'Educational Institute',
      },
    ]);
  });

  it('answers 404 for another organization’s people', async () => {
    const { status, body } = await fhirFetch(app, '/Organization/20003', { as: 'mark@example.com' });
    expect(status).toBe(404);
    expect(body.resourceType).toBe('OperationOutcome');
    expect((await fhirFetch(app, '/Organization/20004', { as: 'mark@example.com' })).status).toBe(200);
  });

  it('searches the visible organizations, by partof and by _id', async () => {
    const all = await fhirFetch(app, '/Organization', { as: 'mary@example.com' });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
    expect(ids(all.body)).toEqual(['20001', '20002', '20003']);
    const children = await fhirFetch(app, '/Organization?partof=Organization/20002', { as: 'mary@example.com' });
    expect(ids(children.body)).toEqual(['20003']);
    const one = await fhirFetch(app, '/Organization?_id=20003', { as: 'mary@example.com' });
    expect(one.body).toMatchObject({ total: 1 });
    const hidden = await fhirFetch(app, '/Organization?_id=20003', { as: 'mark@example.com' });
    expect(hidden.body).toMatchObject({ total: 0, entry: [] });
    const paged = await fhirFetch(app, '/Organization?_count=2', { as: 'mary@example.com' });
    expect(ids(paged.body)).toEqual(['20001', '20002']);
    const next = paged.body.link.find((l: any) => l.relation === 'next').url.split('/fhir/r5')[1];
    expect(ids((await fhirFetch(app, next, { as: 'mary@example.com' })).body)).toEqual(['20003']);
    expect((await fhirFetch(app, '/Organization?name=BIDS', { as: 'mary@example.com' })).status).toBe(400);
  });

  it('refuses a token without an Organization scope, naming the scope', async () => {
    const { access_token } = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const read = await fhirFetch(app, '/Organization/20003', withToken(access_token));
    expect(read.status).toBe(403);
    expect(read.body.issue[0]).toMatchObject({ code: 'forbidden' });
    expect(read.body.issue[0].diagnostics).toContain('user/Organization.r');
    const search = await fhirFetch(app, '/Organization', withToken(access_token));
    expect(search.status).toBe(403);
    expect(search.body.issue[0].diagnostics).toContain('user/Organization.s');
  });

  it('gives a patient what GraphQL gives them', async () => {
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect((await fhirFetch(app, '/Organization/20003', withToken(access_token))).status).toBe(404);
    const search = await fhirFetch(app, '/Organization', withToken(access_token));
    expect(search.status).toBe(200);
    expect(search.body.entry).toEqual([]);
  });
});

describe('FHIR Device', () => {
  it('reads a data source with its name, type and supported codes', async () => {
    const { status, body } = await fhirFetch(app, '/Device/70002', { as: 'mary@example.com' });
    expect(status).toBe(200);
    expect(body).toEqual({
      resourceType: 'Device',
      id: '70002',
      displayName: 'Dexcom',
      name: [{ value: 'Dexcom', type: 'user-friendly-name' }],
      type: [{ text: 'personal_device' }],
      property: [
        {
          type: { text: 'supported observation code' },
          valueCodeableConcept: {
            coding: [
              { system: 'https://w3id.org/openmhealth', code: 'omh:blood-glucose:4.0', display: expect.any(String) },
            ],
          },
        },
      ],
    });
    expect((await fhirFetch(app, '/Device/79999', { as: 'mary@example.com' })).status).toBe(404);
    expect((await fhirFetch(app, '/Device/abc', { as: 'mary@example.com' })).status).toBe(400);
  });

  it('searches the catalog, by _id; a patient sees it too, a token without Device scope does not', async () => {
    const all = await fhirFetch(app, '/Device', { as: 'mary@example.com' });
    expect(all.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 4 });
    expect(ids(all.body)).toEqual(['70001', '70002', '70003', '70004']);
    const one = await fhirFetch(app, '/Device?_id=Device/70003', { as: 'mary@example.com' });
    expect(ids(one.body)).toEqual(['70003']);
    expect((await fhirFetch(app, '/Device?type=x', { as: 'mary@example.com' })).status).toBe(400);
    const patient = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect((await fhirFetch(app, '/Device/70001', withToken(patient.access_token))).status).toBe(200);
    const { access_token } = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const refused = await fhirFetch(app, '/Device/70001', withToken(access_token));
    expect(refused.status).toBe(403);
    expect(refused.body.issue[0].diagnostics).toContain('user/Device.r');
  });
});

describe('FHIR Group (a study)', () => {
  it('reads a study with its organizer, requested codes and enrolled patients', async () => {
    const { status, body } = await fhirFetch(app, '/Group/30001', { as: 'mary@example.com' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      resourceType: 'Group',
      id: '30001',
      type: 'person',
      membership: 'enumerated',
      name: 'BIDS Study on BP & HR',
      quantity: 2,
      managingEntity: { reference: 'Organization/20003' },
      member: [{ entity: { reference: 'Patient/40001' } }, { entity: { reference: 'Patient/40002' } }],
    });
    expect(body.meta).toBeUndefined();
    expect(body.characteristic.map((c: any) => c.code.coding[0].code).sort()).toEqual([
      'omh:blood-pressure:4.0',
      'omh:heart-rate:2.0',
    ]);
    expect(body.characteristic[0]).toMatchObject({ valueBoolean: true, exclude: false });
    // the references resolve
    expect((await fhirFetch(app, `/${body.managingEntity.reference}`, { as: 'mary@example.com' })).status).toBe(200);
    expect((await fhirFetch(app, `/${body.member[0].entity.reference}`, { as: 'mary@example.com' })).status).toBe(200);
  });

  it('answers 404 to another organization’s people', async () => {
    const { status, body } = await fhirFetch(app, '/Group/30001', { as: 'mark@example.com' });
    expect(status).toBe(404);
    expect(body.resourceType).toBe('OperationOutcome');
    expect((await fhirFetch(app, '/Group/30004', { as: 'mark@example.com' })).status).toBe(200);
  });

  it('searches the visible studies, by managing-entity and _id', async () => {
    const all = await fhirFetch(app, '/Group', { as: 'mary@example.com' });
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual(['30001', '30002']);
    expect(all.body.entry[0].resource.meta.tag[0].code).toBe('SUBSETTED');
    expect(all.body.entry[0].resource.member).toBeUndefined();
    const ucsf = await fhirFetch(app, '/Group?managing-entity=Organization/20007', { as: 'mark@example.com' });
    expect(ids(ucsf.body)).toEqual(['30004']);
    const one = await fhirFetch(app, '/Group?_id=30002', { as: 'mary@example.com' });
    expect(one.body.total).toBe(1);
    expect(one.body.entry[0].resource.managingEntity).toEqual({ reference: 'Organization/20003' });
    expect((await fhirFetch(app, '/Group?_id=30001', { as: 'mark@example.com' })).body).toMatchObject({ total: 0 });
    // `member` is served (fhir-search-results.int.test.ts); an unknown parameter is not
    expect((await fhirFetch(app, '/Group?characteristic=x', { as: 'mary@example.com' })).status).toBe(400);
  });

  it('a token with Group read alone gets the study without members or organizer; without it, 403', async () => {
    const narrow = await scopedToken(app, 'mary@example.com', 'user/Group.rs');
    const group = await fhirFetch(app, '/Group/30001', withToken(narrow.access_token));
    expect(group.status).toBe(200);
    expect(group.body.name).toBe('BIDS Study on BP & HR');
    expect(group.body).not.toHaveProperty('member');
    expect(group.body).not.toHaveProperty('quantity');
    expect(group.body).not.toHaveProperty('managingEntity');
    const { access_token } = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const refused = await fhirFetch(app, '/Group/30001', withToken(access_token));
    expect(refused.status).toBe(403);
    expect(refused.body.issue[0]).toMatchObject({ code: 'forbidden' });
    expect(refused.body.issue[0].diagnostics).toContain('user/Group.r');
  });

  it('gives a patient the studies and members GraphQL gives them', async () => {
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    const expected = await gqlWith(
      access_token,
      app,
      '{ study(id: 30001) { patients(first: 1000) { nodes { id } } } }',
    );
    const members = (expected.data?.study?.patients.nodes ?? []).map((p: any) => `Patient/${p.id}`);
    const group = await fhirFetch(app, '/Group/30001', withToken(access_token));
    expect(group.status).toBe(200);
    expect((group.body.member ?? []).map((m: any) => m.entity.reference)).toEqual(members);
    expect(members).toContain('Patient/40001');
    expect(members).not.toContain('Patient/40002');
    expect((await fhirFetch(app, '/Group/30003', withToken(access_token))).status).toBe(404);
    const search = await fhirFetch(app, '/Group', withToken(access_token));
    expect(ids(search.body)).toEqual(['30001', '30002']);
  });
});

describe('following references', () => {
  it('an observation’s subject and device answer 200', async () => {
    const observation = await fhirFetch(app, '/Observation/60001', { as: 'mary@example.com' });
    expect(observation.status).toBe(200);
    for (const reference of [observation.body.subject.reference, observation.body.device.reference]) {
      const followed = await fhirFetch(app, `/${reference}`, { as: 'mary@example.com' });
      expect(followed.status, reference).toBe(200);
      expect(`${followed.body.resourceType}/${followed.body.id}`).toBe(reference);
    }
  });
});
