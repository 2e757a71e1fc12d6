import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal not built</title></head>
<body><main><h1>The portal is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it).</p></main></body></html>`;

/**
 * The APIs' paths: what they do not answer is a 404 in their format, never the portal's page (nor is /metrics
 * where it is not served, see metrics-server.ts).
 */
const API_PREFIX = /^\/(api|fhir|o|graphql|metrics)(\/|$)/i;

/**
 * The portal SPA: its hashed assets cached for good, and `index.html` (never cached) for every other GET
 * that asks for HTML, so that client-side routes such as `/auth/callback` or `/studies/30001` load the app.
 * Mounted after the APIs, so it only sees what they did not answer.
 */
export function portalRouter(clientDir: string): Router {
  const router = express.Router();
  const index = path.join(clientDir, 'index.html');
  router.use(
    '/assets',
    express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y', index: false }),
    (_req, res) => void res.sendStatus(404),
  );
  router.get('/{*path}', (req, res, next) => {
    if (!req.accepts('html') || API_PREFIX.test(req.path)) return next();
    res.set('cache-control', 'no-store');
    if (!existsSync(index)) return res.status(503).type('html').send(NOT_BUILT);
    res.sendFile(index);
  });
  return router;
}
