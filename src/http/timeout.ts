import type { Request, RequestHandler, Response } from 'express';
import { requestLog } from '../observability/logger.js';
import { requestFacts } from '../observability/request-context.js';

/** what a 503 for a request, or a statement, that took too long suggests to the client */
export const RETRY_AFTER_SECONDS = 5;

/** Writes the 503 of a request not answered in time, in the format of the API it was sent to. */
export type TimeoutAnswer = (res: Response, message: string) => void;

const plainAnswer: TimeoutAnswer = (res, message) => {
  res.type('text/plain').send(message);
};

/**
 * An API (GraphQL, FHIR) says how its requests' timeouts are answered; anything else gets plain text. The same
 * answer says that the gateway is not ready yet (`unavailableUntilReady`).
 */
export const answerTimeoutsWith =
  (answer: TimeoutAnswer): RequestHandler =>
  (_req, res, next) => {
    res.locals.timeoutAnswer = answer;
    const unavailable = res.locals.unavailable as string | undefined;
    if (unavailable === undefined) return next();
    res.status(503).set('retry-after', String(RETRY_AFTER_SECONDS));
    answer(res, unavailable);
  };

/**
 * Answers 503 to a request that has no answer after `limitMs`, in its API's format. The handler may still be
 * at work (its statements end by their own timeout); what it answers later is dropped, with one log line,
 * instead of failing on headers already sent.
 */
export function requestTimeout(limitMs: number): RequestHandler {
  const message = `The request was not answered within ${limitMs} ms (REQUEST_TIMEOUT_MS): ask for less or try again later`;
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return; // the answer is on its way
      res.status(503).set({ 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
      ((res.locals.timeoutAnswer as TimeoutAnswer | undefined) ?? plainAnswer)(res, message);
      dropLateAnswer(req, res, limitMs);
    }, limitMs);
    const stop = () => clearTimeout(timer);
    res.once('finish', stop);
    res.once('close', stop);
    next();
  };
}

/** After the 503, the late handler's headers and body go nowhere. */
function dropLateAnswer(req: Request, res: Response, limitMs: number) {
  let logged = false;
  const drop = () => {
    const request = { method: req.method, route: requestFacts(req)?.route };
    if (!logged) requestLog(req).warn(request, `answered after the request timeout (${limitMs} ms); answer dropped`);
    logged = true;
  };
  res.setHeader = () => res;
  res.writeHead = () => res;
  res.write = () => true;
  res.end = () => {
    drop();
    return res;
  };
}
