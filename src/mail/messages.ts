import { escapeHtml } from '../auth/pages.js';
import type { MailMessage } from './mailer.js';

/**
 * The gateway's emails, each as plain text and HTML. They carry no health information: the recipient's first
 * name at most (no study, organization or diagnosis: a department's name can tell a condition), a link, when it
 * expires, and the site's URL so that the recipient can check where it comes from.
 */

const SITE = 'Health Exchange Gateway';

/** Names are the user's own input: kept to one line of ordinary length before they reach a message. */
const greeting = (name: string | undefined) => {
  const clean = (name ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .trim()
    .slice(0, 80);
  return clean ? `Hello ${clean},` : 'Hello,';
};

function message(
  to: string,
  subject: string,
  opts: { name?: string; lines: string[]; link: { href: string; text: string }; after: string[]; siteUrl: string },
): MailMessage {
  const hello = greeting(opts.name);
  const footer = `${SITE} · ${opts.siteUrl}`;
  const text = [hello, '', ...opts.lines, '', opts.link.href, '', ...opts.after, '', '-- ', footer, ''].join('\n');
  const p = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const html = `<!doctype html><html lang="en"><body style="font-family: system-ui, sans-serif">
${p(hello)}
${opts.lines.map(p).join('\n')}
<p><a href="${escapeHtml(opts.link.href)}">${escapeHtml(opts.link.text)}</a></p>
<p style="font-size: small">${escapeHtml(opts.link.href)}</p>
${opts.after.map(p).join('\n')}
<hr><p style="font-size: small; color: #555">${escapeHtml(SITE)} · <a href="${escapeHtml(opts.siteUrl)}">${escapeHtml(opts.siteUrl)}</a></p>
</body></html>`;
  return { to, subject, text, html };
}

const hours = (n: number) => (n === 1 ? 'an hour' : `${n} hours`);
const minutes = (n: number) => (n % 60 === 0 ? hours(n / 60) : `${n} minutes`);

export const verificationMessage = (opts: {
  to: string;
  name?: string;
  link: string;
  ttlHours: number;
  siteUrl: string;
}): MailMessage =>
  message(opts.to, `Confirm your email for the ${SITE}`, {
    name: opts.name,
    lines: ['Someone, probably you, created an account with this email address. To confirm it, open this link:'],
    link: { href: opts.link, text: 'Confirm my email address' },
    after: [`The link works once, within ${hours(opts.ttlHours)}. If you did not sign up, ignore this message.`],
    siteUrl: opts.siteUrl,
  });

export const passwordResetMessage = (opts: {
  to: string;
  name?: string;
  link: string;
  ttlMinutes: number;
  siteUrl: string;
}): MailMessage =>
  message(opts.to, `Reset your ${SITE} password`, {
    name: opts.name,
    lines: ['Someone, probably you, asked to reset the password of your account. To choose a new one, open this link:'],
    link: { href: opts.link, text: 'Choose a new password' },
    after: [
      `The link works once, within ${minutes(opts.ttlMinutes)}. Setting a new password signs you out everywhere.`,
      'If you did not ask for it, ignore this message: your password stays as it is.',
    ],
    siteUrl: opts.siteUrl,
  });

export const invitationMessage = (opts: {
  to: string;
  name?: string;
  link: string;
  expiresAt: Date;
  siteUrl: string;
}): MailMessage =>
  message(opts.to, `Your invitation to the ${SITE}`, {
    name: opts.name,
    lines: [
      'Your care or research team invites you to share data from your devices with them.',
      'Open this link on the phone where their app is installed:',
    ],
    link: { href: opts.link, text: 'Accept the invitation' },
    after: [
      `The link works once, until ${opts.expiresAt.toISOString().slice(0, 10)}. You choose what you share in the app, and can change it later.`,
      'If you were not expecting this, ignore this message.',
    ],
    siteUrl: opts.siteUrl,
  });

/** A practitioner account a super user made: the link chooses its first password (and confirms the address). */
export const practitionerWelcomeMessage = (opts: {
  to: string;
  name?: string;
  link: string;
  ttlHours: number;
  siteUrl: string;
}): MailMessage =>
  message(opts.to, `Your ${SITE} account`, {
    name: opts.name,
    lines: ['An administrator of the gateway made an account for you. To choose your password, open this link:'],
    link: { href: opts.link, text: 'Choose my password' },
    after: [
      `The link works once, within ${hours(opts.ttlHours)}. Later, "Forgot your password?" on the sign-in page sends a new one.`,
      'If you were not expecting this, ignore this message.',
    ],
    siteUrl: opts.siteUrl,
  });

/** An administrator changed the account's email: the new address confirms itself before it can sign in. */
export const emailChangedMessage = (opts: {
  to: string;
  name?: string;
  link: string;
  ttlHours: number;
  siteUrl: string;
}): MailMessage =>
  message(opts.to, `Confirm your new email for the ${SITE}`, {
    name: opts.name,
    lines: ['An administrator changed the email of your account to this address. To confirm it, open this link:'],
    link: { href: opts.link, text: 'Confirm my email address' },
    after: [
      `The link works once, within ${hours(opts.ttlHours)}. Until then the account cannot sign in with a password.`,
    ],
    siteUrl: opts.siteUrl,
  });

/** To the address an administrator replaced: the owner learns of the change (the new address is not named). */
export const emailReplacedMessage = (opts: { to: string; name?: string; siteUrl: string }): MailMessage =>
  message(opts.to, `The email of your ${SITE} account changed`, {
    name: opts.name,
    lines: [
      'An administrator of the gateway changed the email of your account: this address no longer signs in.',
      'If you did not expect this, tell them. The gateway is here:',
    ],
    link: { href: opts.siteUrl, text: opts.siteUrl },
    after: [],
    siteUrl: opts.siteUrl,
  });
