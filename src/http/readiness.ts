import type { RequestHandler } from 'express';
import { RETRY_AFTER_SECONDS } from './timeout.js';

/**
 * Whether this process serves requests yet: not before its database is reachable and migrated. The gateway
 * listens at once (so that /healthz answers and orchestrators see it), and says why it is not ready at /readyz.
 */
export class Readiness {
  #ready: boolean;
  #reason = 'starting';

  constructor(ready = false) {
    this.#ready = ready;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** what it waits for, while not ready */
  get reason(): string {
    return this.#reason;
  }

  waiting(reason: string) {
    this.#reason = reason;
  }

  markReady() {
    this.#ready = true;
    this.#becameReady();
  }

  #becameReady: () => void = () => {};
  readonly #whenReady = new Promise<void>((resolve) => (this.#becameReady = resolve));

  /** resolves once the database is ready (at once if it is): when background work may start */
  whenReady(): Promise<void> {
    return this.#ready ? Promise.resolve() : this.#whenReady;
  }
}

const PROBES = new Set(['/healthz', '/health', '/readyz']);

/**
 * While not ready, every request but the probes answers 503 with Retry-After. The APIs answer in their own
 * format: they registered it for timeouts (`answerTimeoutsWith`), which reads `res.locals.unavailable`; other
 * paths that need the database (`/o`) get plain text, and the portal's files are served as always.
 */
export function unavailableUntilReady(readiness: Readiness): RequestHandler {
  return (req, res, next) => {
    if (readiness.ready || PROBES.has(req.path)) return next();
    const message = `The gateway is starting: its database is not ready yet (${readiness.reason}); try again shortly`;
    if (req.path === '/o' || req.path.startsWith('/o/')) {
      res.status(503).set('retry-after', String(RETRY_AFTER_SECONDS)).type('text/plain').send(message);
      return;
    }
    res.locals.unavailable = message;
    next();
  };
}
