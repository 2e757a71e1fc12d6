import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { registerPrompts } from './prompts.js';
import { type RunOperation, type ToolDefinition, ToolError } from './tool.js';
import {
  getObservations,
  countObservations,
  getPatientDateRange,
  summarizeObservations,
} from './tools/observations.js';
import { getStudy, listOrganizations, listStudies } from './tools/organizations.js';
import { getPatient, getPatientConsents, listStudyPatients, searchPatients } from './tools/patients.js';
import { getOmhSchema, OMH_SCHEMA, OMH_SCHEMAS } from './tools/schemas.js';

export const TOOLS: readonly ToolDefinition[] = [
  listOrganizations,
  listStudies,
  getStudy,
  listStudyPatients,
  searchPatients,
  getPatient,
  getPatientConsents,
  getPatientDateRange,
  countObservations,
  summarizeObservations,
  getObservations,
  getOmhSchema,
];

/** One tool call as the audit trail records it. */
export interface ToolCall {
  tool: ToolDefinition;
  args: Record<string, unknown>;
  rows: number | null;
  errorCode: string | null;
  /** a failure that is no GraphQL error: a bug of the face, for the log */
  unexpected?: unknown;
}

export interface McpDependencies {
  /** runs a GraphQL operation as the caller */
  graphql: RunOperation;
  /** called once per tool call, when it is done */
  onToolCall(call: ToolCall): void;
}

const INSTRUCTIONS = `Health Exchange Gateway: patient-consented device data (Open mHealth) of research studies.
Everything you see is what the signed-in user may see: their organizations' studies, and only the data each patient consented to share.
Start with list_studies or list_organizations; summarize_observations and count_observations answer most questions without loading rows; get_observations pages the values themselves.
Ids are strings such as "30001". Times are UTC.`;

const errorResult = (error: unknown): CallToolResult => {
  const text =
    error instanceof ToolError ? `${error.code}: ${error.message}` : 'INTERNAL_SERVER_ERROR: the tool failed';
  return { isError: true, content: [{ type: 'text', text }] };
};

/**
 * The gateway's MCP server for one caller: each tool runs GraphQL operations as that caller, so roles, consents
 * and token scopes decide what an agent sees, as for a person. Built per request (the transport is stateless).
 */
export function createMcpServer(deps: McpDependencies): McpServer {
  const server = new McpServer(
    { name: 'health-exchange-gateway', title: 'Health Exchange Gateway', version: '0.1.0' },
    { instructions: INSTRUCTIONS },
  );
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          const { result, rows } = await tool.run(args, deps.graphql);
          deps.onToolCall({ tool, args, rows, errorCode: null });
          return { structuredContent: result, content: [{ type: 'text', text: JSON.stringify(result) }] };
        } catch (error) {
          if (error instanceof ToolError) deps.onToolCall({ tool, args, rows: null, errorCode: error.code });
          else deps.onToolCall({ tool, args, rows: null, errorCode: 'INTERNAL_SERVER_ERROR', unexpected: error });
          return errorResult(error);
        }
      },
    );
  }
  registerSchemaResources(server, deps.graphql);
  registerPrompts(server);
  return server;
}

/** `omh://schema/<name>`: the Open mHealth schemas the gateway validates against, as JSON. */
function registerSchemaResources(server: McpServer, graphql: RunOperation) {
  type Listed = { omhSchemas: { name: string; namespace: string; version: string }[] };
  server.registerResource(
    'omh-schema',
    new ResourceTemplate('omh://schema/{name}', {
      list: async () => ({
        resources: (await graphql<Listed>(OMH_SCHEMAS)).omhSchemas.map((s) => ({
          uri: `omh://schema/${s.name}`,
          name: s.name,
          mimeType: 'application/schema+json',
        })),
      }),
    }),
    {
      title: 'Open mHealth schema',
      description: 'an Open mHealth measure schema',
      mimeType: 'application/schema+json',
    },
    async (uri, { name }) => {
      const { omhSchema } = await graphql<{ omhSchema: { schema: unknown } }>(OMH_SCHEMA, {
        name: decodeURIComponent(String(name)),
      });
      return {
        contents: [{ uri: uri.href, mimeType: 'application/schema+json', text: JSON.stringify(omhSchema.schema) }],
      };
    },
  );
}
