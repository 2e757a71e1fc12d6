import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throttleKey } from '../src/auth/throttle.js';
import { DEMO_DEFAULTS } from '../src/config.js';
import { Browser, readForm } from './support/browser.js';
import { createNamespaces, type Namespace, namespacesUnavailable } from './support/netns.js';
import { type LoadBalancer, nginxInstalled, startNginx } from './support/nginx.js';
import { heartRate, observation } from './support/omh.js';
import { type ReachablePostgres, startReachablePostgres } from './support/reachable-postgres.js';
import { freePort, type ServerProcess, startServer } from './support/server-process.js';

/**
 * Two gateway processes (the built server), each in a network namespace of its own, behind Debian's nginx as
 * the load balancer, on one PostgreSQL: what one process starts or stores, the other continues or finds.
 */
const unavailable =
  namespacesUnavailable() ?? (nginxInstalled() ? undefined : 'nginx is not installed (apt-get install nginx)');
if (unavailable) console.warn(`instances.int.test.ts skipped: ${unavailable}`);

type Name = 'a' | 'b';
const PORT = 8000;
const PETER = 40001;

let net: ReturnType<typeof createNamespaces> | undefined;
let database: ReachablePostgres | undefined;
let lb: LoadBalancer | undefined;
let sql: pg.Client | undefined;
const gateways: Partial<Record<Name, ServerProcess>> = {};
const hosts: Partial<Record<Name, Namespace>> = {};
const dataDirs: string[] = [];

const upstream = (name: Name) => `${hosts[name]!.address}:${PORT}`;
/** a request through nginx, pinned to one gateway or (none) to whichever is next */
const send = (path: string, init: RequestInit & { to?: Name } = {}) =>
  fetch(`${lb!.url}${path}`, {
    ...init,
    headers: { ...(init.to ? { [lb!.pinHeader]: init.to } : {}), ...(init.headers as Record<string, string>) },
  });
const form = (body: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body),
});

beforeAll(async () => {
  if (unavailable) return;
  net = createNamespaces(2);
  const [a, b] = net.namespaces as [Namespace, Namespace];
  Object.assign(hosts, { a, b });
  database = await startReachablePostgres([a.hostAddress, b.hostAddress], net.subnet);
  const lbPort = await freePort();
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const cookieKeys = randomBytes(32).toString('base64url');
  // both at once on the fresh database: the start-up lock lets one migrate and seed while the other waits
  for (const [name, ns] of Object.entries(hosts) as [Name, Namespace][]) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `hxg-instance-${name}-`));
    dataDirs.push(dataDir);
    const gateway = startServer(
      {
        PORT: String(PORT),
        PUBLIC_URL: `http://127.0.0.1:${lbPort}`,
        DATABASE_URL: database.url(ns.hostAddress),
        DATA_DIR: dataDir,
        OIDC_PRIVATE_KEY: privateKey,
        OIDC_COOKIE_KEYS: cookieKeys,
        // nginx reaches each namespace from this machine's end of its veth pair
        TRUST_PROXY: ns.hostAddress,
        DB_POOL_SIZE: '4',
        SEED: 'demo',
        WEB_CONCURRENCY: '1',
      },
      { prefix: ns.exec },
    );
    gateways[name] = gateway;
  }
  await Promise.all(Object.values(gateways).map((gateway) => gateway.waitFor(/listening on/)));
  lb = await startNginx(lbPort, { a: upstream('a'), b: upstream('b') });
  sql = new pg.Client({ connectionString: database.url('127.0.0.1') });
  await sql.connect();
}, 240_000);

afterAll(async () => {
  await sql?.end().catch(() => {});
  await Promise.all(Object.values(gateways).map((g) => g.stop('SIGKILL')));
  await lb?.stop();
  await database?.stop();
  net?.remove();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Starts the portal's sign-in on `start`; `submit` sends the login form on `finish` and returns its answer. */
async function startSignIn(start: Name) {
  const client = await oidc.discovery(new URL(`${lb!.url}/o`), 'portal', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const redirectUri = `${lb!.url}/auth/callback`;
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    scope: 'openid offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new Browser();
  const leaves = (u: string) => u.startsWith(redirectUri);
  browser.headers = { [lb!.pinHeader]: start };
  const page = await browser.follow(url.toString(), {}, leaves);
  expect(page.response.headers.get('x-upstream')).toBe(upstream(start));
  const { action } = readForm(await page.response.text(), page.url);
  const submit = (email: string, password: string, finish: Name) => {
    browser.headers = { [lb!.pinHeader]: finish };
    return browser.follow(action, { form: { email, password } }, leaves);
  };
  return { submit, verifier, redirectUri, leaves };
}

/** Starts the portal's sign-in on `start` and submits the login form on `finish`; returns the form's answer. */
async function signIn(email: string, password: string, start: Name, finish: Name) {
  const { submit, ...rest } = await startSignIn(start);
  return { done: await submit(email, password, finish), ...rest };
}

const me = async (token: string, to: Name) => {
  const res = await send('/graphql', {
    to,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { id email } }' }),
  });
  expect(res.headers.get('x-upstream')).toBe(upstream(to));
  return (await res.json()) as { data?: { me: { id: string } | null } };
};

let practitionerToken = '';
let patientToken = '';

describe.skipIf(unavailable)(
  `two gateway processes in two network namespaces behind nginx${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  { timeout: 120_000 },
  () => {
    it('finishes on one a login started on the other; its tokens work on both; a refresh token is spent on both', async () => {
      const { done, verifier, redirectUri, leaves } = await signIn('mary@example.com', 'Jhe1234!', 'a', 'b');
      expect(leaves(done.url)).toBe(true);
      const code = new URL(done.url).searchParams.get('code')!;
      const tokenRes = await send('/o/token', {
        to: 'a',
        ...form({
          grant_type: 'authorization_code',
          client_id: 'portal',
          code,
          code_verifier: verifier,
          redirect_uri: redirectUri,
        }),
      });
      expect(tokenRes.status).toBe(200);
      const tokens = (await tokenRes.json()) as { access_token: string; refresh_token: string };
      practitionerToken = tokens.access_token;
      for (const to of ['a', 'b'] as const) expect((await me(tokens.access_token, to)).data?.me?.id).toBe('10002');

      const refresh = (to: Name, token: string) =>
        send('/o/token', { to, ...form({ grant_type: 'refresh_token', client_id: 'portal', refresh_token: token }) });
      const rotated = await refresh('b', tokens.refresh_token);
      expect(rotated.status).toBe(200);
      const again = await refresh('a', tokens.refresh_token);
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    });

    it('throttles an account’s failures counted on both, per client address (not the balancer’s)', async () => {
      for (let i = 0; i < 5; i++) {
        const [start, finish]: [Name, Name] = i % 2 ? ['a', 'b'] : ['b', 'a'];
        const { done } = await signIn('victor@example.com', `wrong-${i}`, start, finish);
        expect(done.response.status).toBe(401);
      }
      for (const [start, finish] of [
        ['a', 'b'],
        ['b', 'a'],
      ] as [Name, Name][]) {
        const { done } = await signIn('victor@example.com', 'Jhe1234!', start, finish);
        expect(done.response.status).toBe(429);
        expect(done.response.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      const keys = (await sql!.query<{ key: string }>('select key from throttle_failures')).rows.map((r) => r.key);
      expect(keys).toContain(throttleKey('login', 'account', 'victor@example.com'));
      expect(keys).toContain(throttleKey('login', 'address', '127.0.0.1'));
      for (const ns of Object.values(hosts))
        expect(keys).not.toContain(throttleKey('login', 'address', ns.hostAddress));

      // ten wrong passwords at the same instant, half on each: five get through to be checked, five are refused
      const started = await Promise.all(Array.from({ length: 10 }, (_, i) => startSignIn(i % 2 ? 'a' : 'b')));
      const burst = await Promise.all(
        started.map(({ submit }, i) => submit('walter@example.com', `wrong-${i}`, i % 2 ? 'b' : 'a')),
      );
      expect(burst.map((b) => b.response.status).sort()).toEqual([...Array(5).fill(401), ...Array(5).fill(429)]);
    });

    it('throttles wrong sign-up invitation codes counted on both, on both', async () => {
      const signUp = (to: Name, inviteCode: string, i: number) =>
        send('/o/signup', {
          to,
          ...form({
            inviteCode,
            firstName: 'Sam',
            lastName: 'S',
            email: `sam-${i}@example.com`,
            password: 'Secret1234',
          }),
        });
      for (let i = 0; i < 10; i++) expect((await signUp(i % 2 ? 'a' : 'b', `guess-${i}`, i)).status).toBe(403);
      for (const to of ['a', 'b'] as const) {
        const blocked = await signUp(to, DEMO_DEFAULTS.registrationInviteCode, 10);
        expect(blocked.status).toBe(429);
        expect(blocked.headers.get('x-upstream')).toBe(upstream(to));
      }
      const keys = (await sql!.query<{ key: string }>('select key from throttle_failures')).rows.map((r) => r.key);
      expect(keys).toContain(throttleKey('signup', 'address', '127.0.0.1'));
    });

    it('redeems an invitation minted on one on the other, once, even when both are asked at the same time', async () => {
      const invite = async (to: Name) => {
        const res = await send('/graphql', {
          to,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${practitionerToken}` },
          body: JSON.stringify({
            query: 'mutation ($id: ID!) { createPatientInvitation(patientId: $id) { code } }',
            variables: { id: String(PETER) },
          }),
        });
        const body = (await res.json()) as { data?: { createPatientInvitation: { code: string } } };
        expect(body.data?.createPatientInvitation.code, JSON.stringify(body)).toBeTruthy();
        return body.data!.createPatientInvitation.code;
      };
      const redeem = (code: string, to: Name) =>
        send('/o/token', {
          to,
          ...form({
            grant_type: 'authorization_code',
            client_id: 'patient-app',
            code,
            code_verifier: DEMO_DEFAULTS.patientCodeVerifier,
            redirect_uri: `${lb!.url}/auth/callback`,
          }),
        });

      const code = await invite('a');
      const redeemed = await redeem(code, 'b');
      expect(redeemed.status).toBe(200);
      patientToken = ((await redeemed.json()) as { access_token: string }).access_token;
      const replay = await redeem(code, 'a');
      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

      const fresh = await invite('b');
      const raced = await Promise.all([redeem(fresh, 'a'), redeem(fresh, 'b')]);
      expect(raced.map((r) => r.status).sort()).toEqual([200, 400]);
    });

    it('stores each observation once when an upload is retried on the other after one is killed', async () => {
      const run = randomBytes(4).toString('hex');
      const batch = (label: string, n: number) => ({
        resourceType: 'Bundle',
        type: 'batch',
        entry: Array.from({ length: n }, (_, i) => ({
          resource: observation({ patient: PETER, omh: heartRate(60 + (i % 40)), identifier: `${run}-${label}-${i}` }),
          request: { method: 'POST', url: 'Observation' },
        })),
      });
      const upload = (body: unknown, to?: Name) =>
        send('/fhir/r5/', {
          to,
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${patientToken}` },
          body: JSON.stringify(body),
        });
      /** each identifier of the batch with how many observations hold it */
      const stored = async (label: string) =>
        (
          await sql!.query<{ value: string; n: string }>(
            `select i.value, count(o.id) as n from observation_identifiers i join observations o on o.id = i.observation_id
              where i.value like $1 group by i.value`,
            [`${run}-${label}-%`],
          )
        ).rows.map((r) => [r.value, Number(r.n)]);
      const once = (label: string, n: number) =>
        Array.from({ length: n }, (_, i) => [`${run}-${label}-${i}`, 1]).sort(([a], [b]) =>
          String(a).localeCompare(String(b)),
        );
      const storedOnce = async (label: string, n: number) =>
        expect((await stored(label)).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual(once(label, n));
      const peters = async () =>
        Number(
          (
            await sql!.query<{ n: string }>('select count(*) as n from observations where subject_patient_id = $1', [
              PETER,
            ])
          ).rows[0]!.n,
        );
      const before = await peters();
      type Entry = { response: { status: string; location?: string } };
      const answered = async (res: Response) => ((await res.json()) as { entry: Entry[] }).entry;

      // stored by A, answered: a retry through B answers the same observations
      const first = batch('stored', 200);
      const done = await upload(first, 'a');
      expect(done.status).toBe(200);
      const created = await answered(done);
      expect(created.every((e) => e.response.status === '201')).toBe(true);

      // A killed in the middle of storing another: held back by a lock on one of its identifiers, then killed
      const second = batch('cut', 500);
      const blocker = new pg.Client({ connectionString: database!.url('127.0.0.1') });
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query(
        `insert into observation_identifiers (observation_id, system, value)
         values ((select min(id) from observations), 'https://app.example/ids', $1)`,
        [`${run}-cut-0`],
      );
      const cut = upload(second, 'a').catch((error: Error) => error);
      await expect
        .poll(
          async () =>
            (
              await sql!.query(
                `select 1 from pg_stat_activity where client_addr = $1 and wait_event_type = 'Lock' and state = 'active'`,
                [hosts.a!.address],
              )
            ).rowCount,
          { timeout: 20_000 },
        )
        .toBe(1);
      await gateways.a!.stop('SIGKILL');
      await blocker.query('rollback');
      await blocker.end();
      // nginx answers for the upstream that went away
      const lost = await cut;
      expect(lost).toBeInstanceOf(Response);
      expect((lost as Response).status).toBe(502);
      // nothing of the cut batch was committed
      expect(await stored('cut')).toEqual([]);

      // through nginx, A refuses connections now: B answers
      const retried = await upload(first);
      expect(retried.status).toBe(200);
      expect(retried.headers.get('x-upstream')).toMatch(new RegExp(`${upstream('b')}$`));
      const same = await answered(retried);
      expect(same.map((e) => e.response.status)).toEqual(same.map(() => '200'));
      expect(same.map((e) => e.response.location)).toEqual(created.map((e) => e.response.location));
      await storedOnce('stored', 200);

      const retriedCut = await upload(second);
      expect(retriedCut.status).toBe(200);
      expect(retriedCut.headers.get('x-upstream')).toMatch(new RegExp(`${upstream('b')}$`));
      const entries = await answered(retriedCut);
      expect(entries.every((e) => ['200', '201'].includes(e.response.status))).toBe(true);
      expect(new Set(entries.map((e) => e.response.location)).size).toBe(500);
      await storedOnce('cut', 500);
      // and again: nothing more
      expect((await answered(await upload(second))).every((e) => e.response.status === '200')).toBe(true);
      await storedOnce('cut', 500);
      expect(await peters()).toBe(before + 700);

      // the tokens still work, on the one left
      expect((await me(practitionerToken, 'b')).data?.me?.id).toBe('10002');
    });
  },
);
