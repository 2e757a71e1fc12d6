import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { callTool, mcpClient } from './support/mcp.js';
import { bundle, heartRate, observation } from './support/omh.js';
import { rest } from './support/rest.js';
import { scopedToken } from './support/scoped-tokens.js';
import { codes, gql, tokenFor } from './support/tokens.js';

/**
 * Observations other than Open mHealth: LOINC observations stored whole, consent-gated by their code, searched
 * like the rest. Peter (40001, BIDS) shares LOINC heart rate with BIDS Study on BP & HR (30001), which requests
 * it; BIDS Study on BP (30002) does not request it. Body weight is requested by 30001 but not consented.
 */

const LOINC = 'http://loinc.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const HR = { system: LOINC, code: '8867-4', text: 'Heart rate' };
const WEIGHT = { system: LOINC, code: '29463-7', text: 'Body weight' };
const BP = { system: LOINC, code: '85354-9', text: 'Blood pressure panel' };

let app: TestApp;
const conceptIds: Record<string, string> = {};

async function ok(as: string, query: string, variables: Record<string, unknown> = {}) {
  const result = await gql(app, as, query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data as any;
}

beforeAll(async () => {
  app = await startTestApp();
  for (const concept of [HR, WEIGHT, BP]) {
    const { createCodeableConcept } = await ok(
      'sam@example.com',
      `mutation ($input: CreateCodeableConceptInput!) { createCodeableConcept(input: $input) { id } }`,
      { input: { codingSystem: concept.system, codingCode: concept.code, text: concept.text } },
    );
    conceptIds[concept.code] = createCodeableConcept.id;
    await ok(
      'sam@example.com',
      `mutation ($c: ID!) { addDataSourceScope(codeableConceptId: $c, dataSourceId: "70001") { id } }`,
      {
        c: createCodeableConcept.id,
      },
    );
    await ok(
      'mary@example.com',
      `mutation ($c: ID!) { addStudyScopeRequest(codeableConceptId: $c, studyId: "30001") { id } }`,
      {
        c: createCodeableConcept.id,
      },
    );
  }
  await ok(
    'peter@example.com',
    `mutation ($consents: [ScopeConsentInput!]!) {
      setConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30001", scopeConsents: $consents }]) { patient { id } }
    }`,
    {
      consents: [
        { codingSystem: LOINC, codingCode: HR.code, consented: true },
        { codingSystem: LOINC, codingCode: BP.code, consented: true },
        { codingSystem: LOINC, codingCode: WEIGHT.code, consented: false },
      ],
    },
  );
});
afterAll(() => app?.close());

const vitalSigns = { coding: [{ system: CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] };

function loincHeartRate(value: number, when: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [vitalSigns],
    code: { coding: [{ system: LOINC, code: HR.code, display: 'Heart rate' }], text: 'Heart rate' },
    subject: { reference: 'Patient/40001', display: 'Peter' },
    device: { reference: 'Device/70001' },
    effectiveDateTime: when,
    valueQuantity: { value, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
    ...extra,
  };
}

function loincBloodPressure(systolic: number, diastolic: number, when: string) {
  const component = (code: string, value: number) => ({
    code: { coding: [{ system: LOINC, code }] },
    valueQuantity: { value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  });
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [vitalSigns],
    code: { coding: [{ system: LOINC, code: BP.code }] },
    subject: { reference: 'Patient/40001' },
    device: { reference: 'Device/70001' },
    effectivePeriod: { start: when },
    component: [component('8480-6', systolic), component('8462-4', diastolic)],
  };
}

const bodyWeight = (kg: number) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: LOINC, code: WEIGHT.code }] },
  subject: { reference: 'Patient/40001' },
  device: { reference: 'Device/70001' },
  effectiveDateTime: '2026-11-12',
  valueQuantity: { value: kg, unit: 'kg' },
});

const search = (as: string, query: string) => fhirFetch(app, `/Observation?${query}`, { as });
const ids = (bundleBody: any): string[] => bundleBody.entry.map((e: any) => e.resource.id);
const diagnostics = (body: any) => body.issue[0].diagnostics as string;

describe('uploading an Observation other than Open mHealth', () => {
  it('stores a consented LOINC valueQuantity whole and reads it back with the gateway’s id, meta and references', async () => {
    const resource = loincHeartRate(72, '2026-11-11T08:30:00+01:00', {
      id: 'client-side-id',
      meta: { profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'], versionId: '7' },
      identifier: [{ use: 'official', system: 'https://app.example/ids', value: 'loinc-hr-1' }],
      note: [{ text: 'after a walk' }],
    });
    const created = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: resource });
    expect(created.status).toBe(201);
    const { id, meta } = created.body;
    expect(id).toMatch(/^\d+$/);
    expect(id).not.toBe('client-side-id');
    expect(meta).toEqual({
      profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'],
      lastUpdated: expect.any(String),
    });
    const read = await fhirFetch(app, `/Observation/${id}`, { as: 'mary@example.com' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      ...resource,
      id,
      meta,
      subject: { reference: 'Patient/40001', display: 'Peter' },
    });
    expect(read.body).not.toHaveProperty('valueAttachment');
    // GraphQL: the resource for it, no Open mHealth data point
    const { observation: node } = await ok(
      'mary@example.com',
      `query ($id: ID!) { observation(id: $id) { effectiveTime status omh valueAttachment { data } resource code { codingCode } } }`,
      { id },
    );
    expect(node).toMatchObject({
      effectiveTime: '2026-11-11T07:30:00.000Z',
      status: 'FINAL',
      omh: null,
      valueAttachment: null,
      code: { codingCode: HR.code },
    });
    expect(node.resource.valueQuantity).toEqual(resource.valueQuantity);
    expect(node.resource).not.toHaveProperty('id');
    // a re-upload with the same identifier is the same observation
    const again = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: resource });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
  });

  it('refuses a code the patient has not consented to, an Open mHealth code without its data point, and another organization’s practitioner', async () => {
    const unconsented = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: bodyWeight(81) });
    expect(unconsented.status).toBe(403);
    expect(diagnostics(unconsented.body)).toMatch(/not consented to share 29463-7/);
    const omhCode = loincHeartRate(70, '2026-11-11T09:00:00Z', {
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' }] },
    });
    const withoutAttachment = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: omhCode });
    expect(withoutAttachment.status).toBe(422);
    expect(withoutAttachment.body.issue[0].expression).toEqual(['/valueAttachment']);
    // mark (UCSF, Moslehi) sees no BIDS patient: peter does not exist for him, as for an Open mHealth upload
    const otherOrg = await fhirFetch(app, '/Observation', {
      as: 'mark@example.com',
      body: loincHeartRate(70, '2026-11-11T09:00:00Z'),
    });
    expect(otherOrg.status).toBe(404);
    const omhOtherOrg = await fhirFetch(app, '/Observation', {
      as: 'mark@example.com',
      body: observation({ patient: 40001, omh: heartRate(70) }),
    });
    expect(omhOtherOrg.status).toBe(404);
  });

  it('answers an invalid R5 Observation with an OperationOutcome naming the element', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [
        loincHeartRate(72, '2026-11-11T08:30:00Z', { valueQuantity: { value: 'seventy' } }),
        400,
        'Observation.valueQuantity.value',
        /number/,
      ],
      [loincHeartRate(72, '2026-11-11T08:30:00Z', { colour: 'red' }), 400, 'Observation', /unknown element "colour"/],
      // the schema types status as a code, not its values
      [loincHeartRate(72, '2026-11-11T08:30:00Z', { status: 'done' }), 422, '/status', /must be one of registered/],
      [{ ...loincHeartRate(72, '2026-11-11T08:30:00Z'), status: undefined }, 422, '/status', /required/],
      [
        loincHeartRate(72, '2026-11-11T08:30:00Z', { valueString: 'x' }),
        400,
        'Observation.value[x]',
        /one value\[x\] only/,
      ],
      [
        { ...loincHeartRate(72, '2026-11-11T08:30:00Z'), effectiveDateTime: undefined },
        422,
        '/effective[x]',
        /effective\[x\] is required/,
      ],
      [loincHeartRate(72, '2026-02-30T08:00:00Z'), 422, '/effectiveDateTime', /not a real date-time/],
      [
        loincHeartRate(72, '2026-11-11T08:30:00Z', { subject: { reference: 'Group/30001' } }),
        422,
        '/subject/reference',
        /Patient\/<id>/,
      ],
      [{ ...loincHeartRate(72, '2026-11-11T08:30:00Z'), device: undefined }, 422, 'Observation.device', /Device\/<id>/],
      [
        loincHeartRate(72, '2026-11-11T08:30:00Z', {
          code: {
            coding: [
              { system: 'http://snomed.info/sct', code: '364075005' },
              { system: 'https://codes.example/local', code: 'hr' },
            ],
          },
        }),
        422,
        '/code/coding',
        /unknown coding http:\/\/snomed.info\/sct\|364075005, https:\/\/codes.example\/local\|hr/,
      ],
      [
        loincHeartRate(72, '2026-11-11T08:30:00Z', {
          code: { coding: Array.from({ length: 11 }, (_, i) => ({ system: LOINC, code: `x-${i}` })) },
        }),
        422,
        '/code/coding',
        /1 to 10 codings/,
      ],
    ];
    for (const [body, status, expression, message] of cases) {
      const answer = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body });
      expect({ status: answer.status, expression: answer.body.issue[0].expression }).toEqual({
        status,
        expression: [expression],
      });
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(diagnostics(answer.body)).toMatch(message);
    }
  });

  it('answers a batch mixing Open mHealth and other observations entry by entry', async () => {
    const response = await fhirFetch(app, '/', {
      as: 'peter@example.com',
      headers: { prefer: 'return=representation' },
      body: bundle('batch', [
        observation({ patient: 40001, omh: heartRate(61, '2026-11-13T08:00:00Z'), identifier: 'mix-omh' }),
        loincBloodPressure(121, 79, '2026-11-13T08:05:00Z'),
        bodyWeight(80),
        loincHeartRate(64, '2026-11-13T08:10:00Z', { status: 'preliminary' }),
      ]),
    });
    expect(response.status).toBe(200);
    expect(response.body.entry.map((e: any) => e.response.status)).toEqual(['201', '201', '403', '201']);
    const [omh, bp, , hr] = response.body.entry.map((e: any) => e.resource);
    expect(omh.valueAttachment.contentType).toBe('application/json');
    expect(bp.component.map((c: any) => c.valueQuantity.value)).toEqual([121, 79]);
    expect(bp.effectivePeriod).toEqual({ start: '2026-11-13T08:05:00Z' });
    expect(hr.status).toBe('preliminary');
  });
});

describe('searching observations other than Open mHealth', () => {
  it('finds them by patient, code, date, status and category; Open mHealth ones carry no category', async () => {
    const code = `code=${LOINC}|${HR.code}`;
    const all = await search('mary@example.com', `patient=40001&${code}`);
    expect(all.status).toBe(200);
    const values = all.body.entry.map((e: any) => e.resource.valueQuantity.value);
    expect(values).toEqual([72, 64]); // in effective-time order
    const day = await search('mary@example.com', `patient=40001&${code}&date=2026-11-13`);
    expect(day.body.entry.map((e: any) => e.resource.valueQuantity.value)).toEqual([64]);
    const finals = await search('mary@example.com', `patient=40001&${code}&status=final`);
    expect(finals.body.entry.map((e: any) => e.resource.valueQuantity.value)).toEqual([72]);
    const either = await search('mary@example.com', `patient=40001&${code}&status=final,preliminary`);
    expect(ids(either.body)).toEqual(ids(all.body));
    const vital = await search('peter@example.com', `patient=40001&category=${CATEGORY}|vital-signs&_count=1000`);
    expect(new Set(vital.body.entry.map((e: any) => e.resource.code.coding[0].code))).toEqual(
      new Set([HR.code, BP.code]),
    );
    const laboratory = await search('peter@example.com', `patient=40001&category=${CATEGORY}|laboratory`);
    expect(laboratory.body.entry).toEqual([]);
    // Open mHealth observations are all final and have no category
    const omhFinal = await search(
      'peter@example.com',
      'patient=40001&code=https://w3id.org/openmhealth|omh:heart-rate:2.0&status=final',
    );
    expect(omhFinal.body.entry.length).toBeGreaterThan(0);
    const omhVital = await search(
      'peter@example.com',
      `patient=40001&code=https://w3id.org/openmhealth|omh:heart-rate:2.0&category=${CATEGORY}|vital-signs`,
    );
    expect(omhVital.body.entry).toEqual([]);
    for (const bad of ['status=done', 'status=', 'category=vital-signs']) {
      const refused = await search('mary@example.com', bad);
      expect(refused.status).toBe(400);
      expect(refused.body.issue[0].expression[0]).toBe(bad.split('=')[0]);
    }
    const metadata = await fhirFetch(app, '/metadata');
    const observationParams = metadata.body.rest[0].resource
      .find((r: any) => r.type === 'Observation')
      .searchParam.map((p: any) => p.name);
    expect(observationParams).toEqual(expect.arrayContaining(['status', 'category']));
  });

  it('filters by status and category in GraphQL too', async () => {
    const { observations } = await ok(
      'mary@example.com',
      `query ($filter: ObservationFilter!) { observations(filter: $filter) { totalCount nodes { status resource } } }`,
      { filter: { patientId: '40001', status: ['PRELIMINARY'], category: { system: CATEGORY, code: 'vital-signs' } } },
    );
    expect(observations.totalCount).toBe(1);
    expect(observations.nodes[0].resource.valueQuantity.value).toBe(64);
  });

  it('summarizes their valueQuantity and components beside the Open mHealth bodies', async () => {
    const summary = `query ($filter: ObservationFilter!) {
      observationSummary(filter: $filter) { count quantities { name unit count min max mean } }
    }`;
    const hr = await ok('mary@example.com', summary, {
      filter: { patientId: '40001', code: { system: LOINC, code: HR.code } },
    });
    expect(hr.observationSummary).toEqual([
      { count: 2, quantities: [{ name: 'value', unit: 'beats/minute', count: 2, min: 64, max: 72, mean: 68 }] },
    ]);
    const bp = await ok('mary@example.com', summary, {
      filter: { patientId: '40001', code: { system: LOINC, code: BP.code } },
    });
    expect(bp.observationSummary[0].quantities).toEqual([
      { name: '8462-4', unit: 'mmHg', count: 1, min: 79, max: 79, mean: 79 },
      { name: '8480-6', unit: 'mmHg', count: 1, min: 121, max: 121, mean: 121 },
    ]);
  });

  it('shows them to a study requesting the code and not to one that does not', async () => {
    const code = `code=${LOINC}|${HR.code}`;
    const requesting = await search('mary@example.com', `patient._has:Group:member:_id=30001&${code}`);
    expect(requesting.body.entry).toHaveLength(2);
    const other = await search('mary@example.com', `patient._has:Group:member:_id=30002&${code}`);
    expect(other.status).toBe(200);
    expect(other.body.entry).toEqual([]);
    const otherAll = await search('mary@example.com', 'patient._has:Group:member:_id=30002&_count=1000');
    expect(otherAll.body.entry.some((e: any) => e.resource.code.coding[0].system === LOINC)).toBe(false);
    // outside BIDS, nobody sees them
    const mark = await search('mark@example.com', `${code}`);
    expect(mark.body.entry).toEqual([]);
  });

  it('narrows to the codes of a ?code= token', async () => {
    const { access_token: loincOnly } = await scopedToken(
      app,
      'mary@example.com',
      `user/Observation.rs?code=${LOINC}|${HR.code}`,
    );
    const asToken = (path: string, token: string) =>
      fhirFetch(app, path, { headers: { authorization: `Bearer ${token}` } });
    const narrowed = await asToken('/Observation?patient=40001&_count=1000', loincOnly);
    expect(narrowed.status).toBe(200);
    expect(new Set(narrowed.body.entry.map((e: any) => e.resource.code.coding[0].code))).toEqual(new Set([HR.code]));
    const { access_token: omhOnly } = await scopedToken(
      app,
      'mary@example.com',
      'user/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0',
    );
    const [someLoinc] = ids(narrowed.body);
    expect((await asToken(`/Observation/${someLoinc}`, loincOnly)).status).toBe(200);
    expect((await asToken(`/Observation/${someLoinc}`, omhOnly)).status).toBe(404);
    const omh = await asToken('/Observation?patient=40001&_count=1000', omhOnly);
    expect(omh.body.entry.some((e: any) => e.resource.code.coding[0].system === LOINC)).toBe(false);
  });

  it('shows them on the REST face (resource, no omhData) and the MCP face (the resource as body)', async () => {
    const page = await rest(app, `/observations?patient_id=40001&code=${encodeURIComponent(`${LOINC}|${HR.code}`)}`, {
      as: 'mary@example.com',
    });
    expect(page.status).toBe(200);
    expect(page.body.results.map((o: any) => [o.omhData, o.resource.valueQuantity.value])).toEqual([
      [null, 72],
      [null, 64],
    ]);
    const omhPage = await rest(app, '/observations?patient_id=40001&code=omh:heart-rate:2.0', {
      as: 'mary@example.com',
    });
    expect(omhPage.body.results[0]).toMatchObject({ resource: null, omhData: { body: expect.any(Object) } });
    const client = await mcpClient(app, await tokenFor(app, 'mary@example.com'));
    try {
      const { error, data } = await callTool(client, 'get_observations', {
        patientId: '40001',
        code: HR.code,
        codeSystem: LOINC,
      });
      expect(error).toBeNull();
      expect(data.observations.map((o: any) => o.body.valueQuantity.value)).toEqual([72, 64]);
    } finally {
      await client.close();
    }
  });

  it('hides them once consent is revoked', async () => {
    const code = `code=${LOINC}|${HR.code}`;
    const before = await search('mary@example.com', `patient=40001&${code}`);
    const [first] = ids(before.body);
    expect(first).toBeDefined();
    await ok(
      'peter@example.com',
      `mutation { revokeConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30001", scopeConsents: [
        { codingSystem: "${LOINC}", codingCode: "${HR.code}" }] }]) { patient { id } } }`,
    );
    const after = await search('mary@example.com', `patient=40001&${code}`);
    expect(after.body.entry).toEqual([]);
    expect((await fhirFetch(app, `/Observation/${first}`, { as: 'mary@example.com' })).status).toBe(404);
    // and the patient may no longer upload that code
    const refused = await fhirFetch(app, '/Observation', {
      as: 'peter@example.com',
      body: loincHeartRate(70, '2026-11-14T08:00:00Z'),
    });
    expect(refused.status).toBe(403);
  });
});

describe('uploading through GraphQL', () => {
  it('takes a whole resource, and refuses it mixed with the Open mHealth fields', async () => {
    const upload = `mutation ($o: [ObservationInput!]!) { uploadObservations(observations: $o) { status error { code path } observation { resource } } }`;
    const { uploadObservations } = await ok('peter@example.com', upload, {
      o: [
        { resource: loincBloodPressure(118, 76, '2026-11-15T08:00:00Z') },
        { resource: loincBloodPressure(118, 76, '2026-11-15T08:00:00Z'), subject: { reference: 'Patient/40001' } },
        { resource: { ...loincBloodPressure(118, 76, '2026-11-15T08:00:00Z'), component: 'none' } },
      ],
    });
    expect(uploadObservations.map((r: any) => [r.status, r.error?.code ?? null, r.error?.path ?? null])).toEqual([
      ['CREATED', null, null],
      ['ERROR', 'BAD_USER_INPUT', '/resource'],
      ['ERROR', 'BAD_USER_INPUT', '/component'],
    ]);
    expect(uploadObservations[0].observation.resource.component).toHaveLength(2);
    const incomplete = await gql(app, 'peter@example.com', upload, {
      o: [{ code: { coding: [{ system: LOINC, code: BP.code }] } }],
    });
    expect(incomplete.data).toMatchObject({
      uploadObservations: [{ status: 'ERROR', error: { code: 'BAD_USER_INPUT', path: '/subject' } }],
    });
    expect(codes(incomplete)).toEqual([]);
  });

  it('answers a resource nested too deep for GraphQL’s variables on its own entry, not for the whole batch', async () => {
    let extension: Record<string, unknown> = { url: 'https://app.example/leaf', valueString: 'x' };
    for (let level = 0; level < 14; level++)
      extension = { url: `https://app.example/level-${level}`, extension: [extension] };
    const deep = loincHeartRate(71, '2026-11-11T10:00:00Z', { extension: [extension] });
    const response = await fhirFetch(app, '/', {
      as: 'peter@example.com',
      body: bundle('batch', [deep, loincBloodPressure(119, 77, '2026-11-16T08:00:00Z')]),
    });
    expect(response.status).toBe(200);
    expect(response.body.entry.map((e: any) => e.response.status)).toEqual(['400', '201']);
    expect(diagnostics(response.body.entry[0].response.outcome)).toMatch(/nested more than 28 levels/);
  });
});

describe('an observation coded several ways', () => {
  it('is stored under the first coding the catalog holds, and consent-gated by that one', async () => {
    const snomed = { system: 'http://snomed.info/sct', code: '75367002' };
    const body = {
      ...loincBloodPressure(122, 81, '2026-11-16T09:00:00Z'),
      code: { coding: [snomed, { system: LOINC, code: BP.code }] },
    };
    const created = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body });
    expect(created.status).toBe(201);
    expect(created.body.code.coding).toEqual([snomed, { system: LOINC, code: BP.code }]);
    const found = await fhirFetch(
      app,
      `/Observation?patient=40001&code=${encodeURIComponent(`${LOINC}|${BP.code}`)}&_id=${created.body.id}`,
      { as: 'mary@example.com' },
    );
    expect(found.body.entry.map((e: any) => e.resource.id)).toEqual([created.body.id]);
    // body weight is in the catalog and declined: ahead of blood pressure, it is the one that gates
    const weightFirst = {
      ...body,
      code: {
        coding: [
          { system: LOINC, code: WEIGHT.code },
          { system: LOINC, code: BP.code },
        ],
      },
    };
    const refused = await fhirFetch(app, '/Observation', { as: 'peter@example.com', body: weightFirst });
    expect(refused.status).toBe(403);
    expect(diagnostics(refused.body)).toMatch(/not consented to share 29463-7/);
  });
});
