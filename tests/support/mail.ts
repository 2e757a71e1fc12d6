import { type CapturedMail, linksIn, startCaptureServer } from '../../src/mail/capture-server.js';

export type { CapturedMail };

export interface Mailbox {
  /** SMTP_URL for startTestApp */
  url: string;
  /** the next message to `address` not taken yet (resolves as soon as it arrives; rejects after `timeoutMs`) */
  next(address: string, timeoutMs?: number): Promise<CapturedMail>;
  /** messages to `address` received and not taken yet */
  waiting(address: string): number;
  close(): Promise<void>;
}

/** A real SMTP server for one test file: the gateway sends to it through nodemailer, tests await each message. */
export async function startMailbox(): Promise<Mailbox> {
  const queues = new Map<string, CapturedMail[]>();
  const waiters = new Map<string, ((mail: CapturedMail) => void)[]>();
  const server = await startCaptureServer((mail) => {
    for (const address of mail.to) {
      const waiter = waiters.get(address)?.shift();
      if (waiter) waiter(mail);
      else queues.set(address, [...(queues.get(address) ?? []), mail]);
    }
  });
  return {
    url: server.url,
    next(address, timeoutMs = 10_000) {
      const key = address.toLowerCase();
      const queued = queues.get(key)?.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const waiter = (mail: CapturedMail) => {
          clearTimeout(timer);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.set(
            key,
            (waiters.get(key) ?? []).filter((w) => w !== waiter),
          );
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(key, [...(waiters.get(key) ?? []), waiter]);
      });
    },
    waiting: (address) => queues.get(address.toLowerCase())?.length ?? 0,
    close: server.close,
  };
}

/** The first link of a message's text that starts with `prefix` (e.g. `${baseUrl}/o/verify`). */
export function linkIn(mail: CapturedMail, prefix: string): string {
  const link = linksIn(mail.text).find((l) => l.startsWith(prefix));
  if (!link) throw new Error(`no link to ${prefix} in "${mail.subject}":\n${mail.text}`);
  return link;
}
