import type { z } from 'zod';
import type { AuditAction } from '../src/audit/event.js';

/** Runs one GraphQL operation as the caller; a GraphQL error comes back as a ToolError. */
export type RunOperation = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** What a tool answers: its structured result, and how many rows of patient data it holds (for the audit). */
export interface ToolAnswer {
  result: Record<string, unknown>;
  rows: number | null;
}

/**
 * One MCP tool: its input and output as zod shapes (the SDK turns them into JSON Schema and checks both), what
 * it reads for the audit trail, and a body that only runs GraphQL operations.
 */
export interface ToolDefinition<Input extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output: z.ZodRawShape;
  resourceType: string;
  action: AuditAction;
  run(args: z.infer<z.ZodObject<Input>>, graphql: RunOperation): Promise<ToolAnswer>;
}

/** Keeps `run`'s argument typed by the tool's own input shape. */
export const defineTool = <Input extends z.ZodRawShape>(tool: ToolDefinition<Input>) =>
  tool as unknown as ToolDefinition;

/** A GraphQL error as a tool's error: its code (NOT_FOUND, FORBIDDEN, BAD_USER_INPUT, …) and message. */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
