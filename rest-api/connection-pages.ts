import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { RestError } from './errors.js';
import { runGraphQL } from './execute.js';
import { type Connection, type Page, pageRequest, paginate } from './paging.js';
import type { RestCall } from './route.js';

/**
 * One DRF page of a GraphQL connection: `query` takes `$first`, `$after` and `$nodes` (false while walking to an
 * offset: only `pageInfo` is read then) besides `variables`, and answers the connection as `data[field]`.
 */
export async function connectionPage<T, R>(
  call: Pick<RestCall, 'schema' | 'context' | 'query' | 'url' | 'config'>,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  toResult: (node: T) => R,
): Promise<Page<R>> {
  const read = (schema: GraphQLSchema, context: GraphQLContext, first: number, after: string | null, nodes: boolean) =>
    runGraphQL<Record<string, Connection<T>>>(schema, context, query, { ...variables, first, after, nodes }).catch(
      (error: unknown) => {
        // the keyset cursor is GraphQL's `after`; here it came as `cursor`
        if (error instanceof RestError && error.message.startsWith('after:')) {
          throw new RestError(400, `cursor:${error.message.slice('after:'.length)}`);
        }
        throw error;
      },
    );
  return paginate(
    call.url,
    pageRequest(call.query, call.config.fhir.maxPageSkip),
    async (first, after, nodes) => (await read(call.schema, call.context, first, after, nodes))[field]!,
    toResult,
  );
}
