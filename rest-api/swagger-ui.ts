import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';

/** Swagger UI (the `swagger-ui-dist` package) on the generated document: no inline script, so the CSP holds. */
const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const INDEX = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Health Exchange Gateway · Admin REST API</title>
<link rel="stylesheet" href="./swagger-ui.css">
<link rel="stylesheet" href="./index.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script>
<script src="./swagger-ui-standalone-preset.js"></script>
<script src="./swagger-initializer.js"></script>
</body>
</html>`;

const initializer = (documentUrl: string) => `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(documentUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

export function swaggerUiRouter(documentUrl: string): Router {
  const router = Router();
  router.get('/', (req, res) => {
    // relative asset links need the trailing slash
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) res.redirect(301, `${req.baseUrl}/`);
    else res.type('html').send(INDEX);
  });
  router.get('/swagger-initializer.js', (_req, res) => void res.type('js').send(initializer(documentUrl)));
  router.use(express.static(dist, { index: false, maxAge: '1d' }));
  return router;
}
