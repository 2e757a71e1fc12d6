import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { bloodPressure, bundle, heartRate, observation, OMH } from './support/omh.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { PATIENT } from './support/seed-viewers.js';

/**
 * Token scopes on the FHIR face and on nested GraphQL fields: every FHIR interaction × scope strings (none,
 * read-only, write-only, per resource, per code, patient context), allowed and denied, with real tokens.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const HR = `${OMH}|omh:heart-rate:2.0`;
const BP = `${OMH}|omh:blood-pressure:4.0`;
let serial = 0;

async function fhir(token: string, path: string, body?: unknown) {
  const response = await fetch(`${app.baseUrl}/fhir/r5${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/fhir+json',
      ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const upload = (code: 'hr' | 'bp') =>
  observation({
    patient: PATIENT.peter,
    code: code === 'hr' ? 'omh:heart-rate:2.0' : 'omh:blood-pressure:4.0',
    omh: code === 'hr' ? heartRate(62) : bloodPressure(120, 80),
    identifier: `fhir-scope-${++serial}`,
  });

interface Interaction {
  needs: string;
  run: (token: string) => Promise<{ status: number; body: any }>;
  /** the status when allowed */
  ok: number;
}

const INTERACTIONS: Record<string, Interaction> = {
  'search Patient': { needs: 'Patient.s', ok: 200, run: (t) => fhir(t, '/Patient?_has:Group:member:_id=30001') },
  'read Patient': { needs: 'Patient.r', ok: 200, run: (t) => fhir(t, '/Patient/40001') },
  'search Observation': {
    needs: 'Observation.s',
    ok: 200,
    run: (t) => fhir(t, '/Observation?patient._has:Group:member:_id=30001&_count=5'),
  },
  'read Observation': { needs: 'Observation.r', ok: 200, run: (t) => fhir(t, '/Observation/60001') },
  'search Organization': { needs: 'Organization.s', ok: 200, run: (t) => fhir(t, '/Organization?partof=20002') },
  'read Organization': { needs: 'Organization.r', ok: 200, run: (t) => fhir(t, '/Organization/20003') },
  'search Device': { needs: 'Device.s', ok: 200, run: (t) => fhir(t, '/Device') },
  'read Device': { needs: 'Device.r', ok: 200, run: (t) => fhir(t, '/Device/70001') },
  'search Group': { needs: 'Group.s', ok: 200, run: (t) => fhir(t, '/Group?managing-entity=20003') },
  'read Group': { needs: 'Group.r', ok: 200, run: (t) => fhir(t, '/Group/30001') },
  'search Practitioner': { needs: 'Practitioner.s', ok: 200, run: (t) => fhir(t, '/Practitioner?name=m') },
  'read Practitioner': { needs: 'Practitioner.r', ok: 200, run: (t) => fhir(t, '/Practitioner/3') },
  'search PractitionerRole': {
    needs: 'PractitionerRole.s',
    ok: 200,
    run: (t) => fhir(t, '/PractitionerRole?organization=20003'),
  },
  'read PractitionerRole': { needs: 'PractitionerRole.r', ok: 200, run: (t) => fhir(t, '/PractitionerRole/4') },
  'search Consent': { needs: 'Consent.s', ok: 200, run: (t) => fhir(t, '/Consent?patient=40001') },
  'read Consent': { needs: 'Consent.r', ok: 200, run: (t) => fhir(t, '/Consent/40001-30001') },
  'search ResearchStudy': { needs: 'Group.s', ok: 200, run: (t) => fhir(t, '/ResearchStudy') },
  'read ResearchStudy': { needs: 'Group.r', ok: 200, run: (t) => fhir(t, '/ResearchStudy/30001') },
  'create Observation': { needs: 'Observation.c', ok: 201, run: (t) => fhir(t, '/Observation', upload('hr')) },
  'batch of Observations': {
    needs: 'Observation.c',
    ok: 201,
    run: async (t) => {
      const answer = await fhir(t, '/', bundle('batch', [upload('hr')]));
      // the Bundle is answered; the entry carries the decision
      return {
        status: Number(String(answer.body.entry?.[0]?.response?.status ?? answer.status).slice(0, 3)),
        body: answer.body.entry?.[0]?.response?.outcome ?? answer.body,
      };
    },
  },
};

const SCOPES = ['', 'user/*.rs', 'user/*.cud', 'user/Patient.rs', 'user/Observation.cruds', 'patient/*.cruds'];

function covers(scopes: string, needs: string): boolean {
  const [resource, interaction] = needs.split('.') as [string, string];
  return scopes
    .split(' ')
    .filter(Boolean)
    .some(
      (s) =>
        s.startsWith('user/') &&
        (s.includes('/*.') || s.includes(`/${resource}.`)) &&
        s.split('.')[1]!.includes(interaction),
    );
}

describe('FHIR interactions × token scopes (as mary)', () => {
  it('metadata and SMART discovery need no token', async () => {
    expect((await fetch(`${app.baseUrl}/fhir/r5/metadata`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/fhir/r5/.well-known/smart-configuration`)).status).toBe(200);
  });

  for (const scope of SCOPES) {
    it(`with [${scope || 'no resource scope'}]`, async () => {
      const { access_token } = await scopedToken(app, 'mary@example.com', scope);
      for (const [name, interaction] of Object.entries(INTERACTIONS)) {
        const answer = await interaction.run(access_token);
        if (covers(scope, interaction.needs)) {
          expect(answer.status, `${name} with [${scope}]`).toBe(interaction.ok);
        } else {
          const [resource, letter] = interaction.needs.split('.');
          expect(answer.status, `${name} with [${scope}]`).toBe(403);
          expect(answer.body.resourceType, name).toBe('OperationOutcome');
          expect(answer.body.issue[0].code, name).toBe('forbidden');
          expect(answer.body.issue[0].diagnostics, name).toContain(`user/${resource}.${letter}`);
        }
      }
    });
  }
});

describe('a scope limited to one code', () => {
  it('reads and searches heart rate only, on both faces and in nested lists', async () => {
    const { access_token: token } = await scopedToken(
      app,
      'mary@example.com',
      `user/Observation.rs?code=${HR} user/Patient.rs`,
    );
    const search = await fhir(token, '/Observation?patient._has:Group:member:_id=30001&_count=1000');
    expect(search.status).toBe(200);
    const codes = new Set(search.body.entry.map((e: any) => e.resource.code.coding[0].code));
    expect([...codes]).toEqual(['omh:heart-rate:2.0']);
    // the same study holds blood pressure, which a full token sees
    const { access_token: wide } = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const all = await fhir(wide, '/Observation?patient._has:Group:member:_id=30001&_count=1000');
    expect(new Set(all.body.entry.map((e: any) => e.resource.code.coding[0].code))).toContain('omh:blood-pressure:4.0');
    const bpId = all.body.entry.find((e: any) => e.resource.code.coding[0].code === 'omh:blood-pressure:4.0').resource
      .id;
    expect((await fhir(token, `/Observation/${bpId}`)).status).toBe(404);
    expect((await fhir(wide, `/Observation/${bpId}`)).status).toBe(200);
    // asking for the code outside the scope finds nothing
    const other = await fhir(token, `/Observation?patient._has:Group:member:_id=30001&code=${encodeURIComponent(BP)}`);
    expect(other.body.entry).toEqual([]);

    const nested = await gqlWith(
      token,
      app,
      '{ patient(id: "40001") { observations(first: 1000) { nodes { code { codingCode } } } } }',
    );
    expect(nested.errors).toBeUndefined();
    const nestedCodes = new Set(nested.data!.patient.observations.nodes.map((n: any) => n.code.codingCode));
    expect([...nestedCodes]).toEqual(['omh:heart-rate:2.0']);
    const counted = await gqlWith(token, app, '{ observations(filter: { studyId: "30001" }) { totalCount } }');
    const countedAll = await gqlWith(wide, app, '{ observations(filter: { studyId: "30001" }) { totalCount } }');
    expect(counted.data!.observations.totalCount).toBeLessThan(countedAll.data!.observations.totalCount);
  });

  it('creates heart rate only', async () => {
    const { access_token: token } = await scopedToken(app, 'mary@example.com', `user/Observation.c?code=${HR}`);
    expect((await fhir(token, '/Observation', upload('hr'))).status).toBe(201);
    const bp = await fhir(token, '/Observation', upload('bp'));
    expect(bp.status).toBe(403);
    expect(bp.body.issue[0].diagnostics).toContain('omh:blood-pressure:4.0');
  });
});

describe('nested fields need their own scopes', () => {
  it('a study’s patients need Patient search; an observation’s subject needs Patient read beyond its id', async () => {
    const { access_token: groups } = await scopedToken(app, 'mary@example.com', 'user/Group.rs');
    const study = await gqlWith(groups, app, '{ study(id: "30001") { name patients { nodes { id } } } }');
    expect(study.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, path: ['study', 'patients'] });
    expect(study.errors![0]!.message).toContain('user/Patient.s');
    const alone = await gqlWith(groups, app, '{ study(id: "30001") { name } }');
    expect(alone.errors).toBeUndefined();

    const { access_token: observations } = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const byId = await gqlWith(
      observations,
      app,
      '{ observations(filter: { studyId: "30001" }, first: 3) { nodes { subject { id } } } }',
    );
    expect(byId.errors).toBeUndefined();
    const named = await gqlWith(
      observations,
      app,
      '{ observations(filter: { studyId: "30001" }, first: 3) { nodes { subject { nameFamily } } } }',
    );
    expect(named.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(named.errors![0]!.message).toContain('user/Patient.r');
  });
});

describe('patient context', () => {
  it('a practitioner’s patient/ scopes grant nothing: there is no patient in context', async () => {
    const { access_token, scope } = await scopedToken(app, 'mary@example.com', 'launch/patient patient/*.cruds');
    expect(scope.split(' ')).not.toContain('launch/patient');
    expect((await fhir(access_token, '/Patient/40001')).status).toBe(403);
  });

  it('a patient’s patient/ scopes reach their own record alone', async () => {
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect((await fhir(access_token, '/Patient/40001')).status).toBe(200);
    expect((await fhir(access_token, '/Patient/40002')).status).toBe(404);
    const own = await fhir(access_token, '/Observation?_count=1000');
    expect(own.body.entry.length).toBeGreaterThan(0);
    expect(own.body.entry.every((e: any) => e.resource.subject.reference === 'Patient/40001')).toBe(true);
    // read-only: no uploads
    expect((await fhir(access_token, '/Observation', upload('hr'))).status).toBe(403);
  });

  it('a patient’s create-only token uploads but does not read', async () => {
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/Observation.c');
    expect((await fhir(access_token, '/Observation', upload('hr'))).status).toBe(201);
    expect((await fhir(access_token, '/Observation')).status).toBe(403);
    expect((await fhir(access_token, '/Patient/40001')).status).toBe(403);
  });
});
