import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { rest } from './support/rest.js';
import { allPages, patientAppToken } from './support/rest-pages.js';
import { patientToken } from './support/scoped-tokens.js';

/**
 * /api/v1/patients/{id}/consents: JupyterHealth's consents answer and the patient's own answers. Seed: peter
 * (40001) shares BP and HR with study 30001 and has not answered 30002's BP request yet; pamela (40002) shares
 * everything asked.
 */

let app: TestApp;
let peter: string;
beforeAll(async () => {
  app = await startTestApp();
  peter = await patientAppToken(app, 40001);
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const VICTOR = 'victor@example.com';
const MARK = 'mark@example.com';
const OMH = 'https://w3id.org/openmhealth';
const BP = 'omh:blood-pressure:4.0';
const HR = 'omh:heart-rate:2.0';

const scopes = (studyId: number, ...answers: [string, boolean?][]) => ({
  studyScopeConsents: [
    {
      studyId,
      scopeConsents: answers.map(([codingCode, consented]) => ({
        codingSystem: OMH,
        codingCode,
        ...(consented === undefined ? {} : { consented }),
      })),
    },
  ],
});

const consentsOf = async (init: { as?: string; token?: string }, patientId = 40001) => {
  const { status, body } = await rest(app, `/patients/${patientId}/consents`, init);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};

/** How many of peter's observations of a code mary sees on /api/v1/observations. */
const marySeesOfPeter = async (code: string) =>
  (
    await rest(app, `/observations?patient_id=40001&code=${encodeURIComponent(`${OMH}|${code}`)}&page_size=1`, {
      as: MARY,
    })
  ).body.count as number;

describe('GET /api/v1/patients/{id}/consents', () => {
  it('answers JupyterHealth’s shape: studies with answers, studies with pending scopes, consolidated codes', async () => {
    const body = await consentsOf({ token: peter });
    expect(Object.keys(body).sort()).toEqual([
      'consolidatedConsentedScopes',
      'patient',
      'studies',
      'studiesPendingConsent',
    ]);
    expect(body.patient).toMatchObject({ id: 40001, nameGiven: 'Peter', telecomEmail: 'peter@example.com' });
    expect(body.consolidatedConsentedScopes.map((c: { codingCode: string }) => c.codingCode)).toEqual([BP, HR]);
    expect(body.consolidatedConsentedScopes[0]).toEqual({
      id: 50002,
      codingSystem: OMH,
      codingCode: BP,
      text: 'Blood pressure',
    });

    expect(body.studiesPendingConsent).toHaveLength(1);
    const [pending] = body.studiesPendingConsent;
    expect(Object.keys(pending).sort()).toEqual([
      'dataSources',
      'description',
      'id',
      'name',
      'organization',
      'pendingScopeConsents',
    ]);
    expect(pending).toMatchObject({
      id: 30002,
      name: 'BIDS Study on BP',
      organization: { id: 20003, name: 'Berkeley Institute for Data Science (BIDS)', type: 'laboratory' },
      pendingScopeConsents: [
        {
          code: { id: 50002, codingSystem: OMH, codingCode: BP, text: 'Blood pressure' },
          consented: null,
          consentedTime: null,
        },
      ],
    });
    expect(Object.keys(pending.organization).sort()).toEqual(['id', 'name', 'type']);
    expect(pending.dataSources.map((d: { name: string }) => d.name).sort()).toEqual(['CareX', 'iHealth']);
    expect(pending.dataSources.find((d: { name: string }) => d.name === 'CareX')).toMatchObject({
      id: 70003,
      type: 'personal_device',
      supportedScopes: expect.arrayContaining([expect.objectContaining({ codingCode: BP })]),
    });

    expect(body.studies.map((s: { id: number }) => s.id)).toEqual([30001]);
    const [answered] = body.studies;
    expect(Object.keys(answered).sort()).toEqual([
      'dataSources',
      'description',
      'id',
      'name',
      'organization',
      'scopeConsents',
    ]);
    expect(
      answered.scopeConsents.map((c: { code: { codingCode: string }; consented: boolean }) => [
        c.code.codingCode,
        c.consented,
      ]),
    ).toEqual([
      [BP, true],
      [HR, true],
    ]);
    expect(new Date(answered.scopeConsents[0].consentedTime).toISOString()).toBe(
      answered.scopeConsents[0].consentedTime,
    );
  });

  it('practitioners of the patient’s organizations read them (viewers too); others find no patient', async () => {
    const asPatient = await consentsOf({ token: peter });
    const asMary = await consentsOf({ as: MARY });
    const asVictor = await consentsOf({ as: VICTOR });
    const { patient: _p1, ...forPatient } = asPatient;
    const { patient: _p2, ...forMary } = asMary;
    const { patient: _p3, ...forVictor } = asVictor;
    expect(forMary).toEqual(forPatient);
    expect(forVictor).toEqual(forPatient);
    expect((await rest(app, '/patients/40001/consents', { as: MARK })).status).toBe(404);
    expect((await rest(app, '/patients/40002/consents', { token: peter })).status).toBe(404);
    expect((await rest(app, '/patients/40001/consents')).status).toBe(401);
  });
});

describe('POST, PATCH, DELETE /api/v1/patients/{id}/consents', () => {
  it('only the patient answers: practitioners get 403, other patients and organizations 404', async () => {
    const body = scopes(30002, [BP, true]);
    const mary = await rest(app, '/patients/40001/consents', { as: MARY, body });
    expect(mary.status).toBe(403);
    expect(mary.body.detail).toMatch(/Only the patient/);
    expect((await rest(app, '/patients/40001/consents', { as: MARY, method: 'PATCH', body })).status).toBe(403);
    expect(
      (await rest(app, '/patients/40001/consents', { as: MARY, method: 'DELETE', body: scopes(30001, [BP]) })).status,
    ).toBe(403);
    expect((await rest(app, '/patients/40001/consents', { as: MARK, body })).status).toBe(404);
    expect((await rest(app, '/patients/40002/consents', { token: peter, body })).status).toBe(404);
    // nothing changed
    expect((await consentsOf({ token: peter })).studiesPendingConsent.map((s: { id: number }) => s.id)).toEqual([
      30002,
    ]);
  });

  it('a patient token that may not update consents answers nothing', async () => {
    const { access_token } = await patientToken(app, 40001, 'patient/*.rs');
    const refused = await rest(app, '/patients/40001/consents', {
      token: access_token,
      body: scopes(30002, [BP, true]),
    });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('patient/Consent.u');
  });

  it('POST answers (201, the answers written), DELETE makes the scope pending again (204)', async () => {
    const created = await rest(app, '/patients/40001/consents', { token: peter, body: scopes(30002, [BP, true]) });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      studyScopeConsents: [
        {
          id: expect.any(Number),
          studyPatient: { study: 30002, patient: 40001 },
          scopeCode: { id: 50002, codingSystem: OMH, codingCode: BP, text: 'Blood pressure' },
          consented: true,
          consentedTime: expect.any(String),
        },
      ],
    });
    const answered = await consentsOf({ token: peter });
    expect(answered.studiesPendingConsent).toEqual([]);
    expect(answered.studies.map((s: { id: number }) => s.id)).toEqual([30001, 30002]);

    const removed = await rest(app, '/patients/40001/consents', {
      token: peter,
      method: 'DELETE',
      body: scopes(30002, [BP]),
    });
    expect(removed.status).toBe(204);
    expect(removed.body).toBeNull();
    const pendingAgain = await consentsOf({ as: MARY });
    expect(pendingAgain.studiesPendingConsent.map((s: { id: number }) => s.id)).toEqual([30002]);
    expect(pendingAgain.studiesPendingConsent[0].pendingScopeConsents).toEqual([
      { code: expect.objectContaining({ codingCode: BP }), consented: null, consentedTime: null },
    ]);
    expect(pendingAgain.studies.map((s: { id: number }) => s.id)).toEqual([30001]);
    // removing an answer that is not there changes nothing
    expect(
      (await rest(app, '/patients/40001/consents', { token: peter, method: 'DELETE', body: scopes(30002, [BP]) }))
        .status,
    ).toBe(204);
  });

  it('a revoked consent hides the observations at once on /api/v1/observations; a removed one too', async () => {
    const heartRateBefore = await marySeesOfPeter(HR);
    const bloodPressureBefore = await marySeesOfPeter(BP);
    expect(heartRateBefore).toBeGreaterThan(0);
    expect(bloodPressureBefore).toBeGreaterThan(0);

    const revoked = await rest(app, '/patients/40001/consents', {
      token: peter,
      method: 'PATCH',
      body: scopes(30001, [HR, false]),
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.studyScopeConsents).toEqual([
      expect.objectContaining({ consented: false, studyPatient: { study: 30001, patient: 40001 } }),
    ]);
    expect(await marySeesOfPeter(HR)).toBe(0);
    expect(await marySeesOfPeter(BP)).toBe(bloodPressureBefore);
    const everything = await allPages(app, '/observations?patient_id=40001&page_size=1000', { as: MARY });
    expect(everything.results.every((o: { codingCode: string }) => o.codingCode !== HR)).toBe(true);
    // the patient still sees their own
    expect((await rest(app, `/observations?code=${HR}&page_size=1`, { token: peter })).body.count).toBe(
      heartRateBefore,
    );

    // a "yes" removed (DELETE) hides as well: BP was shared with 30001 only
    expect(
      (await rest(app, '/patients/40001/consents', { token: peter, method: 'DELETE', body: scopes(30001, [BP]) }))
        .status,
    ).toBe(204);
    expect(await marySeesOfPeter(BP)).toBe(0);
    const after = await consentsOf({ token: peter });
    expect(after.consolidatedConsentedScopes).toEqual([]);
    expect(after.studiesPendingConsent.map((s: { id: number }) => s.id)).toEqual([30001, 30002]);

    // consenting again shares again
    const again = await rest(app, '/patients/40001/consents', {
      token: peter,
      body: scopes(30001, [BP, true], [HR, true]),
    });
    expect(again.status).toBe(201);
    expect(
      again.body.studyScopeConsents.map((c: { scopeCode: { codingCode: string } }) => c.scopeCode.codingCode),
    ).toEqual([BP, HR]);
    expect(await marySeesOfPeter(HR)).toBe(heartRateBefore);
    expect(await marySeesOfPeter(BP)).toBe(bloodPressureBefore);
  });

  it('takes snake_case bodies and study ids as digits', async () => {
    const { status, body } = await rest(app, '/patients/40001/consents', {
      token: peter,
      method: 'PATCH',
      body: {
        study_scope_consents: [
          { study_id: '30001', scope_consents: [{ coding_system: OMH, coding_code: HR, consented: true }] },
        ],
      },
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.studyScopeConsents).toHaveLength(1);
  });

  it('refuses bad bodies with 400 naming the field', async () => {
    const cases: [unknown, string, string?][] = [
      [{}, 'studyScopeConsents: this field is required'],
      [{ studyScopeConsents: [] }, 'studyScopeConsents'],
      [{ studyScopeConsents: [{ scopeConsents: [] }] }, 'studyScopeConsents.0.studyId: this field is required'],
      [{ studyScopeConsents: [{ studyId: 'abc', scopeConsents: [] }] }, 'studyScopeConsents.0.studyId'],
      [{ studyScopeConsents: [{ studyId: 30002 }] }, 'studyScopeConsents.0.scopeConsents: this field is required'],
      [scopes(30002, [BP]), 'studyScopeConsents.0.scopeConsents.0.consented: this field is required'],
      [
        {
          studyScopeConsents: [
            { studyId: 30002, scopeConsents: [{ codingSystem: OMH, codingCode: BP, consented: 'yes' }] },
          ],
        },
        'studyScopeConsents.0.scopeConsents.0.consented',
      ],
      [
        { studyScopeConsents: [{ studyId: 30002, scopeConsents: [{ codingSystem: OMH, consented: true }] }] },
        'studyScopeConsents.0.scopeConsents.0.codingCode: this field is required',
      ],
      [{ ...scopes(30002, [BP, true]), extra: 1 }, 'extra: unknown parameter'],
      // the rest is GraphQL's to say, still naming where
      [scopes(30002, ['omh:unknown:1.0', true]), 'studyScopeConsents.0.scopeConsents.0'],
      [scopes(30002, [HR, true]), 'does not request'],
    ];
    for (const [body, message] of cases) {
      const answer = await rest(app, '/patients/40001/consents', { token: peter, body });
      expect(answer.status, message).toBe(400);
      expect(answer.body.detail, message).toContain(message);
    }
    const badDelete = await rest(app, '/patients/40001/consents', {
      token: peter,
      method: 'DELETE',
      body: { studyScopeConsents: [{ studyId: 30002, scopeConsents: [{ codingCode: BP }] }] },
    });
    expect(badDelete.status).toBe(400);
    expect(badDelete.body.detail).toContain('studyScopeConsents.0.scopeConsents.0.codingSystem');
    // a study the patient is not enrolled in is one they cannot see
    expect(
      (await rest(app, '/patients/40001/consents', { token: peter, body: scopes(30004, [BP, true]) })).status,
    ).toBe(404);
  });
});
