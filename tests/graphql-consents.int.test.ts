import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { codes, gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const CONSENTS = `query ($id: ID!) { patient(id: $id) { consents {
  consolidatedConsentedScopes { codingCode }
  studiesPendingConsent { study { id } pendingScopes { codingCode } }
  studies { study { id name } scopeConsents { code { codingCode } consented consentedTime } }
} } }`;
const SET = `mutation ($patientId: ID!, $answers: [StudyScopeConsentsInput!]!) {
  setConsents(patientId: $patientId, studyScopeConsents: $answers) { consolidatedConsentedScopes { codingCode } studiesPendingConsent { study { id } } }
}`;
const REVOKE = `mutation ($patientId: ID!, $answers: [StudyScopeConsentsInput!]!) {
  revokeConsents(patientId: $patientId, studyScopeConsents: $answers) { studies { study { id } scopeConsents { code { codingCode } consented } } }
}`;
const OMH = 'https://w3id.org/openmhealth';
const bp = (consented?: boolean) => ({
  codingSystem: OMH,
  codingCode: 'omh:blood-pressure:4.0',
  ...(consented === undefined ? {} : { consented }),
});

describe('GraphQL consents', () => {
  it('shows peter his pending request and the studies he consented to', async () => {
    const result = await gql(app, 'peter@example.com', CONSENTS, { id: '40001' });
    const consents = result.data?.patient.consents;
    expect(consents.consolidatedConsentedScopes.map((c: { codingCode: string }) => c.codingCode)).toEqual([
      'omh:blood-pressure:4.0',
      'omh:heart-rate:2.0',
    ]);
    expect(consents.studiesPendingConsent).toEqual([
      { study: { id: '30002' }, pendingScopes: [{ codingCode: 'omh:blood-pressure:4.0' }] },
    ]);
    expect(consents.studies.map((s: { study: { id: string } }) => s.study.id)).toEqual(['30001', '30002']);
  });

  it('lets only the patient answer: pending → consented → revoked → consented again', async () => {
    const answer = { studyId: '30002', scopeConsents: [bp(true)] };
    expect(codes(await gql(app, 'mary@example.com', SET, { patientId: '40001', answers: [answer] }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codes(await gql(app, 'pamela@example.com', SET, { patientId: '40001', answers: [answer] }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(codes(await gql(app, null, SET, { patientId: '40001', answers: [answer] }))).toEqual(['FORBIDDEN']);

    const consented = await gql(app, 'peter@example.com', SET, { patientId: '40001', answers: [answer] });
    expect(consented.errors).toBeUndefined();
    expect(consented.data?.setConsents.studiesPendingConsent).toEqual([]);

    const revoked = await gql(app, 'peter@example.com', REVOKE, {
      patientId: '40001',
      answers: [{ studyId: '30002', scopeConsents: [bp()] }],
    });
    const study = revoked.data?.revokeConsents.studies.find((s: { study: { id: string } }) => s.study.id === '30002');
    expect(study.scopeConsents).toEqual([{ code: { codingCode: 'omh:blood-pressure:4.0' }, consented: false }]);

    const again = await gql(app, 'peter@example.com', SET, { patientId: '40001', answers: [answer] });
    expect(again.errors).toBeUndefined();
  });

  it('refuses codes the study does not request and unknown codings, changing nothing', async () => {
    const before = await gql(app, 'peter@example.com', CONSENTS, { id: '40001' });
    const notRequested = await gql(app, 'peter@example.com', SET, {
      patientId: '40001',
      answers: [
        {
          studyId: '30002',
          scopeConsents: [bp(true), { codingSystem: OMH, codingCode: 'omh:heart-rate:2.0', consented: true }],
        },
      ],
    });
    expect(codes(notRequested)).toEqual(['BAD_USER_INPUT']);
    const unknown = await gql(app, 'peter@example.com', SET, {
      patientId: '40001',
      answers: [
        { studyId: '30002', scopeConsents: [{ codingSystem: OMH, codingCode: 'omh:nope:1.0', consented: true }] },
      ],
    });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors?.[0]?.message).toMatch(/unknown coding/);
    const missingAnswer = await gql(app, 'peter@example.com', SET, {
      patientId: '40001',
      answers: [{ studyId: '30002', scopeConsents: [bp()] }],
    });
    expect(codes(missingAnswer)).toEqual(['BAD_USER_INPUT']);
    expect(await gql(app, 'peter@example.com', CONSENTS, { id: '40001' })).toEqual(before);
  });

  it('shows practitioners only their organizations’ studies', async () => {
    const tom = await gql(app, 'tom@example.com', CONSENTS, { id: '40005' });
    expect(tom.data?.patient.consents.studies.map((s: { study: { id: string } }) => s.study.id)).toEqual(['30005']);
    const mark = await gql(app, 'mark@example.com', CONSENTS, { id: '40005' });
    expect(mark.data?.patient.consents.studies.map((s: { study: { id: string } }) => s.study.id)).toEqual(['30003']);
    const study = await gql(
      app,
      'tom@example.com',
      '{ study(id: "30005") { consents { patient { id } scopeConsents { consented } } } }',
    );
    expect(study.data?.study.consents).toEqual([
      { patient: { id: '40004' }, scopeConsents: [{ consented: true }] },
      { patient: { id: '40005' }, scopeConsents: [{ consented: true }] },
    ]);
  });
});
