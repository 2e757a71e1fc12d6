/** FHIR OperationOutcome errors: every error under /fhir/r5 is one of these, with the right HTTP status. */

export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'not-found'
  | 'not-supported'
  | 'duplicate'
  | 'too-costly'
  | 'timeout'
  | 'transient'
  | 'processing'
  | 'exception';

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: { severity: 'error' | 'information'; code: IssueType; diagnostics: string; expression?: string[] }[];
}

export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issueType: IssueType,
    message: string,
    readonly expression?: string,
  ) {
    super(message);
  }
}

/** What `operation` answers, or undefined where it fails with this status (a 404 for an `_id` search, …). */
export async function unlessStatus<T>(status: number, operation: Promise<T>): Promise<T | undefined> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof FhirError && error.status === status) return undefined;
    throw error;
  }
}

export function operationOutcome(issueType: IssueType, diagnostics: string, expression?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: issueType, diagnostics, ...(expression ? { expression: [expression] } : {}) }],
  };
}

/** GraphQL error codes (extensions.code) as FHIR statuses and issue types. */
const BY_CODE: Record<string, [number, IssueType]> = {
  BAD_USER_INPUT: [422, 'invalid'],
  GRAPHQL_VALIDATION_FAILED: [400, 'invalid'],
  UNAUTHENTICATED: [401, 'login'],
  FORBIDDEN: [403, 'forbidden'],
  NOT_FOUND: [404, 'not-found'],
  CONFLICT: [409, 'duplicate'],
  QUERY_TOO_COMPLEX: [400, 'too-costly'],
  TIMEOUT: [503, 'timeout'],
  SERVICE_UNAVAILABLE: [503, 'transient'],
};

export function fromGraphQLError(error: { message: string; extensions?: Record<string, unknown> }): FhirError {
  const code = String(error.extensions?.code ?? '');
  const [status, issueType] = BY_CODE[code] ?? [500, 'exception'];
  const field = typeof error.extensions?.field === 'string' ? error.extensions.field : undefined;
  return new FhirError(status, issueType, status === 500 ? 'Internal server error' : error.message, field);
}
