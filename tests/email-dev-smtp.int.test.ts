import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/app.js';
import { createTestDatabase } from './support/database.js';
import { freePort, type ServerProcess, startServer } from './support/server-process.js';
import { portalSignIn } from './support/tokens.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-dev-smtp-test-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const post = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

describe('npm start in development without SMTP_URL', () => {
  it('runs its own SMTP server, which every worker mails to, and logs each message with its links', async () => {
    const db = await createTestDatabase('seeded');
    let server: ServerProcess | undefined;
    try {
      const port = String(await freePort());
      const baseUrl = `http://localhost:${port}`;
      server = startServer(
        { DATABASE_URL: db.url, PORT: port, SEED: 'none', DATA_DIR: dataDir, WEB_CONCURRENCY: '2' },
        { unset: ['SMTP_URL', 'NODE_ENV'] },
      );
      expect(await server.waitFor(/development SMTP server on smtp:\/\/127\.0\.0\.1:\d+/)).toBeTruthy();
      await server.waitFor(/"worker":2,[^\n]*"msg":"listening on/);
      await server.waitFor(/"worker":1,[^\n]*"msg":"listening on/);
      const created = await post(`${baseUrl}/o/signup`, {
        inviteCode: 'jhe',
        firstName: 'Dev',
        lastName: 'Eloper',
        email: 'dev@example.org',
        password: 'Secret123',
      });
      expect(created.status).toBe(201);
      const line = await server.waitFor(/\{[^\n]*"msg":"development mail captured"[^\n]*\}/);
      const captured = JSON.parse(line) as { mailTo: string[]; links: string[] };
      expect(captured.mailTo).toEqual(['dev@example.org']);
      const link = captured.links.find((l) => l.startsWith(`${baseUrl}/o/verify?token=`))!;
      const token = new URL(link).searchParams.get('token')!;
      expect((await post(`${baseUrl}/o/verify`, { token })).status).toBe(200);
      const tokens = await portalSignIn({ baseUrl } as TestApp, 'dev@example.org', { password: 'Secret123' });
      expect(tokens).toHaveProperty('access_token');
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      server?.child.kill('SIGKILL');
      await db.drop();
    }
  }, 120_000);
});
