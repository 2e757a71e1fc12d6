import { expect } from 'vitest';

/** A bulk export driven as a client does: kickoff, poll the status URL, download each file of the manifest. */
export interface ExportClient {
  fhirBase: string;
  token: string;
}

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** `GET <path>` with `Prefer: respond-async`; returns the response (202 with Content-Location on success). */
export function kickoff({ fhirBase, token }: ExportClient, path: string, headers: Record<string, string> = {}) {
  return fetch(`${fhirBase}${path}`, {
    headers: { accept: 'application/fhir+json', prefer: 'respond-async', ...bearer(token), ...headers },
  });
}

/** Polls a status URL until it stops answering 202; returns that answer. */
export async function awaitStatus(token: string, statusUrl: string, timeout = 60_000) {
  let last: Response | undefined;
  await expect
    .poll(
      async () => {
        last = await fetch(statusUrl, { headers: bearer(token) });
        return last.status;
      },
      { timeout, interval: 100 },
    )
    .not.toBe(202);
  return last!;
}

/** Downloads a file of the manifest: its lines, parsed. */
export async function download(token: string, url: string) {
  const response = await fetch(url, { headers: { accept: 'application/fhir+ndjson', ...bearer(token) } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+ndjson/);
  const text = await response.text();
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/** Kicks off, waits, downloads: the manifest and every resource by type. */
export async function exportAll(client: ExportClient, path: string) {
  const started = await kickoff(client, path);
  expect(started.status, await started.clone().text()).toBe(202);
  const statusUrl = started.headers.get('content-location')!;
  const done = await awaitStatus(client.token, statusUrl);
  expect(done.status, await done.clone().text()).toBe(200);
  const manifest = (await done.json()) as Manifest;
  const byType = new Map<string, Record<string, any>[]>();
  for (const file of manifest.output) {
    const lines = await download(client.token, file.url);
    expect(lines).toHaveLength(file.count);
    byType.set(file.type, [...(byType.get(file.type) ?? []), ...lines]);
  }
  return { statusUrl, manifest, byType, lines: (type: string) => byType.get(type) ?? [] };
}
