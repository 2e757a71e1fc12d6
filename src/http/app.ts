import express, { type Express, type Router } from 'express';
import type { Auth } from '../auth/index.js';
import type { Orm } from '../db/orm.js';
import type { Logger } from '../observability/logger.js';
import { CORS_PATHS, corsMiddleware } from './cors.js';
import { finalErrorHandler, notFound } from './errors.js';
import { mainPortMetrics } from './metrics-server.js';
import { portalRouter } from './portal.js';
import { requestObservation } from './request-logging.js';
import { Readiness, unavailableUntilReady } from './readiness.js';
import { securityHeaders } from './security-headers.js';
import { requestTimeout } from './timeout.js';
import type { TrustProxy } from './trust-proxy.js';

export interface AppDependencies {
  orm: Orm;
  auth: Auth;
  /** the API faces (GraphQL, FHIR), composed outside the core */
  apis: Router[];
  /** the built portal SPA */
  clientDir: string;
  publicUrl: string;
  /** the browser origins allowed to call the APIs and /o (Config.corsOrigins) */
  corsOrigins: readonly string[];
  requestTimeoutMs: number;
  logger: Logger;
  /** serves `GET /metrics` on this app, to this bearer token only; absent: no /metrics here (METRICS_PORT or off) */
  metricsToken?: string;
  /** whether the database is reachable and migrated yet (main.ts); ready by default */
  readiness?: Readiness;
  /** Config.trustProxy: whose X-Forwarded-* headers count (req.ip, req.protocol) */
  trustProxy: TrustProxy;
}

/** Composes the HTTP faces on one Express app. */
export function createApp({
  orm,
  auth,
  apis,
  clientDir,
  publicUrl,
  corsOrigins,
  requestTimeoutMs,
  logger,
  metricsToken,
  readiness = new Readiness(true),
  trustProxy,
}: AppDependencies): Express {
  const app = express();
  app.use(requestObservation(logger));
  app.use(requestTimeout(requestTimeoutMs));
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  // API answers are per viewer and often large (a FHIR page of 1000 is ~1 MB): hashing each body for a weak
  // ETag cost ~2.5 ms a page and saved nothing. The portal's static files keep serve-static's own ETags.
  app.set('etag', false);
  app.use(securityHeaders(publicUrl));
  app.use([...CORS_PATHS], corsMiddleware(corsOrigins));

  // /health is where JupyterHealth's own deployments are probed
  app.get(['/healthz', '/health'], (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (!readiness.ready) {
      res.status(503).json({ status: 'not ready', database: readiness.reason });
      return;
    }
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'not ready', database: 'unreachable' });
    }
  });
  if (metricsToken !== undefined) {
    const answer = mainPortMetrics(metricsToken);
    app.get('/metrics', (req, res) => void answer(req, res));
  }
  app.use(unavailableUntilReady(readiness));
  app.use(auth.router);
  for (const api of apis) app.use(api);
  app.use(portalRouter(clientDir));
  app.use(notFound);
  app.use(finalErrorHandler);
  return app;
}
