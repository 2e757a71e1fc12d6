/** The typed errors domain services throw; each face maps them to its own error format. */
export type DomainErrorCode = 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID' | 'CONFLICT' | 'UNAUTHENTICATED' | 'UNAVAILABLE';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id?: number | string) {
    super(id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(message = 'You are not allowed to do this') {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Authentication required') {
    super(message);
  }
}

/** Bad input; `path` names the offending field (e.g. "email" or "/body/heart_rate/value"). */
export class InvalidError extends DomainError {
  readonly code = 'INVALID';
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

/** A dependency (the database) cannot be reached now: the request may be retried later (HTTP 503, Retry-After). */
export class UnavailableError extends DomainError {
  readonly code = 'UNAVAILABLE';
  constructor(message = 'The database cannot be reached right now; try again later') {
    super(message);
  }
}
