import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import * as oidc from 'openid-client';

/** The first-party public client that may run the device flow (the notebooks'). */
const DEVICE_CLIENT_ID = 'notebook';
const DEFAULT_SCOPE = 'openid offline_access user/*.rs';

export interface StdioOptions {
  /** the gateway, e.g. https://hxg.example.org */
  url: string;
  /** an access token (HXG_TOKEN); without one, the device flow signs in */
  token?: string;
  scope?: string;
  /** where the device flow's instructions go: never stdout, which carries the protocol */
  say(line: string): void;
}

/** Access and refresh token, renewed once when the gateway answers 401. */
interface Session {
  access: string;
  refresh(): Promise<boolean>;
}

async function deviceSignIn(opts: StdioOptions): Promise<Session> {
  const allowHttp = new URL(opts.url).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
  const config = await oidc.discovery(new URL(`${opts.url}/o`), DEVICE_CLIENT_ID, undefined, oidc.None(), allowHttp);
  const device = await oidc.initiateDeviceAuthorization(config, { scope: opts.scope ?? DEFAULT_SCOPE });
  opts.say(`To sign in, open ${device.verification_uri_complete ?? device.verification_uri}`);
  opts.say(`and enter the code ${device.user_code} (valid for ${Math.round(device.expires_in / 60)} minutes).`);
  let tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
  opts.say(`Signed in (scope: ${tokens.scope ?? ''}).`);
  const session: Session = {
    access: tokens.access_token,
    async refresh() {
      if (!tokens.refresh_token) return false;
      tokens = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      session.access = tokens.access_token;
      return true;
    },
  };
  return session;
}

/** fetch with the session's bearer token, renewing it once on a 401. */
function authorizedFetch(session: Session): typeof fetch {
  const send = (input: string | URL | Request, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${session.access}`);
    return fetch(input, { ...init, headers });
  };
  return async (input, init) => {
    const response = await send(input, init);
    if (response.status !== 401 || !(await session.refresh().catch(() => false))) return response;
    return send(input, init);
  };
}

/**
 * `hxg mcp`: the gateway's MCP server for desktop clients that start servers as local processes (stdio). It
 * holds no tools of its own: every request goes to the gateway's /mcp with the user's token, so that the gateway
 * runs the tools as that user and records them in its audit trail, exactly as for agents that connect over HTTP.
 */
export async function runStdioServer(opts: StdioOptions): Promise<void> {
  const session: Session = opts.token ? { access: opts.token, refresh: async () => false } : await deviceSignIn(opts);
  const remote = new Client({ name: 'hxg-mcp-stdio', version: '0.1.0' });
  await remote.connect(
    new StreamableHTTPClientTransport(new URL(`${opts.url}/mcp`), { fetch: authorizedFetch(session) }),
  );
  const info = remote.getServerVersion() ?? { name: 'health-exchange-gateway', version: '0.1.0' };
  const local = new Server(info, {
    capabilities: { tools: {}, resources: {}, prompts: {} },
    ...(remote.getInstructions() ? { instructions: remote.getInstructions() } : {}),
  });
  local.setRequestHandler(ListToolsRequestSchema, (request) => remote.listTools(request.params));
  local.setRequestHandler(CallToolRequestSchema, (request) => remote.callTool(request.params));
  local.setRequestHandler(ListResourcesRequestSchema, (request) => remote.listResources(request.params));
  local.setRequestHandler(ListResourceTemplatesRequestSchema, (request) =>
    remote.listResourceTemplates(request.params),
  );
  local.setRequestHandler(ReadResourceRequestSchema, (request) => remote.readResource(request.params));
  local.setRequestHandler(ListPromptsRequestSchema, (request) => remote.listPrompts(request.params));
  local.setRequestHandler(GetPromptRequestSchema, (request) => remote.getPrompt(request.params));
  local.onclose = () => void remote.close();
  await local.connect(new StdioServerTransport());
}
