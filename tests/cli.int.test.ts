import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const run = promisify(execFile);
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('empty');
});
afterAll(() => db?.drop());

/** The built CLI (npm test builds first), against this test's own database. */
const cli = (...args: string[]) =>
  run(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, DATABASE_URL: db.url } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

/** Rows of this test's database (`?` placeholders). */
const rows = <T>(sql: string, params: unknown[] = []) => db.orm.em.fork().getConnection().execute<T[]>(sql, params);

describe('hxg CLI', () => {
  it('explains its commands', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    for (const command of [
      'migrate',
      'seed',
      'create-superuser',
      'register-client',
      'create-client',
      'create-migration',
    ])
      expect(out).toContain(command);
  });

  it('migrates, seeds once, and skips the second time', async () => {
    expect((await cli('migrate')).out).toMatch(/no pending migrations|applied/);
    const first = await cli('seed');
    expect(first.out).toMatch(/seeded demo data \(\d+ observations\)/);
    const second = await cli('seed');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/skipped: the database already has organizations/);
  });

  it('creates a super user, refusing weak passwords and duplicates with a clear message', async () => {
    const weak = await cli('create-superuser', '--email', 'root@example.org', '--password', 'short');
    expect(weak.code).toBe(1);
    expect(weak.out).toMatch(/password: must be at least 8 characters/);
    const made = await cli('create-superuser', '--email', 'Root@Example.org', '--password', 'Str0ng-enough');
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/created super user root@example.org/);
    const again = await cli('create-superuser', '--email', 'root@example.org', '--password', 'Str0ng-enough');
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/already exists/);
  });

  it('registers a dashboard client', async () => {
    const made = await cli(
      'register-client',
      '--client-id',
      'my-dash',
      '--name',
      'My dashboard',
      '--redirect-uri',
      'https://dash.example/cb',
      '--confidential',
    );
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/client secret \(shown only now\): \S{40,}/);
  });

  it('registers a resource server that may only introspect tokens, with a secret once', async () => {
    const made = await cli(
      'register-client',
      '--client-id',
      'my-rs',
      '--name',
      'My resource server',
      '--introspection',
    );
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/client secret \(shown only now\): \S{40,}/);
    const [row] = await rows<{ payload: Record<string, unknown> }>(
      `select payload from oidc_payloads where model = 'Client' and id = 'my-rs'`,
    );
    expect(row!.payload).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    });
    const both = await cli(
      'register-client',
      '--client-id',
      'my-rs2',
      '--name',
      'RS',
      '--introspection',
      '--redirect-uri',
      'https://x.example/cb',
    );
    expect(both.code).toBe(1);
    expect(both.out).toMatch(/--introspection takes no --redirect-uri/);
    const none = await cli('register-client', '--client-id', 'no-redirect', '--name', 'Dashboard');
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/give at least one redirect URI/);
  });

  it('creates an app patients use: its client record, data sources and studies, a secret once', async () => {
    const made = await cli(
      'create-client',
      '--name',
      'Cli App',
      '--client-id',
      'cli-app',
      '--redirect-uri',
      'https://cli.example/cb',
      '--redirect-uri',
      'com.example.cli:/cb',
      '--invitation-url',
      'https://cli.example/join?c=CODE',
      '--data-source',
      '70001',
      '--data-source',
      '70003',
      '--study',
      '30001',
      '--study',
      '30004',
      '--confidential',
    );
    expect(made.code, made.out).toBe(0);
    const id = /created client cli-app \(client record id (\d+)\)/.exec(made.out)?.[1];
    expect(id, made.out).toBeDefined();
    expect(made.out).toMatch(/held by studies 30001, 30004/);
    expect(made.out).toMatch(/client secret \(shown only now\): \S{40,}/);
    const client = await rows<{ name: string; invitation_url: string }>(
      'select name, invitation_url from clients where id = ? and oauth_client_id = ?',
      [Number(id), 'cli-app'],
    );
    expect(client).toEqual([{ name: 'Cli App', invitation_url: 'https://cli.example/join?c=CODE' }]);
    const sources = await rows<{ data_source_id: number }>(
      'select data_source_id from client_data_sources where client_id = ? order by data_source_id',
      [Number(id)],
    );
    expect(sources.map((r) => r.data_source_id)).toEqual([70001, 70003]);
    const studies = await rows<{ study_id: number }>(
      'select study_id from study_clients where client_id = ? order by study_id',
      [Number(id)],
    );
    expect(studies.map((r) => r.study_id)).toEqual([30001, 30004]);

    const plain = await cli(
      'create-client',
      '--name',
      'Plain',
      '--client-id',
      'cli-plain',
      '--redirect-uri',
      'https://p.example/cb',
    );
    expect(plain.code, plain.out).toBe(0);
    expect(plain.out).toMatch(/created client cli-plain \(client record id \d+\)/);
    expect(plain.out).not.toMatch(/secret|held by/);
  });

  it('refuses bad input, unknown ids and duplicates with a clear message, non-zero, and leaves nothing behind', async () => {
    const base = ['create-client', '--name', 'Bad', '--redirect-uri', 'https://bad.example/cb'];
    const cases: [string[], RegExp][] = [
      [[...base, '--client-id', 'Bad Id'], /error: --client-id: must be 3-64 lower-case letters/],
      [
        [...base, '--client-id', 'cli-bad', '--invitation-url', 'https://bad.example/'],
        /error: --invitation-url: must contain CODE/,
      ],
      [
        [...base, '--client-id', 'cli-bad', '--invitation-url', 'javascript:x//CODE'],
        /error: --invitation-url: must be an absolute URL/,
      ],
      [
        ['create-client', '--name', 'Bad', '--client-id', 'cli-bad', '--redirect-uri', 'javascript:x'],
        /error: --redirect-uri #1: must be an absolute URL/,
      ],
      [
        [...base, '--client-id', 'cli-bad', '--data-source', 'ihealth'],
        /--data-source <id>.*must be a positive integer id/,
      ],
      [[...base, '--client-id', 'cli-bad', '--data-source', '79999'], /error: Data source 79999 not found/],
      [[...base, '--client-id', 'cli-bad', '--study', '39999'], /error: Study 39999 not found/],
      [[...base, '--client-id', 'carex'], /error: A client with id "carex" already exists/],
      [[...base, '--client-id', 'cli-app'], /error: A client with id "cli-app" already exists/],
      [
        ['create-client', '--name', 'Bad', '--client-id', 'cli-bad'],
        /required option '--redirect-uri <uri>' not specified/,
      ],
    ];
    for (const [args, message] of cases) {
      const answer = await cli(...args);
      expect(answer.code, args.join(' ')).not.toBe(0);
      expect(answer.out, args.join(' ')).toMatch(message);
    }
    // the study refused after the client was made: neither the record nor its OAuth client stays
    expect(await rows('select id from clients where oauth_client_id = ?', ['cli-bad'])).toEqual([]);
    expect(await rows("select id from oidc_payloads where model = 'Client' and id = ?", ['cli-bad'])).toEqual([]);
    const later = await cli(...base, '--client-id', 'cli-bad');
    expect(later.code, later.out).toBe(0);
  });
});
