import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError } from 'graphql';
import { logger } from '../src/observability/logger.js';
import type { GraphQLContext } from './context.js';
import { formatError, INTERNAL_SERVER_ERROR } from './errors.js';

/**
 * Logs the errors that `formatError` masks as internal (anything but domain, validation, limit and timeout
 * errors), with the request's id. A database error is logged as its code and message, without the statement
 * or its values (src/observability/error-serializer.ts).
 */
export function logUnexpectedErrors(errors: readonly GraphQLError[], context: GraphQLContext | undefined): void {
  for (const error of errors) {
    if (formatError(error.toJSON(), error).extensions?.code !== INTERNAL_SERVER_ERROR) continue;
    const log = context?.request ? logger().child({ reqId: context.request.id }) : logger();
    log.error({ err: unwrapResolverError(error), path: error.path?.join('.') }, 'GraphQL error');
  }
}
