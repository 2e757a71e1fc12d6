import { type DocumentNode, execute, type GraphQLSchema, parse } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { fromGraphQLError } from './outcome.js';

const documents = new Map<string, DocumentNode>();

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
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    documents.set(query, document);
  }
  const result = await execute({ schema, document, contextValue: context, variableValues: variables });
  const [error] = result.errors ?? [];
  // the same mapping /graphql applies: domain errors get their codes, anything unexpected is masked
  if (error) throw fromGraphQLError(formatError(error.toJSON(), error));
  return result.data as T;
}
