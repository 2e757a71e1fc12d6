import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { TestApp } from './app.js';

/** The MCP SDK's own client on the gateway's /mcp, with a bearer token (and any other headers). */
export async function mcpClient(app: TestApp, token: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'hxg-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } },
  });
  await client.connect(transport);
  return client;
}

/** A tool's answer: its structured result, or its error's text (`CODE: message`). */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  return { error: result.isError ? text : null, data: result.structuredContent as any };
}
