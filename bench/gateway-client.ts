import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { importJWK, SignJWT } from 'jose';

/**
 * A gateway access token for a seeded user, signed with the development key the gateway generated, with the
 * portal's default scope (the bench both searches and uploads).
 */
export async function signToken(
  dataDir: string,
  publicUrl: string,
  sub: string,
  scope = 'user/*.cruds',
): Promise<string> {
  const { signingKey } = JSON.parse(readFileSync(path.join(dataDir, 'oidc-secrets.json'), 'utf8'));
  // as the portal's token: a client id no one registered is refused (its client is taken as removed)
  return new SignJWT({ sub, scope, client_id: 'portal' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
    .setIssuer(`${publicUrl}/o`)
    .setAudience(`${publicUrl}/`)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(await importJWK(signingKey, 'RS256'));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const graphqlRequest = (token: string, query: string, variables: Record<string, unknown>) => ({
  headers: { 'content-type': 'application/json', ...bearer(token) },
  body: JSON.stringify({ query, variables }),
});

export async function graphql(base: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/graphql`, { method: 'POST', ...graphqlRequest(token, query, variables) });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body;
}

const agent = new http.Agent({ keepAlive: true });
/**
 * A connection per request: the ingest's client prepares its Bundles for seconds before it posts them, its event
 * loop blocked while the gateway closes idle keep-alive connections, and the first post on such a connection
 * failed with "socket hang up" (the 10M run). A connection costs little next to a Bundle of 1000.
 */
const connectionPerRequest = new http.Agent({ keepAlive: false });

/**
 * A 2xx answer's body, read to its last byte with node:http, as a load generator reads it: fetch's web streams
 * cost the client itself 5-8 ms more on a 1 MB answer, which would be counted against the gateway.
 */
function answer(
  url: string,
  init: { headers: Record<string, string>; body?: string },
  via: http.Agent = agent,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { agent: via, method: init.body ? 'POST' : 'GET', headers: init.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body);
          else reject(new Error(`${url}: ${status} ${body.toString().slice(0, 500)}`));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/** GETs a FHIR search and returns how many entries its Bundle holds. */
export async function fhirSearch(url: string, token: string): Promise<number> {
  const bundle = JSON.parse((await answer(url, { headers: bearer(token) })).toString()) as {
    entry?: unknown[];
  };
  return bundle.entry?.length ?? 0;
}

/** Reads a GET's answer (FHIR, REST) to its last byte, unparsed, and returns its size: where a latency ends. */
export const getAnswer = async (url: string, token: string) =>
  (await answer(url, { headers: bearer(token) })).byteLength;

export const fhirAnswer = getAnswer;

/** A GET's answer, parsed. */
export const getJson = async (url: string, token: string): Promise<unknown> =>
  JSON.parse((await answer(url, { headers: bearer(token) })).toString());

/** The same for a GraphQL answer. */
export const graphqlAnswer = async (base: string, token: string, query: string, variables: Record<string, unknown>) =>
  (await answer(`${base}/graphql`, graphqlRequest(token, query, variables))).byteLength;

/** POSTs a batch Bundle's JSON text with node:http, and checks that all its `expected` entries were created. */
export async function postBundle(base: string, token: string, bundle: string, expected: number) {
  const answered = await answer(
    `${base}/fhir/r5/`,
    { headers: { 'content-type': 'application/fhir+json', ...bearer(token) }, body: bundle },
    connectionPerRequest,
  );
  const body = JSON.parse(answered.toString()) as { entry?: { response: { status: string } }[] };
  const created = body.entry?.filter((e) => e.response.status === '201').length ?? 0;
  if (created !== expected)
    throw new Error(`upload: ${created} of ${expected} created: ${JSON.stringify(body).slice(0, 500)}`);
}
