import { openApiDocument } from '../openapi.js';
import type { Route } from '../route.js';
// the table the document describes, without an import cycle: routes/index.ts imports this file
import { ROUTES } from './index.js';

export const schemaRoutes: Route[] = [
  {
    method: 'get',
    path: '/schema',
    tag: 'schema',
    summary: 'this OpenAPI 3.1 document',
    public: true,
    response: { type: 'object' },
    handle: async ({ config }) => openApiDocument(ROUTES, config.publicUrl, '0.1.0'),
  },
];
