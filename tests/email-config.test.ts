import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, loadConfig } from '../src/config.js';

const verifier = 'v'.repeat(50);
const production = {
  NODE_ENV: 'production',
  PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier,
  PATIENT_AUTHORIZATION_CODE_CHALLENGE: createHash('sha256').update(verifier).digest('base64url'),
  DATABASE_URL: 'postgres://gateway@db.internal/hxg',
  PUBLIC_URL: 'https://gateway.example.org',
};
const smtp = { SMTP_URL: 'smtps://gateway:secret@mail.example.org:465', SMTP_FROM: 'Gateway <gateway@example.org>' };

describe('email settings', () => {
  it('default to no SMTP (development starts its own), a demo sender, 48 hours and 60 minutes', () => {
    expect(loadConfig({}).mail).toEqual({
      smtpUrl: undefined,
      from: DEMO_DEFAULTS.smtpFrom,
      verificationTtlHours: 48,
      passwordResetTtlMinutes: 60,
    });
    expect(loadConfig({}).auth.invitationDelivery).toBe('show');
    const set = loadConfig({ ...smtp, EMAIL_VERIFICATION_TTL_HOURS: '2', PASSWORD_RESET_TTL_MINUTES: '15' });
    expect(set.mail).toMatchObject({ ...{ smtpUrl: smtp.SMTP_URL, from: smtp.SMTP_FROM }, verificationTtlHours: 2 });
    expect(set.mail.passwordResetTtlMinutes).toBe(15);
  });

  it('refuse what is not an SMTP URL, a sender on more than one line, and unknown delivery modes', () => {
    for (const url of ['http://mail.example.org', 'mail.example.org:25', 'smtp://']) {
      expect(() => loadConfig({ SMTP_URL: url })).toThrow(/SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    }
    for (const from of ['Gateway <gw@example.org>\r\nBcc: x@example.org', 'no address', 'a@b, c@d']) {
      expect(() => loadConfig({ SMTP_FROM: from })).toThrow(/SMTP_FROM must be/);
    }
    expect(loadConfig({ SMTP_FROM: 'gw@example.org' }).mail.from).toBe('gw@example.org');
    expect(() => loadConfig({ INVITATION_DELIVERY: 'sms' })).toThrow(
      /INVITATION_DELIVERY must be one of show, email-only/,
    );
    expect(() => loadConfig({ PASSWORD_RESET_TTL_MINUTES: '1' })).toThrow(/PASSWORD_RESET_TTL_MINUTES/);
  });

  it('production needs SMTP for sign-up and email-only invitations, and a sender of its own', () => {
    expect(loadConfig(production).mail.smtpUrl).toBeUndefined();
    expect(() => loadConfig({ ...production, REGISTRATION_INVITE_CODE: 'x7-kq' })).toThrow(
      /needs SMTP_URL for sign-up/,
    );
    expect(() => loadConfig({ ...production, INVITATION_DELIVERY: 'email-only' })).toThrow(
      /needs SMTP_URL for INVITATION_DELIVERY=email-only/,
    );
    expect(() => loadConfig({ ...production, SMTP_URL: smtp.SMTP_URL })).toThrow(/needs SMTP_FROM/);
    expect(() => loadConfig({ ...production, ...smtp, SMTP_FROM: DEMO_DEFAULTS.smtpFrom })).toThrow(/needs SMTP_FROM/);
    const full = loadConfig({
      ...production,
      ...smtp,
      REGISTRATION_INVITE_CODE: 'x7-kq',
      INVITATION_DELIVERY: 'email-only',
    });
    expect(full.mail.smtpUrl).toBe(smtp.SMTP_URL);
    expect(full.auth.invitationDelivery).toBe('email-only');
  });
});
