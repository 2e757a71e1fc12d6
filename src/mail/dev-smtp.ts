import type { Logger } from 'pino';
import { type CaptureServer, linksIn, startCaptureServer } from './capture-server.js';

/**
 * Development without SMTP_URL: the gateway's own SMTP server on loopback (SMTP_DEV_PORT, default a free port).
 * Nothing leaves the machine: each message is written to the log, its links with it, so that a developer can
 * follow a verification or reset link. Never started in production mode.
 */
export async function startDevSmtp(log: Logger, port = 0): Promise<CaptureServer> {
  const server = await startCaptureServer((mail) => {
    log.info({ mailTo: mail.to, subject: mail.subject, links: linksIn(mail.text) }, `development mail captured`);
  }, port);
  log.info(`development SMTP server on ${server.url}: mail is captured and logged, not delivered`);
  return server;
}
