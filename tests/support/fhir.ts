import { Client } from 'fhir-kit-client';
import type { TestApp } from './app.js';
import { tokenFor } from './tokens.js';

/** An independent FHIR client (fhir-kit-client) signed in as `email`. */
export async function fhirClient(app: TestApp, email: string) {
  return new Client({ baseUrl: `${app.baseUrl}/fhir/r5`, bearerToken: await tokenFor(app, email) });
}

/** Raw FHIR request, for status codes and headers the client library hides. */
export async function fhirFetch(
  app: TestApp,
  path: string,
  init: { as?: string | null; method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { accept: 'application/fhir+json', ...init.headers };
  if (init.as) headers.authorization = `Bearer ${await tokenFor(app, init.as)}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/fhir+json';
  const response = await fetch(`${app.baseUrl}/fhir/r5${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Follows `next` links to the end with the FHIR client; returns every entry's resource. */
export async function allPages(client: InstanceType<typeof Client>, first: Record<string, unknown>) {
  const resources: Record<string, unknown>[] = [];
  let bundle: Record<string, unknown> | undefined = first;
  let pages = 0;
  while (bundle && pages < 1000) {
    pages++;
    for (const entry of bundle.entry as { resource: Record<string, unknown> }[]) resources.push(entry.resource);
    bundle = (await client.nextPage({ bundle: bundle as never })) as Record<string, unknown> | undefined;
  }
  return { resources, pages };
}
