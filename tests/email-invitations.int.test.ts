import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { redeemInvitation } from './support/invitations.js';
import { postLogin } from './support/login-page.js';
import { linkIn, type Mailbox, startMailbox } from './support/mail.js';
import { rest } from './support/rest.js';
import { freePort } from './support/server-process.js';
import { codes, gql } from './support/tokens.js';

const INVITE = `mutation ($id: ID!, $send: Boolean) {
  createPatientInvitation(patientId: $id, send: $send) { id status code link emailedAt }
}`;
const MEGAN = 'megan@example.com'; // member of BIDS: peter's organization
const VICTOR = 'victor@example.com'; // viewer of BIDS
const MARK = 'mark@example.com'; // of UCSF's organizations only

let mailbox: Mailbox;
let shown: TestApp;
let emailOnly: TestApp;
let noMail: TestApp;
let mailDown: TestApp;
beforeAll(async () => {
  mailbox = await startMailbox();
  [shown, emailOnly, noMail, mailDown] = await Promise.all([
    startTestApp({ SMTP_URL: mailbox.url }),
    startTestApp({ SMTP_URL: mailbox.url, INVITATION_DELIVERY: 'email-only' }),
    startTestApp(),
    // nothing listens there
    freePort().then((port) =>
      startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, INVITATION_DELIVERY: 'email-only' }),
    ),
  ]);
});
afterAll(async () => {
  await Promise.all([shown?.close(), emailOnly?.close(), noMail?.close(), mailDown?.close()]);
  await mailbox?.close();
});

const codeOf = (link: string) => decodeURIComponent(link).split('|').at(-1)!;
const auditedCreations = async (app: TestApp) => {
  await app.audit.flush();
  return app.db.orm.em.getConnection().execute<{ user_id: number; patient_ids: number[] }[]>(
    `select user_id, patient_ids from audit_events
        where operation = 'Mutation.createPatientInvitation' and action = 'create' and outcome = 'allowed'`,
  );
};

describe('invitations sent by the server', () => {
  it('mails the link to the patient when asked (send: true), without health information, and audits it', async () => {
    const result = await gql(shown, MEGAN, INVITE, { id: '40001', send: true });
    expect(result.errors).toBeUndefined();
    const invitation = result.data!.createPatientInvitation;
    expect(invitation).toMatchObject({ status: 'PENDING', code: expect.any(String), emailedAt: expect.any(String) });

    const mail = await mailbox.next('peter@example.com');
    expect(mail.subject).toBe('Your invitation to the Health Exchange Gateway');
    expect(mail.text).toContain('Hello Peter,');
    expect(mail.text).toContain(invitation.link);
    expect(mail.text).toContain(shown.baseUrl);
    expect(mail.html).toContain(`href="${invitation.link}"`);
    for (const word of ['BIDS', 'Berkeley', 'Study', 'blood', 'Megan']) {
      expect(mail.text).not.toContain(word);
      expect(mail.html).not.toContain(word);
    }
    expect((await redeemInvitation(shown, codeOf(linkIn(mail, invitation.link)))).status).toBe(200);
    expect(await auditedCreations(shown)).toContainEqual(
      expect.objectContaining({ user_id: 10003, patient_ids: [40001] }),
    );
  });

  it('mails nothing without send, and refuses those who may not invite', async () => {
    const plain = await gql(shown, MEGAN, INVITE, { id: '40002' });
    expect(plain.data!.createPatientInvitation).toMatchObject({ code: expect.any(String), emailedAt: null });
    expect(codes(await gql(shown, VICTOR, INVITE, { id: '40002', send: true }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(shown, MARK, INVITE, { id: '40002', send: true }))).toEqual(['NOT_FOUND']);
    // a later invitation that is sent arrives first in pamela's mailbox: nothing came before it
    await gql(shown, MEGAN, INVITE, { id: '40002', send: true });
    const mail = await mailbox.next('pamela@example.com');
    expect(mail.text).toContain('Hello Pamela,');
    expect(mailbox.waiting('pamela@example.com')).toBe(0);
  });

  it('with INVITATION_DELIVERY=email-only, always mails it and never shows the code, in GraphQL and REST', async () => {
    const result = await gql(emailOnly, MEGAN, INVITE, { id: '40001' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createPatientInvitation).toMatchObject({
      code: null,
      link: null,
      emailedAt: expect.any(String),
    });
    const mail = await mailbox.next('peter@example.com');
    const link = linkIn(mail, emailOnly.config.auth.invitationLinkPrefix);
    expect((await redeemInvitation(emailOnly, codeOf(link))).status).toBe(200);

    const viaRest = await rest(emailOnly, '/patients/40001/invitation_link', { as: MEGAN });
    expect(viaRest).toMatchObject({ status: 200, body: { invitationLink: null } });
    await mailbox.next('peter@example.com');
    expect(await auditedCreations(emailOnly)).toHaveLength(2);
  });

  it('is refused, minting nothing, where no SMTP server is configured (and password reset is off)', async () => {
    const result = await gql(noMail, MEGAN, INVITE, { id: '40001', send: true });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.message).toContain('SMTP_URL');
    const rows = await noMail.db.orm.em
      .getConnection()
      .execute<{ n: string }[]>('select count(*) as n from patient_invitations');
    expect(Number(rows[0]!.n)).toBe(0);
    // nor is there a password reset: nothing could prove who asks
    expect((await fetch(`${noMail.baseUrl}/o/password/forgot`)).status).toBe(404);
    const login = await postLogin(noMail, 'megan@example.com', 'not-her-password1');
    expect(login.status).toBe(401);
    expect(login.html).not.toContain('Forgot password?');
  });

  it('answers SERVICE_UNAVAILABLE when the mail server cannot take it, and leaves no usable code behind', async () => {
    const result = await gql(mailDown, MEGAN, INVITE, { id: '40001' });
    expect(codes(result)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(result.errors![0]!.message).toContain('could not be sent');
    const rows = await mailDown.db.orm.em.getConnection().execute<{ cancelled: boolean; grants: string }[]>(
      `select i.cancelled_at is not null as cancelled,
                (select count(*) from oidc_payloads o where o.grant_id = i.grant_id) as grants
           from patient_invitations i`,
    );
    expect(rows).toEqual([{ cancelled: true, grants: '0' }]);
  });
});
