/**
 * JupyterHealth's REST API takes either spelling, as djangorestframework-camel-case makes it do: query keys
 * `organization_id` or `organizationId`, body keys `nameFamily` or `name_family`. The routes here speak
 * snake_case queries and camelCase bodies; requests are brought to them.
 */

const toSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Query keys as snake_case (`pageSize` → `page_size`); FHIR-style keys such as `_count` stay. */
export const snakeQuery = (query: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(query).map(([key, value]) => [key.startsWith('_') ? key : toSnake(key), value]));

/** Body keys as camelCase, at every depth (a camelCase body is left as it is). */
export function camelBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelBody);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [toCamel(key), camelBody(inner)]));
}
