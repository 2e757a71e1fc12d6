import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/** Typed documents checked against graphql/schema.graphql: a breaking schema change fails the client build. */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: { DateTimeISO: string; JSONObject: Record<string, unknown>; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
