import { type GraphQLFormattedError, type GraphQLSchema, parse } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { GraphQLContext } from './context.js';
import { logUnexpectedErrors } from './error-log.js';
import { formatError } from './errors.js';
import { variablesError } from './input-strings.js';

const compiledBySchema = new WeakMap<GraphQLSchema, Map<string, CompiledQuery>>();

/**
 * The faces' fixed operations (FHIR, REST), compiled once per schema by graphql-jit: the same resolvers, shield
 * rules and loaders run as for /graphql, without graphql-js re-walking a 1000-node selection set field by field.
 */
function compiled(schema: GraphQLSchema, query: string): CompiledQuery {
  let queries = compiledBySchema.get(schema);
  if (!queries) compiledBySchema.set(schema, (queries = new Map()));
  let operation = queries.get(query);
  if (!operation) {
    const result = compileQuery(schema, parse(query));
    if (!isCompiledQuery(result)) throw new Error(`face query does not compile: ${result.errors?.[0]?.message}`);
    operation = result;
    queries.set(query, operation);
  }
  return operation;
}

/**
 * Runs one of a face's operations against the gateway's own schema, as the request's viewer, so graphql-shield
 * and the services decide access exactly as for /graphql. Errors come formatted as /graphql formats them (domain
 * errors with their codes, anything unexpected masked); the face maps the first one to its own format. The
 * operation's audit events go to the trail once it is done.
 */
export async function executeOperation<T>(
  schema: GraphQLSchema,
  context: GraphQLContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: T; error?: GraphQLFormattedError }> {
  // the faces refuse such values first, in their own formats; this is the line behind them
  const refused = variablesError(variables);
  if (refused) return { data: undefined as T, error: formatError(refused.toJSON(), refused) };
  const result = await compiled(schema, query).query(undefined, context, variables);
  context.audit.commit();
  const [error] = result.errors ?? [];
  if (error) logUnexpectedErrors([error], context);
  return { data: result.data as T, error: error ? formatError(error.toJSON(), error) : undefined };
}
