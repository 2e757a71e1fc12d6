import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT } from 'jose';

/** A gateway access token for a seeded user, signed with the development key the gateway generated. */
export async function signToken(dataDir: string, publicUrl: string, sub: string): Promise<string> {
  const { signingKey } = JSON.parse(readFileSync(path.join(dataDir, 'oidc-secrets.json'), 'utf8'));
  return new SignJWT({ sub, scope: 'user/*.rs', client_id: 'bench' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
    .setIssuer(`${publicUrl}/o`)
    .setAudience(`${publicUrl}/`)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(await importJWK(signingKey, 'RS256'));
}

const graphqlRequest = (token: string, query: string, variables: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({ query, variables }),
});

export async function graphql(base: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/graphql`, graphqlRequest(token, query, variables));
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body;
}

/** GETs a FHIR search and returns how many entries its Bundle holds. */
export async function fhirSearch(url: string, token: string): Promise<number> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`FHIR search: ${response.status} ${(await response.text()).slice(0, 500)}`);
  const bundle = (await response.json()) as { entry?: unknown[] };
  return bundle.entry?.length ?? 0;
}

/** Reads a 2xx answer to its last byte, unparsed, and returns its size: where a latency ends. */
async function answerBytes(url: string, init: RequestInit): Promise<number> {
  const response = await fetch(url, init);
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${Buffer.from(body).toString().slice(0, 500)}`);
  return body.byteLength;
}

export const fhirAnswer = (url: string, token: string) =>
  answerBytes(url, { headers: { authorization: `Bearer ${token}` } });

export const graphqlAnswer = (base: string, token: string, query: string, variables: Record<string, unknown>) =>
  answerBytes(`${base}/graphql`, graphqlRequest(token, query, variables));

export async function postBundle(base: string, token: string, bundle: object, expected: number) {
  const response = await fetch(`${base}/fhir/r5/`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
    body: JSON.stringify(bundle),
  });
  const body = (await response.json()) as { entry?: { response: { status: string } }[] };
  const created = body.entry?.filter((e) => e.response.status === '201').length ?? 0;
  if (created !== expected)
    throw new Error(`upload: ${created} of ${expected} created: ${JSON.stringify(body).slice(0, 500)}`);
}
