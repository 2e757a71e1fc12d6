import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirClient, fhirFetch } from './support/fhir.js';
import { bloodPressure, bodyTemperature, bundle, heartRate, observation } from './support/omh.js';
import { gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const count = async () => {
  const [row] = await app.db.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from observations');
  return Number(row!.n);
};

describe('FHIR create and batch upload', () => {
  it('creates one observation, and answers a re-upload with the same identifier with the existing one', async () => {
    const resource = observation({ patient: 40001, omh: heartRate(72), identifier: 'hr-1' });
    const created = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: resource });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${app.baseUrl}/fhir/r5/Observation/${created.body.id}`);
    expect(created.body).toMatchObject({ resourceType: 'Observation', subject: { reference: 'Patient/40001' } });
    const before = await count();
    const again = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: resource });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(await count()).toBe(before);
  });

  it('answers a batch entry by entry; one bad entry never sinks the others', async () => {
    const client = await fhirClient(app, 'peter@example.com');
    const entries = [
      observation({ patient: 40001, omh: heartRate(61), identifier: 'b-ok' }),
      observation({ patient: 40002, omh: heartRate(62) }), // someone else
      observation({ patient: 40001, code: 'omh:body-temperature:4.0', omh: bodyTemperature(36.9) }), // not consented
      observation({ patient: 40001, device: 70004, code: 'omh:blood-pressure:4.0', omh: bloodPressure(120, 80) }), // Oura: no blood pressure
      observation({ patient: 40001, omh: heartRate(64, '2026-11-10T08:00:00Z', 'bpm') }), // bad unit
      observation({ patient: 40001, omh: heartRate(65), identifier: 'b-ok-2' }),
    ];
    const before = await count();
    const response = (await client.batch({ body: bundle('batch', entries) as any })) as any;
    expect(response).toMatchObject({ resourceType: 'Bundle', type: 'batch-response' });
    expect(response.entry.map((e: any) => e.response.status)).toEqual(['201', '404', '403', '422', '422', '201']);
    expect(response.entry[0].response.location).toMatch(/^Observation\/\d+$/);
    expect(response.entry[3].response.outcome.issue[0].diagnostics).toMatch(/Device\/70004 does not support/);
    expect(response.entry[4].response.outcome.issue[0].diagnostics).toMatch(/\/body\/heart_rate\/unit/);
    expect(response.entry[4].response.outcome.issue[0].expression[0]).toBe(
      '/valueAttachment/data/body/heart_rate/unit',
    );
    expect(await count()).toBe(before + 2);
  });

  it('answers minimally unless the client prefers the stored resources (Prefer: return=representation)', async () => {
    const upload = (prefer: string | null, identifier: string) =>
      fhirFetch(app, '/', {
        as: 'peter@example.com',
        headers: prefer ? { prefer } : {},
        body: bundle('batch', [observation({ patient: 40001, omh: heartRate(66), identifier })]),
      });
    const minimal = (await upload(null, 'p-minimal')).body.entry[0];
    expect(minimal.resource).toBeUndefined();
    expect(minimal.fullUrl).toBe(`${app.baseUrl}/fhir/r5/${minimal.response.location}`);
    expect(Date.parse(minimal.response.lastModified)).toBeGreaterThan(Date.now() - 60_000);

    const full = (await upload('return=representation', 'p-full')).body.entry[0];
    expect(full.response.status).toBe('201');
    expect(full.resource).toMatchObject({
      resourceType: 'Observation',
      id: full.response.location.split('/')[1],
      subject: { reference: 'Patient/40001' },
      identifier: [{ value: 'p-full' }],
      meta: { lastUpdated: full.response.lastModified },
    });
    expect(JSON.parse(Buffer.from(full.resource.valueAttachment.data, 'base64').toString())).toMatchObject({
      body: { heart_rate: { value: 66 } },
    });
    const again = (await upload('return=representation', 'p-full')).body.entry[0];
    expect(again.response.status).toBe('200');
    expect(again.resource.id).toBe(full.resource.id);

    const single = await fhirFetch(app, '/Observation', {
      as: 'peter@example.com',
      headers: { prefer: 'return=minimal' },
      body: observation({ patient: 40001, omh: heartRate(67) }),
    });
    expect(single.status).toBe(201);
    expect(single.body).toBeNull();
    expect(single.headers.get('location')).toMatch(/\/fhir\/r5\/Observation\/\d+$/);
    expect(single.headers.get('last-modified')).toBeTruthy();
  });

  it('decodes the attachment: base64 with line breaks, JSON as uploaded; anything else is a 422 naming it', async () => {
    const omh = heartRate(68, '2026-11-12T08:00:00Z');
    const withData = (data: string, contentType = 'application/json') => ({
      ...observation({ patient: 40001, omh }),
      valueAttachment: { contentType, data },
    });
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    const mime = base64(JSON.stringify(omh, null, 2)).replace(/.{76}/g, '$&\r\n');
    const response = await fhirFetch(app, '/', {
      as: 'peter@example.com',
      headers: { prefer: 'return=representation' },
      body: bundle('batch', [
        withData(mime),
        withData(`${base64(JSON.stringify(omh)).slice(0, -4)}*AAA`),
        withData(base64('heart rate 68')),
        withData(base64('[1, 2]')),
        withData(base64(JSON.stringify(omh)), 'text/plain'),
      ]),
    });
    const entries = response.body.entry;
    expect(entries.map((e: any) => e.response.status)).toEqual(['201', '422', '422', '422', '422']);
    const stored = JSON.parse(Buffer.from(entries[0].resource.valueAttachment.data, 'base64').toString());
    expect(stored).toEqual(omh);
    const diagnostics = entries.slice(1).map((e: any) => e.response.outcome.issue[0].diagnostics);
    expect(diagnostics).toEqual([
      '/valueAttachment/data must be base64',
      '/valueAttachment/data does not decode to JSON',
      '/valueAttachment/data must decode to a JSON object (an Open mHealth data point)',
      '/valueAttachment/contentType must be application/json',
    ]);
  });

  it('refuses non-POST entries and non-Observation resources per entry', async () => {
    const response = await fhirFetch(app, '/', {
      as: 'peter@example.com',
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          {
            resource: observation({ patient: 40001, omh: heartRate(70) }),
            request: { method: 'DELETE', url: 'Observation/1' },
          },
          { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Observation' } },
          {
            resource: { ...observation({ patient: 40001, omh: heartRate(71) }), status: 'done' },
            request: { method: 'POST', url: 'Observation' },
          },
          {
            resource: {
              ...observation({ patient: 40001, omh: heartRate(72) }),
              code: { coding: [{ code: 'omh:heart-rate:2.0' }] },
            },
            request: { method: 'POST', url: 'Observation' },
          },
          {
            resource: observation({ patient: 40001, omh: heartRate(73), identifier: 'still-fine' }),
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.entry.map((e: any) => e.response.status)).toEqual(['405', '400', '422', '422', '201']);
    expect(response.body.entry[2].response.outcome.issue[0].diagnostics).toMatch(/status must be one of/);
  });

  it('makes a transaction all or nothing', async () => {
    const before = await count();
    const failing = await fhirFetch(app, '/', {
      as: 'peter@example.com',
      body: bundle('transaction', [
        observation({ patient: 40001, omh: heartRate(80), identifier: 't-1' }),
        observation({ patient: 40001, omh: heartRate(81, 'not a date') }),
      ]),
    });
    expect(failing.status).toBe(422);
    expect(failing.body.resourceType).toBe('OperationOutcome');
    expect(failing.body.issue[0].diagnostics).toMatch(/observation 1/);
    expect(await count()).toBe(before);

    const passing = await fhirFetch(app, '/', {
      as: 'peter@example.com',
      body: bundle('transaction', [
        observation({ patient: 40001, omh: heartRate(82), identifier: 't-2' }),
        observation({ patient: 40001, omh: heartRate(83), identifier: 't-3' }),
      ]),
    });
    expect(passing.status).toBe(200);
    expect(passing.body.type).toBe('transaction-response');
    expect(passing.body.entry.map((e: any) => e.response.status)).toEqual(['201', '201']);
    expect(await count()).toBe(before + 2);
  });

  it('lets members upload for a consenting patient, not viewers', async () => {
    const resource = observation({ patient: 40001, omh: heartRate(90) });
    expect((await fhirFetch(app, '/Observation', { as: 'megan@example.com', body: resource })).status).toBe(201);
    expect((await fhirFetch(app, '/Observation', { as: 'victor@example.com', body: resource })).status).toBe(403);
    expect((await fhirFetch(app, '/Observation', { as: 'mark@example.com', body: resource })).status).toBe(404);
  });

  it('answers malformed requests with 4xx OperationOutcomes', async () => {
    const asPeter = { as: 'peter@example.com' };
    const plain = await fhirFetch(app, '/Observation', {
      ...asPeter,
      body: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    const broken = await fhirFetch(app, '/', { ...asPeter, body: '{"resourceType": "Bundle", ' });
    expect(broken.status).toBe(400);
    expect(broken.body.issue[0].diagnostics).toMatch(/not valid JSON/);
    const tooMany = await fhirFetch(app, '/', {
      ...asPeter,
      body: bundle(
        'batch',
        Array.from({ length: 1001 }, () => ({ resourceType: 'Observation' })),
      ),
    });
    expect(tooMany.status).toBe(413);
    const notBundle = await fhirFetch(app, '/', { ...asPeter, body: { resourceType: 'Observation' } });
    expect(notBundle.status).toBe(400);
    const unknownElement = await fhirFetch(app, '/Observation', {
      ...asPeter,
      body: { ...observation({ patient: 40001, omh: heartRate(1) }), favouriteColour: 'blue' },
    });
    expect(unknownElement.status).toBe(400);
    expect(unknownElement.body.issue[0].diagnostics).toMatch(/favouriteColour/);
  });

  it('hides uploaded data from the study at once when the patient revokes consent', async () => {
    const search =
      '/Observation?patient._has:Group:member:_id=30001&code=' +
      encodeURIComponent('https://w3id.org/openmhealth|omh:heart-rate:2.0') +
      '&patient=40001&_summary=count';
    const visible = (await fhirFetch(app, search, { as: 'mary@example.com' })).body.total;
    expect(visible).toBeGreaterThan(0);
    const revoke = `mutation { revokeConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30001", scopeConsents: [{ codingSystem: "https://w3id.org/openmhealth", codingCode: "omh:heart-rate:2.0" }] }]) { studies { study { id } } } }`;
    expect((await gql(app, 'peter@example.com', revoke)).errors).toBeUndefined();
    expect((await fhirFetch(app, search, { as: 'mary@example.com' })).body.total).toBe(0);
    expect(
      (
        await fhirFetch(
          app,
          '/Observation?patient=40001&code=' +
            encodeURIComponent('https://w3id.org/openmhealth|omh:heart-rate:2.0') +
            '&_summary=count',
          { as: 'peter@example.com' },
        )
      ).body.total,
    ).toBe(visible);
    // and the patient may no longer upload that code
    expect(
      (
        await fhirFetch(app, '/Observation', {
          as: 'peter@example.com',
          body: observation({ patient: 40001, omh: heartRate(99) }),
        })
      ).status,
    ).toBe(403);
  });
});

describe('re-uploads by someone who may write but not read', () => {
  it('answer 409 instead of showing the earlier observation', async () => {
    // pamela shares heart rate only with Olgin's study: megan (member of BIDS, pamela's organization) may
    // still upload it for her, but may not read it
    const resource = observation({ patient: 40002, omh: heartRate(70), identifier: 'pamela-hr-1' });
    expect((await fhirFetch(app, '/Observation', { as: 'pamela@example.com', body: resource })).status).toBe(201);
    await app.db.orm.em.getConnection().execute(
      `update study_patient_scope_consents set consented = false where codeable_concept_id = 50004
           and study_patient_id in (select id from study_patients where patient_id = 40002 and study_id = 30001)`,
    );
    // a consent to another organization's study keeps uploads allowed but reads hidden from BIDS
    await app.db.orm.em.getConnection().execute(
      `insert into patient_organizations (patient_id, organization_id) values (40002, 20008);
       insert into study_scope_requests (study_id, codeable_concept_id) values (30005, 50004);
       insert into study_patients (study_id, patient_id) values (30005, 40002);
       insert into study_patient_scope_consents (study_patient_id, codeable_concept_id, consented, consented_time)
         select id, 50004, true, now() from study_patients where study_id = 30005 and patient_id = 40002`,
    );
    const again = await fhirFetch(app, '/Observation', { as: 'megan@example.com', body: resource });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toContain('valueAttachment');
    expect((await fhirFetch(app, '/Observation', { as: 'pamela@example.com', body: resource })).status).toBe(200);
  });
});
