import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import { authenticatedContext, type FaceDependencies, type GraphQLContext } from '../graphql/context.js';
import { executeOperation } from '../graphql/execute.js';
import { bearerChallenge } from '../src/auth/bearer-challenge.js';
import { DEFAULT_REGISTERED_SCOPE } from '../src/auth/registration-policy.js';
import { DATABASE_TIMEOUT_MESSAGE, isDatabaseTimeout } from '../src/db/statement-timeout.js';
import { DomainError, UnavailableError } from '../src/errors.js';
import { answerTimeoutsWith, RETRY_AFTER_SECONDS } from '../src/http/timeout.js';
import { requestLog } from '../src/observability/logger.js';
import { auditArgs, namedIds } from './audit-args.js';
import { createMcpServer, type ToolCall } from './server.js';
import { type RunOperation, ToolError } from './tool.js';

export const MCP_PATH = '/mcp';
const MAX_BODY = '256kb';

export interface McpRouterDependencies extends FaceDependencies {
  schema: GraphQLSchema;
}

/** JSON-RPC's error codes the transport answers with before any tool runs */
const RPC_INVALID_REQUEST = -32600;
const RPC_PARSE_ERROR = -32700;
const RPC_INTERNAL_ERROR = -32603;

const rpcError = (res: Response, status: number, code: number, message: string) =>
  void res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });

/**
 * `/mcp`: the Model Context Protocol over streamable HTTP, stateless (each POST is answered on its own, as JSON),
 * so that any instance answers any request. The bearer token's viewer runs every tool as GraphQL operations
 * (mcp/tools), so the one policy decides what an agent sees; nothing here reads the database or decides access.
 */
export function createMcpRouter(deps: McpRouterDependencies): Router {
  const router = Router();
  router.use(
    MCP_PATH,
    answerTimeoutsWith((res, message) => rpcError(res, 503, RPC_INTERNAL_ERROR, message)),
  );
  router.post(MCP_PATH, refuseForeignOrigins(deps), authenticate(deps), express.json({ limit: MAX_BODY }), serve(deps));
  // stateless: no server-to-client stream to open (GET) and no session to end (DELETE)
  router.all(MCP_PATH, (_req, res) => {
    res.set('allow', 'POST');
    rpcError(res, 405, RPC_INVALID_REQUEST, 'Method not allowed: this server answers POST only (stateless)');
  });
  router.use(MCP_PATH, (error: unknown, req: Request, res: Response, _next: NextFunction) =>
    answerError(error, req, res, deps),
  );
  return router;
}

/**
 * Browsers may call /mcp only from the origins CORS_ORIGINS allows (DNS rebinding: a page that reaches a local
 * gateway under another name); clients outside a browser send no Origin.
 */
function refuseForeignOrigins(deps: McpRouterDependencies) {
  const allowed = new Set([new URL(deps.config.publicUrl).origin, ...deps.config.corsOrigins]);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin !== undefined && !allowed.has(origin))
      return rpcError(res, 403, RPC_INVALID_REQUEST, 'Origin not allowed');
    next();
  };
}

function authenticate(deps: McpRouterDependencies) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.context = await authenticatedContext(req, deps, 'mcp');
    next();
  };
}

function serve(deps: McpRouterDependencies) {
  return async (req: Request, res: Response) => {
    const context = res.locals.context as GraphQLContext;
    const server = createMcpServer({
      graphql: runAs(deps.schema, context),
      onToolCall: (call) => recordCall(call, context, deps, req),
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };
}

/** Runs GraphQL operations as the request's viewer; the first error becomes the tool's error. */
function runAs(schema: GraphQLSchema, context: GraphQLContext): RunOperation {
  return async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const { data, error } = await executeOperation<T>(schema, context, query, variables);
    if (error) throw new ToolError(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), error.message);
    return data;
  };
}

/** The tool call's own event in the audit trail, beside the events of the GraphQL fields it ran. */
function recordCall(call: ToolCall, context: GraphQLContext, deps: McpRouterDependencies, req: Request) {
  if (call.unexpected) requestLog(req).error({ err: call.unexpected, tool: call.tool.name }, 'MCP tool failed');
  context.audit.recordCall(
    `mcp.${call.tool.name}`,
    { resourceType: call.tool.resourceType, action: call.tool.action },
    { params: auditArgs(call.args, deps.config.audit.hashKey), ...namedIds(call.args), rowCount: call.rows },
    call.errorCode,
  );
  context.audit.commit();
}

function answerError(error: unknown, req: Request, res: Response, deps: McpRouterDependencies) {
  const type = (error as { type?: string }).type;
  if (type === 'entity.parse.failed') return rpcError(res, 400, RPC_PARSE_ERROR, 'Parse error: the body is not JSON');
  if (type === 'entity.too.large') {
    return rpcError(res, 413, RPC_INVALID_REQUEST, `The request body is larger than ${MAX_BODY}`);
  }
  if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
    // the scope to ask for: MCP clients register and sign in with it (SEP-835), and a client that registers
    // itself may hold read scopes only
    const invalid = req.get('authorization') ? { error: 'invalid_token' as const, description: error.message } : {};
    res.set(
      'www-authenticate',
      bearerChallenge(deps.config.publicUrl, { ...invalid, scope: DEFAULT_REGISTERED_SCOPE }),
    );
    return rpcError(res, 401, RPC_INVALID_REQUEST, error.message);
  }
  if (isDatabaseTimeout(error)) {
    res.set('retry-after', String(RETRY_AFTER_SECONDS));
    return rpcError(res, 503, RPC_INTERNAL_ERROR, DATABASE_TIMEOUT_MESSAGE);
  }
  if (error instanceof UnavailableError) {
    res.set('retry-after', String(RETRY_AFTER_SECONDS));
    return rpcError(res, 503, RPC_INTERNAL_ERROR, error.message);
  }
  requestLog(req).error({ err: error }, 'MCP face error');
  rpcError(res, 500, RPC_INTERNAL_ERROR, 'Internal server error');
}
