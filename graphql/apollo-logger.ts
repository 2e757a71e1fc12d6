import type { ApolloServerOptions } from '@apollo/server';
import type { Logger } from '../src/observability/logger.js';

type ApolloLogger = NonNullable<ApolloServerOptions<object>['logger']>;

/** how Apollo Server starts the line of an error thrown outside execution (a plugin's, say) */
export const UNEXPECTED_ERROR = 'Unexpected error processing request: ';

/**
 * Apollo Server's own lines, on the gateway's logger. Apollo writes an unexpected error into its message
 * (`${error}`), which for a database error is the SQL with its bound values: the line keeps the prefix only,
 * and the observation plugin logs the error itself through the error serializer.
 */
export function apolloLogger(log: Logger): ApolloLogger {
  const text = (message: unknown) =>
    typeof message === 'string' && message.startsWith(UNEXPECTED_ERROR) ? UNEXPECTED_ERROR.trimEnd() : message;
  return {
    debug: (message) => log.debug(text(message)),
    info: (message) => log.info(text(message)),
    warn: (message) => log.warn(text(message)),
    error: (message) => log.error(text(message)),
  };
}
