import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageHash } from '../src/auth/adapter.js';
import { createPatientInvitation } from '../src/auth/invitations.js';
import { DEMO_DEFAULTS } from '../src/config.js';
import { startTestApp, type TestApp } from './support/app.js';
import { contextFor } from './support/context.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { PATIENT } from './support/seed-viewers.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const invite = async (asEmail: string, patientId: number) =>
  createPatientInvitation(await contextFor(app.db.orm, asEmail), patientId, {
    provider: app.auth.provider,
    config: app.config,
  });

const redeem = (code: string, verifier?: string, redirectUri?: string) =>
  redeemInvitation(app, code, verifier, redirectUri);

describe('patient invitations', () => {
  it('mint a link with host and code that the patient app redeems with the static verifier', async () => {
    const invitation = await invite('megan@example.com', PATIENT.peter);
    const host = new URL(app.baseUrl).host;
    expect(invitation.link).toBe(`${app.baseUrl}/invitation/${host}|${invitation.code}`);
    expect(invitation.invitation.expiresAt.getTime()).toBeGreaterThan(Date.now() + 13 * 86400 * 1000);

    const response = await redeem(invitation.code);
    expect(response.status).toBe(200);
    const tokens = await json(response);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: '10007',
      client_id: 'patient-app',
      aud: `${app.baseUrl}/`,
    });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.id_token).toBeTruthy();

    // single use
    const again = await redeem(invitation.code);
    expect(again.status).toBe(400);
    expect((await json(again)).error).toBe('invalid_grant');
  });

  it('refuse a wrong verifier or a different redirect URI', async () => {
    const { code } = await invite('mary@example.com', PATIENT.pamela);
    const wrongVerifier = await redeem(code, 'x'.repeat(50));
    expect(wrongVerifier.status).toBe(400);
    expect((await json(wrongVerifier)).error).toBe('invalid_grant');

    const { code: second } = await invite('mary@example.com', PATIENT.pamela);
    const wrongRedirect = await redeem(second, DEMO_DEFAULTS.patientCodeVerifier, 'https://evil.example/callback');
    expect(wrongRedirect.status).toBe(400);
    expect((await json(wrongRedirect)).error).toBe('invalid_grant');
  });

  it('refuse an expired code', async () => {
    const { code } = await invite('mary@example.com', PATIENT.peter);
    await app.db.orm.em
      .getConnection()
      .execute(
        `update oidc_payloads set expires_at = now() - interval '1 second' where model = 'AuthorizationCode' and id = ?`,
        [storageHash(code)],
      );
    const response = await redeem(code);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_grant');
  });

  it('create the patient’s user on first invitation and reuse it after; a new one supersedes the unredeemed', async () => {
    const em = app.db.orm.em.fork();
    const [created] = await em
      .getConnection()
      .execute<{ id: number }[]>(
        `insert into patients (name_family, name_given, email) values ('New', 'Nora', 'nora@example.com') returning id`,
      );
    await em
      .getConnection()
      .execute('insert into patient_organizations (patient_id, organization_id) values (?, 20003)', [created!.id]);
    const first = await invite('megan@example.com', created!.id);
    const [row] = await em
      .getConnection()
      .execute<{ user_id: number | null }[]>('select user_id from patients where id = ?', [created!.id]);
    expect(row!.user_id).toBeGreaterThan(10011);
    const second = await invite('megan@example.com', created!.id);
    const [again] = await em
      .getConnection()
      .execute<{ user_id: number | null }[]>('select user_id from patients where id = ?', [created!.id]);
    expect(again!.user_id).toBe(row!.user_id);
    // the second invitation superseded the first
    expect((await json(await redeem(first.code))).error).toBe('invalid_grant');
    const tokens = await json(await redeem(second.code));
    expect(decodeJwt(tokens.access_token).sub).toBe(String(row!.user_id));
  });

  it('follow the policy: members and managers invite, viewers and outsiders do not', async () => {
    await expect(invite('victor@example.com', PATIENT.peter)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(invite('mark@example.com', PATIENT.peter)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(invite('pamela@example.com', PATIENT.peter)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(invite('peter@example.com', PATIENT.peter)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(invite('tom@example.com', PATIENT.percy)).resolves.toMatchObject({
      code: expect.any(String),
    });
  });
});

describe('invitation links without the host', () => {
  it('drop the host when INVITATION_LINK_EXCLUDE_HOST is set', async () => {
    const other = await startTestApp({
      INVITATION_LINK_EXCLUDE_HOST: 'true',
      INVITATION_LINK_PREFIX: 'https://app.example/i/',
    });
    try {
      const invitation = await createPatientInvitation(
        await contextFor(other.db.orm, 'mary@example.com'),
        PATIENT.peter,
        {
          provider: other.auth.provider,
          config: other.config,
        },
      );
      expect(invitation.link).toBe(`https://app.example/i/${invitation.code}`);
    } finally {
      await other.close();
    }
  });
});
