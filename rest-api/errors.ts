import type { GraphQLFormattedError } from 'graphql';

/** An `/api/v1` error: DRF's `{"detail": …}` with its HTTP status. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GraphQL error codes (extensions.code) as HTTP statuses of the REST face. */
const STATUS_BY_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  QUERY_TOO_COMPLEX: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TIMEOUT: 503,
  SERVICE_UNAVAILABLE: 503,
};

export function fromGraphQLError(error: GraphQLFormattedError): RestError {
  const status = STATUS_BY_CODE[String(error.extensions?.code ?? '')] ?? 500;
  return new RestError(status, status === 500 ? 'Internal server error' : error.message);
}
