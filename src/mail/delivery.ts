import type { Logger } from '../observability/logger.js';
import type { Mailer, MailMessage } from './mailer.js';

/**
 * Sends in the background: the answer to the request that asked for the mail does not wait for SMTP, so its
 * timing says nothing about whether a message went out (an existing account or not). Failures are logged with
 * the subject only, never the recipient's address or the link.
 */
export function deliverLater(mailer: Mailer | null, message: MailMessage, log: Logger): void {
  if (!mailer) {
    log.warn({ subject: message.subject }, 'no SMTP_URL: an email was not sent');
    return;
  }
  mailer.send(message).catch((error: unknown) => {
    log.error(
      { subject: message.subject, reason: error instanceof Error ? error.message : String(error) },
      'email not sent',
    );
  });
}
