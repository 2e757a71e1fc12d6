import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type MetricsSource, processMetrics } from '../observability/metrics.js';

const sameToken = (given: string, token: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Answers a `GET /metrics` in Prometheus' text format; with a `token`, only `Authorization: Bearer <token>`
 * (else 401).
 */
export function answerMetrics(source: MetricsSource, token: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token !== undefined && (given === undefined || !sameToken(given, token))) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' })
        .end('The metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    try {
      const body = await source.metrics();
      res.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' }).end(body);
    } catch (error) {
      res
        .writeHead(503, { 'content-type': 'text/plain' })
        .end(`The metrics could not be collected: ${String(error)}\n`);
    }
  };
}

/** `GET /metrics` on the main port, for METRICS_TOKEN without METRICS_PORT: this process's metrics, token required. */
export const mainPortMetrics = (token: string) => answerMetrics(processMetrics, token);

/**
 * `GET /metrics` on a port of its own (METRICS_PORT, METRICS_HOST), and nothing else there. With METRICS_TOKEN,
 * only `Authorization: Bearer <METRICS_TOKEN>` is answered.
 */
export function createMetricsServer(source: MetricsSource, token: string | undefined): Server {
  const answer = answerMetrics(source, token);
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at GET /metrics\n');
      return;
    }
    void answer(req, res);
  });
}
