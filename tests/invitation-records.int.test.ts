import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { PATIENT } from './support/seed-viewers.js';
import { codes, gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const INVITE = `mutation ($id: ID!) { createPatientInvitation(patientId: $id) { id status code link clientId expiresAt } }`;
const LIST = `query ($id: ID!) {
  patientInvitations(patientId: $id) {
    id status code link clientId createdAt createdBy { email } redeemedAt redeemedByClient cancelledAt supersededAt
  }
}`;
const CANCEL = `mutation ($id: ID!) { cancelPatientInvitation(id: $id) { id status cancelledAt } }`;

const invite = async (as: string, patientId: number) => {
  const result = await gql(app, as, INVITE, { id: String(patientId) });
  expect(result.errors).toBeUndefined();
  return result.data!.createPatientInvitation as { id: string; status: string; code: string; link: string };
};
const list = async (as: string, patientId: number) =>
  (await gql(app, as, LIST, { id: String(patientId) })).data!.patientInvitations as Record<string, unknown>[];

describe('patient invitations as records', () => {
  it('are listed newest first with who minted them; a new one supersedes the pending ones and revokes their codes', async () => {
    const first = await invite('megan@example.com', PATIENT.pamela);
    expect(first).toMatchObject({ status: 'PENDING', clientId: 'patient-app', code: expect.any(String) });
    const second = await invite('mary@example.com', PATIENT.pamela);
    const records = await list('megan@example.com', PATIENT.pamela);
    expect(records.slice(0, 2)).toMatchObject([
      { id: second.id, status: 'PENDING', createdBy: { email: 'mary@example.com' }, supersededAt: null, code: null },
      {
        id: first.id,
        status: 'SUPERSEDED',
        createdBy: { email: 'megan@example.com' },
        supersededAt: expect.any(String),
      },
    ]);
    expect(records.every((r) => r.code === null && r.link === null)).toBe(true);
    expect((await json(await redeemInvitation(app, first.code))).error).toBe('invalid_grant');

    const redeemed = await redeemInvitation(app, second.code);
    expect(redeemed.status).toBe(200);
    const [latest] = await list('megan@example.com', PATIENT.pamela);
    expect(latest).toMatchObject({ id: second.id, status: 'REDEEMED', redeemedByClient: 'patient-app' });
    expect(codes(await gql(app, 'megan@example.com', CANCEL, { id: second.id }))).toEqual(['CONFLICT']);
  });

  it('can be cancelled while pending: the code is revoked at once', async () => {
    const invitation = await invite('megan@example.com', PATIENT.peter);
    const cancelled = await gql(app, 'mary@example.com', CANCEL, { id: invitation.id });
    expect(cancelled.data!.cancelPatientInvitation).toMatchObject({
      status: 'CANCELLED',
      cancelledAt: expect.any(String),
    });
    const response = await redeemInvitation(app, invitation.code);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_grant');
    expect(codes(await gql(app, 'mary@example.com', CANCEL, { id: invitation.id }))).toEqual(['CONFLICT']);
  });

  it('keep only a hash of the code, in the records and in the provider’s storage', async () => {
    const { code } = await invite('megan@example.com', PATIENT.peter);
    const sql = app.db.orm.em.fork().getConnection();
    const [row] = await sql.execute<{ n: string }[]>(
      `select (select count(*) from oidc_payloads where id = ? or payload::text like ?)
            + (select count(*) from patient_invitations where code_hash = ?) as n`,
      [code, `%${code}%`, code],
    );
    expect(Number(row!.n)).toBe(0);
  });

  it('are for members and managers of the patient’s organizations only', async () => {
    const invitation = await invite('megan@example.com', PATIENT.peter);
    // a viewer of BIDS sees the patient but may not manage invitations
    expect(codes(await gql(app, 'victor@example.com', LIST, { id: String(PATIENT.peter) }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, 'victor@example.com', CANCEL, { id: invitation.id }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, 'victor@example.com', INVITE, { id: String(PATIENT.peter) }))).toEqual(['FORBIDDEN']);
    // another organization's manager does not see the patient, nor the invitation
    expect(codes(await gql(app, 'mark@example.com', LIST, { id: String(PATIENT.peter) }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(app, 'mark@example.com', CANCEL, { id: invitation.id }))).toEqual(['NOT_FOUND']);
    // nor does the patient themself manage their invitations
    const [latest] = await list('mary@example.com', PATIENT.peter);
    expect(latest).toMatchObject({ id: invitation.id, status: 'PENDING' });
  });

  it('answer a malformed or unknown id with a clear 4xx', async () => {
    expect(codes(await gql(app, 'megan@example.com', CANCEL, { id: 'x' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(app, 'megan@example.com', CANCEL, { id: '999999' }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(app, 'megan@example.com', LIST, { id: '999999' }))).toEqual(['NOT_FOUND']);
  });
});
