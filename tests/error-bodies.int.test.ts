import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { tokenFor } from './support/tokens.js';

/**
 * Malformed and hostile requests to every face: each is answered as a client error (or the answer the face
 * gives anyone), never a 5xx, and no body carries a stack trace, SQL from the ORM, or a file path.
 * Sent with node:http, so that broken percent-encoding and invalid UTF-8 reach the server as they are.
 */

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await tokenFor(app, 'mary@example.com');
});
afterAll(() => app?.close());

interface Probe {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** send mary's access token */
  auth?: boolean;
}

function send(probe: Probe): Promise<{ status: number; body: string }> {
  const url = new URL(app.baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: probe.method ?? (probe.body === undefined ? 'GET' : 'POST'),
        path: probe.path,
        headers: { ...(probe.auth ? { authorization: `Bearer ${token}` } : {}), ...probe.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }));
      },
    );
    // the server may refuse a huge body before reading it all
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    request.end(probe.body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FHIR_TYPE = { 'content-type': 'application/fhir+json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const HTML = { accept: 'text/html' };
const BAD_PERCENT = '%E0%A4%A';
const INVALID_UTF8 = Buffer.concat([
  Buffer.from('{"query":"{ me { id } }","x":"'),
  Buffer.from([0xc3, 0x28]),
  Buffer.from('"}'),
]);
const huge = (megabytes: number) =>
  JSON.stringify({ query: '{ me { id } }', padding: 'x'.repeat(megabytes * 1024 * 1024) });
const gqlBody = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

const PROBES: Record<string, Probe[]> = {
  graphql: [
    { path: '/graphql', headers: JSON_TYPE, body: '{' },
    { path: '/graphql', headers: JSON_TYPE, body: '' },
    { path: '/graphql', headers: JSON_TYPE, body: 'null' },
    { path: '/graphql', headers: JSON_TYPE, body: '[1, 2]' },
    { path: '/graphql', headers: JSON_TYPE, body: '"query"' },
    { path: '/graphql', headers: JSON_TYPE, body: huge(3) },
    { path: '/graphql', headers: JSON_TYPE, body: INVALID_UTF8 },
    { path: '/graphql', headers: { 'content-type': 'application/json; charset=latin9' }, body: '{}' },
    { path: '/graphql', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: 'not gzip' },
    { path: '/graphql', headers: { ...JSON_TYPE, 'content-encoding': 'br2' }, body: '{}' },
    { path: '/graphql', headers: { 'content-type': 'text/plain' }, body: gqlBody('{ me { id } }') },
    { path: '/graphql', headers: { 'content-type': 'application/xml' }, body: '<query/>' },
    { path: '/graphql', headers: JSON_TYPE, body: gqlBody('{') },
    { path: '/graphql', headers: JSON_TYPE, body: JSON.stringify({ query: 42 }) },
    { path: '/graphql', headers: JSON_TYPE, body: JSON.stringify({ query: '{ me { id } }', variables: 'x' }) },
    {
      path: '/graphql',
      headers: JSON_TYPE,
      body: gqlBody('query($id: ID!) { patient(id: $id) { id } }', { id: { a: 1 } }),
    },
    ...[
      '1e999',
      "' or 1=1",
      '-1',
      '99999999999999999999999',
      '0x10',
      '',
      '40001; drop table patients',
      '\u0000',
    ].flatMap((id) =>
      ['patient', 'observation', 'study', 'organization'].map((field) => ({
        path: '/graphql',
        headers: JSON_TYPE,
        auth: true,
        body: gqlBody(`query($id: ID!) { ${field}(id: $id) { id } }`, { id }),
      })),
    ),
    {
      path: '/graphql',
      headers: JSON_TYPE,
      auth: true,
      body: gqlBody('query($f: ObservationFilter!) { observations(filter: $f, first: 5) { totalCount } }', {
        f: { studyId: "' or 1=1" },
      }),
    },
    {
      path: '/graphql',
      headers: JSON_TYPE,
      auth: true,
      body: gqlBody('query($a: String) { patients(first: 1, after: $a) { edges { node { id } } } }', { a: 'garbage' }),
    },
    {
      path: '/graphql',
      headers: JSON_TYPE,
      auth: true,
      body: gqlBody('{ patients(first: -5) { edges { node { id } } } }'),
    },
    {
      path: '/graphql',
      headers: JSON_TYPE,
      auth: true,
      body: gqlBody('{ patients(first: 99999999999) { edges { node { id } } } }'),
    },
    { path: `/graphql?query=${BAD_PERCENT}`, headers: { 'apollo-require-preflight': 'true' } },
    { path: '/graphql?query={me{id}}&variables=notjson', headers: { 'apollo-require-preflight': 'true' } },
    {
      path: '/graphql',
      headers: { ...JSON_TYPE, authorization: 'Bearer not.a.token' },
      body: gqlBody('{ me { id } }'),
    },
    {
      path: '/graphql',
      headers: { ...JSON_TYPE, authorization: `Bearer ${BAD_PERCENT}\u00ff` },
      body: gqlBody('{ me { id } }'),
    },
    { method: 'PUT', path: '/graphql', headers: JSON_TYPE, body: '{}' },
    { method: 'DELETE', path: '/graphql' },
  ],
  fhir: [
    ...[
      '1e999',
      encodeURIComponent("' or 1=1"),
      BAD_PERCENT,
      '-1',
      '99999999999999999999999',
      '0x10',
      '%00',
      'Patient',
    ].flatMap((id) => [
      { path: `/fhir/r5/Patient/${id}`, auth: true },
      { path: `/fhir/r5/Observation/${id}`, auth: true },
    ]),
    ...[
      'patient=1e999',
      `patient=${encodeURIComponent("' or 1=1")}`,
      `patient=${BAD_PERCENT}`,
      'patient=Patient/99999999999999999999999',
      'subject=Device/1',
      'patient._has:Group:member:_id=abc',
      'patient._has:Group:member:_id=1e999',
      '_has:Group:member:_id=-1',
      'code=%7C',
      `code=${BAD_PERCENT}`,
      'date=garbage',
      'date=gt2026-13-45',
      'date=2026-02-30T25:61:00Z',
      '_lastUpdated=xx2026',
      '_count=1e999',
      '_count=-1',
      '_count=abc',
      '_page=0',
      '_page=99999999999999999999',
      '_cursor=garbage',
      '_cursor=eyJ4IjoxfQ',
      '_summary=text',
      '_summary=true&_elements=id',
      '_elements=a%20b',
      '_include=Observation:performer',
      '_include=*',
      '_total=everything',
      '_format=xml',
      'patient.identifier=%7C%7C',
      'unknown=1',
      `${BAD_PERCENT}=1`,
    ].flatMap((query) => [
      { path: `/fhir/r5/Observation?${query}`, auth: true },
      { path: `/fhir/r5/Patient?${query}`, auth: true },
    ]),
    { path: `/fhir/r5/Observation?patient=40001`, headers: { authorization: 'Bearer x.y.z' } },
    { path: `/fhir/r5/Observation?patient=40001`, headers: { authorization: 'Basic Zm9vOmJhcg==' } },
    { path: '/fhir/r5/Observation', auth: true, headers: FHIR_TYPE, body: '{' },
    { path: '/fhir/r5/Observation', auth: true, headers: FHIR_TYPE, body: 'null' },
    { path: '/fhir/r5/Observation', auth: true, headers: FHIR_TYPE, body: '[]' },
    { path: '/fhir/r5/Observation', auth: true, headers: FHIR_TYPE, body: INVALID_UTF8 },
    { path: '/fhir/r5/Observation', auth: true, headers: { 'content-type': 'text/plain' }, body: '{}' },
    { path: '/fhir/r5/Observation', auth: true, headers: FHIR_TYPE, body: JSON.stringify({ resourceType: 'Patient' }) },
    {
      path: '/fhir/r5/Observation',
      auth: true,
      headers: FHIR_TYPE,
      body: JSON.stringify({
        resourceType: 'Observation',
        status: 'final',
        subject: { reference: "Patient/' or 1=1" },
      }),
    },
    { path: '/fhir/r5/', auth: true, headers: FHIR_TYPE, body: '{"resourceType":"Bundle","type":"batch","entry":"x"}' },
    {
      path: '/fhir/r5/',
      auth: true,
      headers: FHIR_TYPE,
      body: '{"resourceType":"Bundle","type":"transaction","entry":[{}]}',
    },
    {
      path: '/fhir/r5/',
      auth: true,
      headers: FHIR_TYPE,
      body: '{"resourceType":"Bundle","type":"batch","entry":[null]}',
    },
    { path: '/fhir/r5/', auth: true, headers: FHIR_TYPE, body: huge(26) },
    { path: '/fhir/r5/', auth: true, headers: { ...FHIR_TYPE, 'content-encoding': 'gzip' }, body: 'not gzip' },
    { path: '/fhir/r5/metadata?_format=xml' },
    { path: '/fhir/r5/metadata', headers: { accept: 'application/fhir+xml' } },
    { path: `/fhir/r5/${BAD_PERCENT}` },
    { path: '/fhir/r5/Unknown/1', auth: true },
    { method: 'DELETE', path: '/fhir/r5/Patient/40001', auth: true },
  ],
  oidc: [
    { path: '/o/auth?client_id=nope&response_type=code', headers: HTML },
    { path: `/o/auth?client_id=${BAD_PERCENT}&redirect_uri=${BAD_PERCENT}`, headers: HTML },
    { path: `/o/auth/${BAD_PERCENT}`, headers: HTML },
    { path: `/o/interaction/${BAD_PERCENT}`, headers: HTML },
    { path: '/o/interaction/nope', headers: HTML },
    { path: '/o/interaction/nope/login', headers: FORM_TYPE, body: `email=${BAD_PERCENT}&password=x` },
    { path: '/o/interaction/nope/login', headers: FORM_TYPE, body: 'x'.repeat(20_000) },
    { path: '/o/interaction/nope/confirm', headers: JSON_TYPE, body: '{' },
    { path: '/o/token', headers: JSON_TYPE, body: '{' },
    { path: '/o/token', headers: FORM_TYPE, body: `grant_type=${BAD_PERCENT}` },
    { path: '/o/token', headers: FORM_TYPE, body: 'grant_type=authorization_code&code=x&client_id=portal' },
    { path: '/o/token', headers: FORM_TYPE, body: `grant_type=refresh_token&refresh_token=x&client_id=portal` },
    { path: '/o/token', headers: FORM_TYPE, body: 'x'.repeat(3 * 1024 * 1024) },
    { path: '/o/token', headers: { 'content-type': 'text/plain' }, body: 'hello' },
    { path: '/o/token/revocation', headers: FORM_TYPE, body: 'token=x&client_id=nope' },
    { path: '/o/device/auth', headers: FORM_TYPE, body: 'client_id=portal' },
    { path: `/o/device?user_code=${BAD_PERCENT}`, headers: HTML },
    { path: '/o/device', headers: { ...HTML, ...FORM_TYPE }, body: 'xsrf=x&user_code=y' },
    { path: '/o/me', headers: { authorization: 'Bearer x.y.z' } },
    { path: '/o/me', headers: { authorization: `Bearer ${BAD_PERCENT}` } },
    { path: '/o/me?access_token=x' },
    { path: '/o/jwks?x=%' },
    { path: `/o/.well-known/${BAD_PERCENT}` },
    { path: '/o/session/end?id_token_hint=garbage', headers: HTML },
    { path: '/o/session/end/confirm', headers: { ...HTML, ...FORM_TYPE }, body: 'xsrf=x&logout=yes' },
    { path: '/o/signup', headers: { ...HTML, ...FORM_TYPE }, body: `inviteCode=jhe&email=${BAD_PERCENT}` },
    { path: '/o/signup', headers: { ...HTML, ...FORM_TYPE }, body: 'x'.repeat(20_000) },
    {
      path: '/o/signup',
      headers: { ...HTML, ...FORM_TYPE },
      body: `inviteCode=jhe&firstName=a&lastName=b&email=${encodeURIComponent("x' or 1=1@example.com")}&password=abc12345`,
    },
    { path: '/o/signup', headers: { ...HTML, ...JSON_TYPE }, body: '{' },
    { path: '/o/nope', headers: HTML },
  ],
  rest: [
    { path: `/healthz?${BAD_PERCENT}` },
    { path: '/readyz' },
    { path: `/${BAD_PERCENT}`, headers: HTML },
    { path: `/studies/${BAD_PERCENT}`, headers: HTML },
    { path: `/assets/${BAD_PERCENT}` },
    { path: '/assets/../../package.json' },
    { path: '/assets/%2e%2e%2fpackage.json' },
    { path: '/', headers: JSON_TYPE, body: '{' },
    { path: '/no-such-api', headers: { accept: 'application/json' } },
    { method: 'TRACE', path: '/' },
  ],
};

const STACK_FRAME = /\bat\s+(?:[^\n]*\()?(?:\/|node:|file:)/;
const ORM_SQL = /\bselect\s|\binsert\s+into\b|\bwhere\s|\bfrom\s+"|\bupdate\s+"/i;
const FILE_PATH = /\/(?:work|home|usr|tmp|root)\/|node_modules|\.(?:ts|js|mjs|cjs):\d+/;

/** What is wrong with one answer, or nothing. */
function problems(status: number, body: string): string[] {
  return [
    status >= 500 ? `status ${status}` : '',
    STACK_FRAME.test(body) ? 'a stack frame' : '',
    ORM_SQL.test(body) ? 'SQL' : '',
    FILE_PATH.test(body) ? 'a file path' : '',
  ].filter(Boolean);
}

describe('malformed requests get client errors without internals', () => {
  for (const [face, probes] of Object.entries(PROBES)) {
    it(`on ${face}`, async () => {
      const found: string[] = [];
      for (const probe of probes) {
        const { status, body } = await send(probe);
        const wrong = problems(status, body);
        if (wrong.length === 0) continue;
        const method = probe.method ?? (probe.body === undefined ? 'GET' : 'POST');
        const sent = typeof probe.body === 'string' ? ` ${probe.body.slice(0, 100)}` : '';
        found.push(
          `${method} ${probe.path.slice(0, 100)}${sent} → ${wrong.join(', ')}: ${status} ${body.slice(0, 300)}`,
        );
      }
      expect(found).toEqual([]);
    });
  }

  it('the checks would catch what Express shows by default', () => {
    const expressDefault = `<pre>SyntaxError: Unexpected token<br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)<br> &nbsp; &nbsp;at parse (/app/node_modules/body-parser/lib/types/json.js:92:19)</pre>`;
    expect(problems(400, expressDefault)).toEqual(['a stack frame', 'a file path']);
    expect(problems(500, 'select "p0".* from "patients" as "p0" where "p0"."id" = 1 - invalid input')).toEqual([
      'status 500',
      'SQL',
    ]);
  });
});
