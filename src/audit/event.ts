/** One read or write of patient data, as the audit trail records it: ids, codes and counts, never PHI values. */
export interface AuditEvent {
  recordedAt: Date;
  userId: number | null;
  /** the OAuth client the access token was issued to */
  clientId: string | null;
  face: string;
  address: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** the GraphQL field that did it, e.g. `Query.observations` or `Patient.observations` */
  operation: string;
  action: AuditAction;
  resourceType: string;
  /** the ids the request named or wrote */
  resourceIds: number[];
  /** the patients whose data was read or written: what a patient's access log is made of */
  patientIds: number[];
  /** the search or the arguments, with free-text values replaced by their keyed hash */
  params: Record<string, unknown>;
  /** the rows returned (or written); null when none were read */
  rowCount: number | null;
  outcome: AuditOutcome;
  /** the error's code (FORBIDDEN, NOT_FOUND, …) for a denied or failed access */
  errorCode: string | null;
}

export const AUDIT_ACTIONS = ['read', 'search', 'create', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AUDIT_OUTCOMES = ['allowed', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Where a request came from, as each face knows it: the face fills it in, the core records it. */
export interface RequestMetadata {
  face: string;
  address: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** Work done without a request (the CLI, the seed, services called directly). */
export const NO_REQUEST: RequestMetadata = Object.freeze({
  face: 'internal',
  address: null,
  userAgent: null,
  requestId: null,
});

/** The outcome a domain error code stands for: a refusal of the policy is a denial, anything else an error. */
export const outcomeOfErrorCode = (code: string | null): AuditOutcome =>
  code === null ? 'allowed' : code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' ? 'denied' : 'error';
