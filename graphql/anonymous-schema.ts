import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, type DocumentNode, GraphQLError, visit } from 'graphql';
import type { GraphQLContext } from './context.js';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);
/** graphql-js' hint after an unknown field, argument, type or enum value: it names the schema's own */
const SUGGESTION = / Did you mean .*\?$/s;

function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (!INTROSPECTION_FIELDS.has(node.name.value)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

const isAnonymous = (context: GraphQLContext | undefined) => !context || context.viewer.userId === null;

/**
 * Production: a caller without a token learns nothing of the schema beyond the answers to its own queries. No
 * introspection (`__schema`, `__type`: 401 UNAUTHENTICATED), and no "Did you mean …?" in error messages, which
 * would name fields one by one. Signed-in callers keep both (their tools need the schema).
 */
export const anonymousSchemaPrivacy: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, contextValue }) {
        if (!isAnonymous(contextValue) || !asksForIntrospection(document)) return;
        throw new GraphQLError('Introspection needs an access token', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      },
      async willSendResponse({ response, contextValue }) {
        if (!isAnonymous(contextValue) || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        if (!result.errors) return;
        result.errors = result.errors.map((error) => ({ ...error, message: error.message.replace(SUGGESTION, '') }));
      },
    };
  },
};
