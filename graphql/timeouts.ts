import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DATABASE_TIMEOUT_MESSAGE } from '../src/db/statement-timeout.js';
import { RETRY_AFTER_SECONDS, type TimeoutAnswer } from '../src/http/timeout.js';

/** `extensions.code` of a request, or a statement, that took too long: HTTP 503 with Retry-After */
export const TIMEOUT = 'TIMEOUT';
/** `extensions.code` of a request the database could not serve (unreachable, restarting): HTTP 503 too */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
const RETRYABLE = new Set([TIMEOUT, SERVICE_UNAVAILABLE]);

/** A statement cancelled before execution (the viewer's, while the context is made), as Apollo answers it. */
export function databaseTimeoutError(): GraphQLError {
  return retryableError(DATABASE_TIMEOUT_MESSAGE, TIMEOUT);
}

/** A 503 with Retry-After before execution (the context's statements), as Apollo answers it. */
export function retryableError(message: string, code: string): GraphQLError {
  const headers = new HeaderMap([['retry-after', String(RETRY_AFTER_SECONDS)]]);
  return new GraphQLError(message, { extensions: { code, http: { status: 503, headers } } });
}

/**
 * A statement cancelled during execution (or a database lost during it) is a field's error beside the data of the others (formatError gives it
 * its code): the whole answer becomes a 503, so that clients and proxies see that it may be retried.
 */
export const timeoutStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const errors =
          response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
        if (!errors?.some((error) => RETRYABLE.has(String(error.extensions?.code)))) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
      },
    };
  },
};

/** The request timeout's 503 in GraphQL's format. */
export const graphqlTimeoutAnswer: TimeoutAnswer = (res, message) => {
  res.json({ errors: [{ message, extensions: { code: TIMEOUT } }] });
};
