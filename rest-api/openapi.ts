import type { Route } from './route.js';

/** Express's `:id` as OpenAPI's `{id}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const ERROR = {
  description: 'an error: `{"detail": "…"}`',
  content: {
    'application/json': {
      schema: { type: 'object', required: ['detail'], properties: { detail: { type: 'string' } } },
    },
  },
};

/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the route table itself: every route with its path
 * and query parameters, body and answer schemas, and the errors every route may give.
 */
export function openApiDocument(routes: readonly Route[], publicUrl: string, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const pathParams = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1 },
    }));
    const queryParams = Object.entries(route.query ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    }));
    paths[path] ??= {};
    paths[path]![route.method] = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(pathParams.length || queryParams.length ? { parameters: [...pathParams, ...queryParams] } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: !route.optionalBody,
              content: { 'application/json': { schema: route.body } },
            },
          }
        : {}),
      ...(route.public ? { security: [] } : {}),
      responses: {
        ...Object.fromEntries(
          [route.status ?? 200, ...(route.otherStatuses ?? [])].map((status) => [
            String(status),
            status === 204
              ? { description: 'success, no content' }
              : { description: 'success', content: { 'application/json': { schema: route.response } } },
          ]),
        ),
        '400': ERROR,
        '401': ERROR,
        '403': ERROR,
        '404': ERROR,
        '409': ERROR,
        '415': ERROR,
        '503': ERROR,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Health Exchange Gateway Admin REST API',
      version,
      description:
        'The JupyterHealth-compatible Admin REST API: camelCase JSON, DRF-style pages and `{"detail": …}` errors; every request runs as its bearer token’s user through the gateway’s one authorization policy.',
    },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (from /o/token)' },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
