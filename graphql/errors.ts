import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { DATABASE_TIMEOUT_MESSAGE, isDatabaseTimeout } from '../src/db/statement-timeout.js';
import { DomainError, type DomainErrorCode } from '../src/errors.js';
import { SERVICE_UNAVAILABLE, TIMEOUT } from './timeouts.js';
import { fromDatabaseError } from '../src/db/database-errors.js';

/** The error codes clients see in `extensions.code`. */
const CODES: Record<DomainErrorCode, string> = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  INVALID: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  UNAVAILABLE: SERVICE_UNAVAILABLE,
};

/** Codes GraphQL itself (and our limits and shield) produce for bad requests, and timeouts: shown as they are. */
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'CONFLICT',
  'QUERY_TOO_COMPLEX',
  TIMEOUT,
  SERVICE_UNAVAILABLE,
]);

export function domainToGraphQLError(error: DomainError): GraphQLError {
  const field = 'path' in error && typeof error.path === 'string' ? { field: error.path } : {};
  return new GraphQLError(error.message, { extensions: { code: CODES[error.code], ...field } });
}

/** what anything unexpected is answered as (and logged, see error-log.ts) */
export const INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR';

/**
 * One mapping for every error leaving /graphql: domain errors keep their message and get their code;
 * argument validation is BAD_USER_INPUT; a statement cancelled by its timeout is TIMEOUT, a database that
 * cannot be reached SERVICE_UNAVAILABLE (both HTTP 503, see timeouts.ts), any other database error the typed error
 * database-errors.ts maps it to; anything unexpected is masked (error-log.ts logs it).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  if (isDatabaseTimeout(unwrapped)) {
    const { locations, path } = formatted;
    return { message: DATABASE_TIMEOUT_MESSAGE, locations, path, extensions: { code: TIMEOUT } };
  }
  const original = fromDatabaseError(unwrapped) ?? unwrapped;
  if (original instanceof DomainError) {
    const mapped = domainToGraphQLError(original);
    return {
      message: mapped.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: mapped.extensions,
    };
  }
  if (original instanceof ArgumentValidationError) {
    const first = original.extensions.validationErrors?.[0];
    const detail = first ? `${first.property}: ${Object.values(first.constraints ?? {}).join(', ')}` : original.message;
    return {
      message: detail,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  const code = requestErrorCode(original) ?? String(formatted.extensions?.code ?? '');
  if (CLIENT_ERROR_CODES.has(code)) {
    const field = formatted.extensions?.field;
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code, ...(typeof field === 'string' ? { field } : {}) },
    };
  }
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: INTERNAL_SERVER_ERROR },
  };
}

/**
 * Apollo refuses some requests (a persisted query whose hash does not match, an unknown persisted query version)
 * with a GraphQLError that has an HTTP 4xx status but no code: they are BAD_REQUEST, not internal errors.
 */
function requestErrorCode(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return undefined;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : undefined;
}
