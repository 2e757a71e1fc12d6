import type { Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../observability/logger.js';
import { httpDuration, httpRequests } from '../observability/metrics.js';
import {
  REQUEST_ID_HEADER,
  type RequestFacts,
  requestFacts,
  startRequestFacts,
} from '../observability/request-context.js';

/** health probes (every few seconds from a load balancer) are logged at debug only */
const PROBES = new Set(['/healthz,/health', '/readyz']);

/**
 * Express sets `req.route` to each route it dispatches to, with the pattern relative to its router; `req.baseUrl`
 * is the router's mount path only while inside it. This records the full pattern at that moment.
 */
function trackRoute(req: Request, facts: RequestFacts) {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value?.path !== undefined) facts.route = `${req.baseUrl}${String(value.path)}`;
    },
  });
}

/** The route label: the matched pattern; for what no route answered, the mount path it reached (`/o/*`). */
const routeOf = (req: Request) => requestFacts(req)?.route ?? `${req.baseUrl}/*`;

const statusOf = (res: Response) => (res.writableFinished ? String(res.statusCode) : 'aborted');

/** One log line per request: id, method, route, status, latency, and the access token's user and client. */
function lineOf(req: Request, res: Response, ms: number) {
  const facts = requestFacts(req);
  return {
    method: req.method,
    route: routeOf(req),
    status: res.writableFinished ? res.statusCode : 'aborted',
    ms,
    ...(facts?.userId !== undefined ? { userId: facts.userId } : {}),
    ...(facts?.clientId !== undefined ? { clientId: facts.clientId } : {}),
  };
}

/**
 * The app's first middleware: gives the request its id (`req.id`, the answer's X-Request-Id, the logs), logs it
 * once answered (pino-http) and counts it in the metrics. URLs are not logged: queries carry identifiers, and
 * invitation links carry their codes.
 */
export function requestObservation(logger: Logger): RequestHandler {
  const logging = pinoHttp({
    logger,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'reqId', responseTime: 'ms' },
    customLogLevel: (req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : PROBES.has(routeOf(req as Request)) ? 'debug' : 'info',
    customSuccessMessage: (req, res) => `${req.method} ${routeOf(req as Request)} ${statusOf(res as Response)}`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req as Request)} ${statusOf(res as Response)}`,
    customSuccessObject: (req, res, val: { ms: number }) => lineOf(req as Request, res as Response, val.ms),
    customErrorObject: (req, res, _error, val: { ms: number }) => lineOf(req as Request, res as Response, val.ms),
  });
  return (req, res, next) => {
    const facts = startRequestFacts(req);
    req.id = facts.id;
    res.setHeader(REQUEST_ID_HEADER, facts.id);
    trackRoute(req, facts);
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const labels = { method: req.method, route: routeOf(req), status: statusOf(res) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    logging(req, res, next);
  };
}
