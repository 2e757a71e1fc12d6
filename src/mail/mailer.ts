import nodemailer from 'nodemailer';
import type { MailConfig } from '../config.js';

/** One message: plain text and the same in HTML; the recipient is an address only (names go in the body). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Sends through SMTP_URL (nodemailer); none without it (the features that mail are then off or refused). */
export function createMailer(mail: MailConfig): Mailer | null {
  if (!mail.smtpUrl) return null;
  const transport = nodemailer.createTransport(mail.smtpUrl);
  return {
    async send(message) {
      // `to` as an address object: nodemailer checks and encodes it, so no header can be smuggled through it
      await transport.sendMail({ from: mail.from, to: { name: '', address: message.to }, ...pick(message) });
    },
    close: () => transport.close(),
  };
}

const pick = ({ subject, text, html }: MailMessage) => ({ subject, text, html });
