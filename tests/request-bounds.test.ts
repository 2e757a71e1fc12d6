import type { AddressInfo } from 'node:net';
import { DriverException } from '@mikro-orm/core';
import express from 'express';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePage } from '../fhir-facade/search-params.js';
import { loadConfig } from '../src/config.js';
import { isDatabaseTimeout, statementTimeoutOptions } from '../src/db/statement-timeout.js';
import { createHttpServer } from '../src/http/http-server.js';
import { requestObservation } from '../src/http/request-logging.js';
import { answerTimeoutsWith, requestTimeout } from '../src/http/timeout.js';
import { logger } from '../src/observability/logger.js';
import { collectLogs } from './support/logs.js';

describe('parsePage', () => {
  it('bounds the rows a page walks past: (page − 1) × _count ≤ FHIR_MAX_PAGE_SKIP', () => {
    expect(parsePage(undefined, 100, 10_000)).toBe(1);
    expect(parsePage('101', 100, 10_000)).toBe(101);
    expect(() => parsePage('102', 100, 10_000)).toThrow(
      /would pass 10100 matches.*at most 10000 \(FHIR_MAX_PAGE_SKIP\)/,
    );
    expect(() => parsePage('11', 1000, 10_000)).not.toThrow();
    expect(() => parsePage('12', 1000, 10_000)).toThrow(/next" link/);
    expect(parsePage('999999999', 0, 10_000)).toBe(999_999_999); // _summary=count: nothing to walk
    expect(() => parsePage('2', 1, 0)).toThrow(/FHIR_MAX_PAGE_SKIP/);
  });

  it('takes positive integers only', () => {
    for (const bad of ['0', '-1', '1.5', '1e3', '0x10', ' 2', '1000000000', ''])
      expect(() => parsePage(bad, 10, 10_000), bad).toThrow(/_page must be a positive integer/);
  });
});

describe('isDatabaseTimeout', () => {
  const cancelled = () => Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

  it('recognizes a cancelled statement as pg, MikroORM and GraphQL hand it on', () => {
    expect(isDatabaseTimeout(cancelled())).toBe(true);
    expect(isDatabaseTimeout(new DriverException(cancelled()))).toBe(true);
    const inResolver = new GraphQLError('x', { originalError: new DriverException(cancelled()) });
    expect(isDatabaseTimeout(inResolver)).toBe(true);
    expect(isDatabaseTimeout(new Error('wrapped', { cause: cancelled() }))).toBe(true);
  });

  it('recognizes a pool without a free connection, and nothing else', () => {
    const pool = new Error('Knex: Timeout acquiring a connection. The pool is probably full.');
    expect(isDatabaseTimeout(new DriverException(pool))).toBe(true);
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(isDatabaseTimeout(new DriverException(unique))).toBe(false);
    expect(isDatabaseTimeout(new Error('boom'))).toBe(false);
    expect(isDatabaseTimeout(undefined)).toBe(false);
  });

  it('are set on the serving pool’s connections (pg sends statement_timeout when it connects)', () => {
    expect(statementTimeoutOptions(15_000).driverOptions).toEqual({
      connection: { statement_timeout: 15_000 },
      acquireConnectionTimeout: 15_000,
    });
  });
});

describe('limits in the configuration', () => {
  it('has defaults', () => {
    const config = loadConfig({});
    expect(config.timeouts).toEqual({ requestMs: 30_000, statementMs: 15_000, shutdownGraceMs: 10_000 });
    expect(config.fhir).toEqual({ maxPageSkip: 10_000 });
    expect(config.graphql).toEqual({
      maxDepth: 12,
      maxComplexity: 100_000,
      maxTokens: 5000,
      maxFields: 1000,
      maxAliases: 30,
    });
  });

  it('reads them, and refuses timeouts that are off or absurd', () => {
    const config = loadConfig({
      REQUEST_TIMEOUT_MS: '5000',
      DB_STATEMENT_TIMEOUT_MS: '2000',
      GRAPHQL_MAX_ALIASES: '0',
    });
    expect(config.timeouts).toEqual({ requestMs: 5000, statementMs: 2000, shutdownGraceMs: 10_000 });
    expect(config.graphql.maxAliases).toBe(0);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '0' })).toThrow(
      /REQUEST_TIMEOUT_MS must be an integer from 1 to 600000/,
    );
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0' })).toThrow(/from 1 to 600000/);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '1h' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ GRAPHQL_MAX_TOKENS: '0' })).toThrow(/GRAPHQL_MAX_TOKENS must be an integer from 1/);
    expect(() => loadConfig({ FHIR_MAX_PAGE_SKIP: '100001' })).toThrow(/FHIR_MAX_PAGE_SKIP/);
  });

  it('bounds slow clients on the HTTP server', () => {
    const server = createHttpServer(() => {}, { requestMs: 30_000 });
    expect([server.requestTimeout, server.headersTimeout]).toEqual([30_000, 10_000]);
    const quick = createHttpServer(() => {}, { requestMs: 2000 });
    expect([quick.requestTimeout, quick.headersTimeout]).toEqual([2000, 2000]);
  });
});

describe('requestTimeout', () => {
  afterEach(() => vi.restoreAllMocks());

  /** An app whose one route answers when the test says so; `answered` resolves when it has tried. */
  async function slowApp(limitMs: number) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let answered!: (error?: unknown) => void;
    const tried = new Promise<unknown>((resolve) => (answered = resolve));
    const app = express();
    app.use(requestObservation(logger()));
    app.use(requestTimeout(limitMs));
    app.use(
      '/api',
      answerTimeoutsWith((res, message) => res.json({ timeout: message })),
    );
    app.get('/api/slow', async (_req, res) => {
      await released;
      try {
        res.status(200).set('x-late', '1').json({ late: true });
        answered();
      } catch (error) {
        answered(error);
      }
    });
    app.get('/quick', (_req, res) => res.send('quick'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, release, tried, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('answers 503 in the API’s format, and drops the late answer with one warning', async () => {
    const logs = collectLogs();
    const app = await slowApp(50);
    try {
      const response = await fetch(`${app.base}/api/slow`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toEqual({
        timeout: 'The request was not answered within 50 ms (REQUEST_TIMEOUT_MS): ask for less or try again later',
      });
      app.release();
      expect(await app.tried).toBeUndefined(); // no ERR_HTTP_HEADERS_SENT
      expect(logs.lines.filter((line) => line.level === 'warn')).toEqual([
        expect.objectContaining({
          method: 'GET',
          route: '/api/slow',
          reqId: expect.any(String),
          msg: 'answered after the request timeout (50 ms); answer dropped',
        }),
      ]);
    } finally {
      await app.close();
    }
  });

  it('leaves requests answered in time alone', async () => {
    const app = await slowApp(200);
    try {
      expect(await (await fetch(`${app.base}/quick`)).text()).toBe('quick');
      expect((await fetch(`${app.base}/nowhere`)).status).toBe(404);
    } finally {
      app.release();
      await app.close();
    }
  });
});
