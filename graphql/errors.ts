import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { DATABASE_TIMEOUT_MESSAGE, isDatabaseTimeout } from '../src/db/statement-timeout.js';
import { DomainError, type DomainErrorCode } from '../src/errors.js';
import { TIMEOUT } from './timeouts.js';

/** The error codes clients see in `extensions.code`. */
const CODES: Record<DomainErrorCode, string> = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  INVALID: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
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
]);

export function domainToGraphQLError(error: DomainError): GraphQLError {
  const field = 'path' in error && typeof error.path === 'string' ? { field: error.path } : {};
  return new GraphQLError(error.message, { extensions: { code: CODES[error.code], ...field } });
}

/** what anything unexpected is answered as (and logged, see error-log.ts) */
export const INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR';

/**
 * One mapping for every error leaving /graphql: domain errors keep their message and get their code;
 * argument validation is BAD_USER_INPUT; a statement cancelled by its timeout is TIMEOUT (HTTP 503, see
 * timeouts.ts); anything unexpected is masked (error-log.ts logs it).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
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
  if (isDatabaseTimeout(original)) {
    const { locations, path } = formatted;
    return { message: DATABASE_TIMEOUT_MESSAGE, locations, path, extensions: { code: TIMEOUT } };
  }
  const code = String(formatted.extensions?.code ?? '');
  if (CLIENT_ERROR_CODES.has(code)) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code },
    };
  }
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: INTERNAL_SERVER_ERROR },
  };
}
