import type { TestApp } from './app.js';
import { tokenFor } from './tokens.js';

/** A request to `/api/v1` as `as` (a seeded login's email, a raw bearer token, or null for none). */
export async function rest(
  app: TestApp,
  path: string,
  init: { as?: string | null; token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  const token = init.token ?? (init.as ? await tokenFor(app, init.as) : undefined);
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const url = path.startsWith('http') ? path : `${app.baseUrl}/api/v1${path}`;
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as any) : null };
}
