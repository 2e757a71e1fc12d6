import { type GraphQLSchema, parse } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { GraphQLContext } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { fromGraphQLError } from './outcome.js';

const compiledBySchema = new WeakMap<GraphQLSchema, Map<string, CompiledQuery>>();

/**
 * The facade's few fixed operations, compiled once per schema by graphql-jit: the same resolvers, shield
 * rules and loaders run, without graphql-js re-walking a 1000-node selection set field by field.
 */
function compiled(schema: GraphQLSchema, query: string): CompiledQuery {
  let queries = compiledBySchema.get(schema);
  if (!queries) compiledBySchema.set(schema, (queries = new Map()));
  let operation = queries.get(query);
  if (!operation) {
    const result = compileQuery(schema, parse(query));
    if (!isCompiledQuery(result)) throw new Error(`facade query does not compile: ${result.errors?.[0]?.message}`);
    operation = result;
    queries.set(query, operation);
  }
  return operation;
}

/**
 * Runs a GraphQL operation against the gateway's own schema, as the request's viewer, so graphql-shield and
 * the services decide access exactly as for /graphql. The first error becomes the FHIR error.
 */
export async function runGraphQL<T>(
  schema: GraphQLSchema,
  context: GraphQLContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const result = await compiled(schema, query).query(undefined, context, variables);
  const [error] = result.errors ?? [];
  // the same mapping /graphql applies: domain errors get their codes, anything unexpected is masked
  if (error) throw fromGraphQLError(formatError(error.toJSON(), error));
  return result.data as T;
}
