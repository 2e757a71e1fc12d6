import { registerEnumType } from 'type-graphql';
import { CONSENT_STATES, type ConsentState } from '../../src/services/enrollment-consents.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditAction, type AuditOutcome } from '../../src/audit/event.js';
import {
  DATA_SOURCE_TYPES,
  INVITATION_STATUSES,
  type InvitationStatus,
  OBSERVATION_STATUSES,
  ORGANIZATION_TYPE_LABELS,
  ORGANIZATION_TYPES,
  ROLES,
  type DataSourceType,
  type ObservationStatus,
  type OrganizationType,
  type Role,
} from '../../src/db/entities/index.js';

const enumName = (value: string) => value.toUpperCase().replaceAll('-', '_');

/** GraphQL enum names are UPPER_SNAKE; their values are the domain's own strings, described by `labels`. */
function enumOf<T extends string>(
  values: readonly T[],
  name: string,
  description: string,
  labels?: Record<T, string>,
): Record<string, T> {
  const map = Object.fromEntries(values.map((v) => [enumName(v), v])) as Record<string, T>;
  const valuesConfig = labels && Object.fromEntries(values.map((v) => [enumName(v), { description: labels[v] }]));
  registerEnumType(map, { name, description, ...(valuesConfig ? { valuesConfig } : {}) });
  return map;
}

export const OrganizationTypeEnum = enumOf<OrganizationType>(
  ORGANIZATION_TYPES,
  'OrganizationType',
  'FHIR organization-type codes, plus LABORATORY; each described by its display name',
  ORGANIZATION_TYPE_LABELS,
);
export const RoleEnum = enumOf<Role>(ROLES, 'Role', 'A practitioner’s role in one organization');
export const DataSourceTypeEnum = enumOf<DataSourceType>(DATA_SOURCE_TYPES, 'DataSourceType', 'Kind of data source');
export const ObservationStatusEnum = enumOf<ObservationStatus>(
  OBSERVATION_STATUSES,
  'ObservationStatus',
  'FHIR Observation status',
);
export const UserKindEnum = enumOf<'practitioner' | 'patient'>(
  ['practitioner', 'patient'],
  'UserKind',
  'Kind of login',
);

export const InvitationStatusEnum = enumOf<InvitationStatus>(
  INVITATION_STATUSES,
  'InvitationStatus',
  'What became of a patient invitation',
);

export const AuditOutcomeEnum = enumOf<AuditOutcome>(
  AUDIT_OUTCOMES,
  'AuditOutcome',
  'How an access to patient data ended: allowed, denied by the policy, or failed with an error',
);
export const AuditActionEnum = enumOf<AuditAction>(AUDIT_ACTIONS, 'AuditAction', 'What an access to patient data did');

export const SummaryBucketEnum = enumOf<'NONE' | 'DAY' | 'WEEK'>(
  ['NONE', 'DAY', 'WEEK'],
  'SummaryBucket',
  'How an observation summary divides time: NONE (one row per code), DAY or WEEK (ISO weeks, from Monday), both at UTC',
);

export const ConsentStateEnum = enumOf<ConsentState>(
  CONSENT_STATES,
  'ConsentState',
  'Where a patient’s answers to one study stand',
  {
    sharing: 'at least one requested code consented (FHIR Consent status active)',
    declined: 'answered, but no requested code consented: declined or revoked (FHIR inactive)',
    pending: 'no requested code answered yet (FHIR draft)',
  },
);
