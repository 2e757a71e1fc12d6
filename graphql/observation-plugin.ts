import type { ApolloServerPlugin } from '@apollo/server';
import { logger } from '../src/observability/logger.js';
import { cappedLabel, graphqlOperations } from '../src/observability/metrics.js';
import type { GraphQLContext } from './context.js';
import { logUnexpectedErrors } from './error-log.js';

/** distinct operation names counted by name; more, or longer than 64 characters, are `(other)` */
const MAX_OPERATION_NAMES = 200;

/**
 * Counts each /graphql operation by name (`(anonymous)` without one, `(invalid)` when the document did not
 * parse or validate) and type, and logs the errors that the answer masks, with the request's id (and those
 * thrown outside execution, which Apollo answers 500 and logs without detail: apollo-logger.ts).
 */
export function observationPlugin(): ApolloServerPlugin<GraphQLContext> {
  const operationLabel = cappedLabel(MAX_OPERATION_NAMES);
  return {
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      const id = requestContext.contextValue?.request?.id;
      (id ? logger().child({ reqId: id }) : logger()).error({ err: error }, 'GraphQL request failed');
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          logUnexpectedErrors(errors, contextValue);
        },
        async willSendResponse({ operation, operationName, response }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          graphqlOperations.inc({
            operation: operation ? (operationName ? operationLabel(operationName) : '(anonymous)') : '(invalid)',
            type: operation?.operation ?? 'unknown',
            outcome: body.errors?.length ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
