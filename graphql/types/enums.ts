import { registerEnumType } from 'type-graphql';
import {
  DATA_SOURCE_TYPES,
  INVITATION_STATUSES,
  type InvitationStatus,
  OBSERVATION_STATUSES,
  ORGANIZATION_TYPES,
  ROLES,
  type DataSourceType,
  type ObservationStatus,
  type OrganizationType,
  type Role,
} from '../../src/db/entities/index.js';

/** GraphQL enum names are UPPER_SNAKE; their values are the domain's own strings. */
function enumOf<T extends string>(values: readonly T[], name: string, description: string): Record<string, T> {
  const map = Object.fromEntries(values.map((v) => [v.toUpperCase().replaceAll('-', '_'), v])) as Record<string, T>;
  registerEnumType(map, { name, description });
  return map;
}

export const OrganizationTypeEnum = enumOf<OrganizationType>(
  ORGANIZATION_TYPES,
  'OrganizationType',
  'FHIR organization-type codes, plus LABORATORY',
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
