/**
 * The gateway's own CodeSystem for a practitioner's role in an organization (PractitionerRole.code): access
 * roles, which no HL7 CodeSystem holds. Served at its own URL, so that the system a PractitionerRole names
 * resolves.
 */
export const ORGANIZATION_ROLE_PATH = '/CodeSystem/organization-role';

export const ORGANIZATION_ROLES = {
  manager: {
    display: 'Manager',
    definition: 'Edits the organization, adds and removes its practitioners, and does what a member does',
  },
  member: {
    display: 'Member',
    definition: 'Creates and edits the organization’s patients and studies, enrolls and invites patients',
  },
  viewer: { display: 'Viewer', definition: 'Sees the organization, its studies and its patients' },
} as const;

export const organizationRoleSystem = (baseUrl: string) => `${baseUrl}${ORGANIZATION_ROLE_PATH}`;

export function organizationRoleCodeSystem(baseUrl: string) {
  return {
    resourceType: 'CodeSystem' as const,
    id: 'organization-role',
    url: organizationRoleSystem(baseUrl),
    name: 'OrganizationRole',
    title: 'A practitioner’s role in an organization of the Health Exchange Gateway',
    status: 'active' as const,
    experimental: false,
    description:
      'Roles are per organization and not inherited by its sub-organizations; super users, who may do everything, hold none.',
    caseSensitive: true,
    content: 'complete' as const,
    count: Object.keys(ORGANIZATION_ROLES).length,
    concept: Object.entries(ORGANIZATION_ROLES).map(([code, c]) => ({ code, ...c })),
  };
}
