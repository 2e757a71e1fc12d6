import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

import { type DocumentLimits, measureDocument } from './document-limits.js';

/** What bounds a GraphQL request before it runs: the document (document-limits.ts), its depth and its cost. */
export interface QueryLimits extends DocumentLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * graphql-depth-limit's rule, for documents it can measure: it follows fragment spreads without a guard, so a
 * fragment cycle overflows its stack and an unknown fragment makes it throw (a 500). graphql's own rules
 * (NoFragmentCycles, KnownFragmentNames) refuse those documents in the same validation pass.
 */
export function depthRule(limits: QueryLimits): ValidationRule {
  const rule = depthLimit(limits.maxDepth) as ValidationRule;
  return (context) => {
    const size = measureDocument(context.getDocument());
    return size.cycle === undefined && size.unknownFragment === undefined ? rule(context) : {};
  };
}

/**
 * Refuses operations whose estimated cost (fields × the page sizes they ask for) exceeds the limit,
 * before anything runs. Connection fields declare their cost from `first` in their field extensions.
 */
export function complexityPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // variables that do not fit their types: the same answer GraphQL execution would give
            const message = error instanceof Error ? error.message : 'Invalid variables';
            throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          if (complexity > limits.maxComplexity) {
            throw new GraphQLError(
              `Query is too complex: cost ${complexity} exceeds the limit of ${limits.maxComplexity}; ask for fewer fields or smaller pages`,
              { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
