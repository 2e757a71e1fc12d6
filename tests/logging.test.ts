import { describe, expect, it } from 'vitest';
import { apolloLogger } from '../graphql/apollo-logger.js';
import { loadConfig } from '../src/config.js';
import { formatLine } from '../src/observability/compact-format.js';
import { createLogger, SECRET_KEYS } from '../src/observability/logger.js';
import { cappedLabel } from '../src/observability/metrics.js';

/** A logger at debug whose JSON lines land in the returned array. */
function capture() {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

describe('the redaction list', () => {
  it('censors every secret key at the top of a line, one level down and in headers', () => {
    const { log, lines } = capture();
    for (const key of SECRET_KEYS) {
      log.info({ [key]: `top-${key}`, nested: { [key]: `nested-${key}` }, req: { headers: { [key]: `h-${key}` } } });
    }
    log.info({ res: { headers: { 'set-cookie': 'session=set-cookie-value' } } });
    const text = lines.join('');
    expect(text).not.toMatch(/top-|nested-|h-|set-cookie-value/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      authorization: '[redacted]',
      nested: { authorization: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
    });
  });

  it('covers the credentials a sign-in or token exchange carries', () => {
    expect(SECRET_KEYS).toEqual(
      expect.arrayContaining([
        'authorization',
        'cookie',
        'password',
        'access_token',
        'refresh_token',
        'id_token',
        'client_secret',
        'code_verifier',
      ]),
    );
  });

  it('leaves what is not secret, such as an error’s SQLSTATE', () => {
    const { log, lines } = capture();
    log.error({ err: Object.assign(new Error('boom'), { code: '23505' }), userId: 10002 }, 'failed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ userId: 10002, err: { code: '23505', message: 'boom' } });
  });
});

describe('the readable format (LOG_FORMAT=pretty)', () => {
  it('writes time, level, process and message first, then the other fields, then an error below', () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-12-07T08:30:01.234Z',
      name: 'hxg',
      worker: 2,
      reqId: 'abc',
      route: '/fhir/r5/Patient/:id',
      msg: 'GET /fhir/r5/Patient/:id 500',
      err: {
        type: 'DriverException',
        code: '57P01',
        message: 'terminating connection',
        stack: 'Error\n    at f (x.js:1:1)',
      },
    });
    expect(formatLine(line)).toBe(
      '08:30:01.234 ERROR [hxg worker 2] GET /fhir/r5/Patient/:id 500 reqId=abc route=/fhir/r5/Patient/:id\n' +
        '  DriverException 57P01: terminating connection\n  at f (x.js:1:1)\n',
    );
  });
});

describe('LOG_LEVEL, LOG_FORMAT, METRICS_* configuration', () => {
  it('writes JSON by default, readable lines by default only in development on a terminal', () => {
    expect(loadConfig({}, { stdoutIsTTY: true }).logging).toEqual({ level: 'info', format: 'pretty' });
    expect(loadConfig({}, { stdoutIsTTY: false }).logging.format).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }, { stdoutIsTTY: false }).logging.format).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json', LOG_LEVEL: 'warn' }, { stdoutIsTTY: true }).logging).toEqual({
      level: 'warn',
      format: 'json',
    });
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info/);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be one of json, pretty, got "xml"/);
  });

  it('takes METRICS_PORT with an optional token, or a token alone for the main port of one process', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1', token: undefined });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', WEB_CONCURRENCY: '2' }).metrics).toEqual({
      port: 9464,
      host: '0.0.0.0',
      token: undefined,
    });
    expect(loadConfig({ METRICS_TOKEN: 'a-long-enough-token' }).metrics.token).toBe('a-long-enough-token');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/at least 16 characters/);
    expect(() => loadConfig({ METRICS_TOKEN: 'a-long-enough-token', WEB_CONCURRENCY: '2' })).toThrow(
      /with WEB_CONCURRENCY > 1 set METRICS_PORT/,
    );
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT must be an integer/);
  });

  it('takes SHUTDOWN_GRACE_MS and REQUEST_TIMEOUT_MS in milliseconds, bounded', () => {
    expect(loadConfig({}).timeouts).toMatchObject({ requestMs: 30_000, shutdownGraceMs: 10_000 });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '2500' }).timeouts.shutdownGraceMs).toBe(2500);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '0' })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});

describe('cappedLabel', () => {
  it('passes the first distinct names, then answers (other); long names are (other) at once', () => {
    const label = cappedLabel(2, 10);
    expect(['A', 'B', 'C', 'A', 'B', 'D'].map(label)).toEqual(['A', 'B', '(other)', 'A', 'B', '(other)']);
    expect(cappedLabel(5, 10)('x'.repeat(11))).toBe('(other)');
  });
});

describe('Apollo Server’s own lines', () => {
  it('keep an unexpected error’s prefix only: its message may hold SQL and values (the plugin logs the error)', () => {
    const { log, lines } = capture();
    const apollo = apolloLogger(log);
    apollo.error(`Unexpected error processing request: Error: insert into "x" values ('apollo-canary') - boom`);
    apollo.warn('A GraphQL operation was received during server shutdown.');
    expect(lines.map((line) => JSON.parse(line) as { level: string; msg: string })).toEqual([
      expect.objectContaining({ level: 'error', msg: 'Unexpected error processing request:' }),
      expect.objectContaining({ level: 'warn', msg: 'A GraphQL operation was received during server shutdown.' }),
    ]);
    expect(lines.join('')).not.toContain('apollo-canary');
  });
});
