import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { requestLog } from '../observability/logger.js';
import { noteRoute } from '../observability/request-context.js';
import { fromDatabaseError } from '../db/database-errors.js';
import { isDatabaseTimeout } from '../db/statement-timeout.js';
import { UnavailableError } from '../errors.js';
import { RETRY_AFTER_SECONDS } from './timeout.js';

/** What body-parser and the router report, said without echoing the request back. */
const CLIENT_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON',
  'entity.too.large': 'The request body is too large',
  'entity.verify.failed': 'The request body could not be verified',
  'encoding.unsupported': 'The request body’s content encoding is not supported',
  'charset.unsupported': 'The request body’s charset is not supported',
  'request.aborted': 'The request was aborted',
  'request.size.invalid': 'The request body’s size does not match its Content-Length',
  'stream.encoding.set': 'The request body could not be read',
  'parameters.too.many': 'The request body has too many parameters',
};

/**
 * A 404 for any path no face answered, in the format its prefix promises: an OperationOutcome under `/fhir`,
 * DRF's `{detail}` under `/api`, `{ error, message }` elsewhere (`/o`, `/graphql`, …).
 */
export function notFound(req: Request, res: Response): void {
  noteRoute(req, 'unmatched');
  const message = `No such endpoint: ${req.method} ${req.path}`;
  if (/^\/fhir(\/|$)/i.test(req.path)) {
    res
      .status(404)
      .type('application/fhir+json')
      .send(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'not-found', diagnostics: message }],
        }),
      );
  } else if (/^\/api(\/|$)/i.test(req.path)) {
    res.status(404).json({ detail: message });
  } else {
    res.status(404).json({ error: 'not_found', message });
  }
}

/**
 * The app's last error handler, for what no face handled itself: Express's own would answer with an HTML
 * page that includes the stack trace outside production. Client errors (a body that is not JSON or too
 * large, a URL that does not decode) keep their 4xx status with a fixed message; a database that cannot be
 * reached is a 503 with Retry-After; anything else is logged here and answered as a bare 500.
 */
export function finalErrorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const { status, statusCode, type } = (error ?? {}) as { status?: unknown; statusCode?: unknown; type?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : 500;
  if (code >= 400 && code < 500) {
    const message =
      (typeof type === 'string' && CLIENT_ERRORS[type]) ||
      (error instanceof URIError && 'The URL’s percent-encoding is not valid') ||
      STATUS_CODES[code] ||
      'Bad request';
    res.status(code).json({ error: 'invalid_request', message });
    return;
  }
  if (fromDatabaseError(error) instanceof UnavailableError || isDatabaseTimeout(error)) {
    res.status(503).set('retry-after', String(RETRY_AFTER_SECONDS));
    res.json({
      error: 'temporarily_unavailable',
      message: 'The database cannot be reached right now; try again later',
    });
    return;
  }
  requestLog(req).error({ err: error }, 'request failed');
  res.status(500).json({ error: 'server_error', message: 'Internal server error' });
}
