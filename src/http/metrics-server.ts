import { timingSafeEqual } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { MetricsSource } from '../observability/metrics.js';

const sameToken = (given: string, token: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * `GET /metrics` in Prometheus' text format, on a port of its own (METRICS_PORT, METRICS_HOST), never on the
 * public port. With METRICS_TOKEN, only `Authorization: Bearer <METRICS_TOKEN>` is answered.
 */
export function createMetricsServer(source: MetricsSource, token: string | undefined): Server {
  return http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at GET /metrics\n');
      return;
    }
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
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`The metrics could not be collected: ${String(error)}\n`);
    }
  });
}
