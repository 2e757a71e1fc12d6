import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { approveDevice } from './support/device.js';
import { callTool } from './support/mcp.js';
import { tokenFor } from './support/tokens.js';

/**
 * `hxg mcp` (the built CLI, `npm run build:server`) as a desktop client starts it: a process speaking MCP on
 * stdio, forwarding to the gateway's /mcp as the user, with a token from HXG_TOKEN or from the device flow.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const stdioServer = (env: Record<string, string>) =>
  new StdioClientTransport({
    command: process.execPath,
    args: ['dist/cli.js', 'mcp', '--url', app.baseUrl],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });

describe('hxg mcp (stdio)', () => {
  it('serves the gateway’s tools as the token’s user, and only what that user may see', async () => {
    const client = new Client({ name: 'desktop', version: '1' });
    await client.connect(stdioServer({ HXG_TOKEN: await tokenFor(app, 'mark@example.com') }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('summarize_observations');
      const studies = await callTool(client, 'list_studies');
      expect(studies.data.studies.map((s: any) => s.id)).toEqual(['30003', '30004']);
      expect((await callTool(client, 'get_patient', { patientId: '40001' })).error).toMatch(/^NOT_FOUND: /);
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('patient_overview');
    } finally {
      await client.close();
    }
    // the gateway recorded the calls, as the MCP face
    await app.audit.flush();
    const [row] = await app.db.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        `select count(*) as n from audit_events where face = 'mcp' and user_id = 10006 and operation = 'mcp.list_studies'`,
      );
    expect(Number(row!.n)).toBe(1);
  });

  it('signs in with the device flow when there is no token, saying how on stderr', async () => {
    const transport = stdioServer({});
    const client = new Client({ name: 'desktop', version: '1' });
    const connected = client.connect(transport);
    const lines = createInterface({ input: transport.stderr as unknown as NodeJS.ReadableStream });
    let verificationUrl = '';
    let userCode = '';
    for await (const line of lines) {
      verificationUrl ||= /open (\S+)/.exec(line)?.[1] ?? '';
      userCode ||= /enter the code (\S+)/.exec(line)?.[1] ?? '';
      if (verificationUrl && userCode) break;
    }
    expect(verificationUrl).toMatch(new RegExp(`^${app.baseUrl}/o/device`));
    const approved = await approveDevice(verificationUrl, userCode, 'megan@example.com');
    expect(approved.status).toBe(200);
    await connected;
    try {
      const studies = await callTool(client, 'list_studies');
      expect(studies.data.studies.map((s: any) => s.id)).toEqual(['30001', '30002']);
    } finally {
      await client.close();
    }
  });

  it('refuses to start with a bad token, saying why', async () => {
    const transport = stdioServer({ HXG_TOKEN: 'not-a-token' });
    const client = new Client({ name: 'desktop', version: '1' });
    const stderr: string[] = [];
    transport.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    await expect(client.connect(transport)).rejects.toThrow();
    expect(stderr.join('')).toMatch(/401|invalid|token/i);
  });
});
