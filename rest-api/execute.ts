import type { GraphQLSchema } from 'graphql';
import type { RestCall } from './route.js';
import type { GraphQLContext } from '../graphql/context.js';
import { executeOperation } from '../graphql/execute.js';
import { fromGraphQLError } from './errors.js';

/** Runs one of the REST face's operations as the request's viewer; its first error becomes the REST error. */
export async function runGraphQL<T>(
  schema: GraphQLSchema,
  context: GraphQLContext,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const { data, error } = await executeOperation<T>(schema, context, query, variables);
  if (error) throw fromGraphQLError(error);
  return data;
}

/** The handler of a `DELETE /things/:id` route: runs `mutation` with the path's id, answers no content. */
export const deleteByPathId =
  (mutation: string) =>
  async ({ schema, context, params }: RestCall): Promise<undefined> => {
    await runGraphQL(schema, context, mutation, { id: params.id });
    return undefined;
  };
