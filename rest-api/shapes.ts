/**
 * JupyterHealth's JSON shapes (camelCase, integer ids, lower-case enums) from the GraphQL nodes the routes read,
 * with their JSON Schemas for the OpenAPI document. Field names are those of JupyterHealth's serializers.
 */

const lower = (value: string) => value.toLowerCase();
const int = (id: string | number) => Number(id);

export const ORGANIZATION_FIELDS = 'id name type viewerRole partOf { id }';
export interface OrganizationNode {
  id: string;
  name: string;
  type: string;
  viewerRole: string | null;
  partOf: { id: string } | null;
}

/** An organization; `children` filled by `{id}/tree` only, as JupyterHealth does. */
export const toOrganization = (o: OrganizationNode, children: unknown[] = []) => ({
  id: int(o.id),
  name: o.name,
  type: lower(o.type),
  partOf: o.partOf ? int(o.partOf.id) : null,
  currentUserRole: o.viewerRole ? lower(o.viewerRole) : null,
  children,
});

export const organizationSchema = {
  type: 'object',
  required: ['id', 'name', 'type', 'partOf', 'currentUserRole', 'children'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    type: { type: 'string' },
    partOf: { type: ['integer', 'null'] },
    currentUserRole: { type: ['string', 'null'], enum: ['manager', 'member', 'viewer', null] },
    children: { type: 'array', items: { type: 'object' } },
  },
};

export const PATIENT_FIELDS = `id userId nameFamily nameGiven birthDate email phone identifiers { system value }
  organizations { ${ORGANIZATION_FIELDS} }`;
export interface PatientNode {
  id: string;
  userId: string | null;
  nameFamily: string;
  nameGiven: string;
  birthDate: string | null;
  email: string;
  phone: string | null;
  identifiers: { system: string; value: string }[];
  organizations: OrganizationNode[];
}

export const toPatient = (p: PatientNode) => ({
  id: int(p.id),
  jheUserId: p.userId === null ? null : int(p.userId),
  identifiers: p.identifiers,
  nameFamily: p.nameFamily,
  nameGiven: p.nameGiven,
  birthDate: p.birthDate,
  telecomPhone: p.phone,
  telecomEmail: p.email,
  organizations: p.organizations.map((o) => toOrganization(o)),
});

export const patientSchema = {
  type: 'object',
  required: ['id', 'jheUserId', 'identifiers', 'nameFamily', 'nameGiven', 'telecomEmail', 'organizations'],
  properties: {
    id: { type: 'integer' },
    jheUserId: { type: ['integer', 'null'] },
    identifiers: {
      type: 'array',
      items: { type: 'object', properties: { system: { type: 'string' }, value: { type: 'string' } } },
    },
    nameFamily: { type: 'string' },
    nameGiven: { type: 'string' },
    birthDate: { type: ['string', 'null'], format: 'date' },
    telecomPhone: { type: ['string', 'null'] },
    telecomEmail: { type: 'string' },
    organizations: { type: 'array', items: organizationSchema },
  },
};

/** `{count, next, previous, results}` of `items`. */
export const pageSchema = (items: Record<string, unknown>) => ({
  type: 'object',
  required: ['count', 'next', 'previous', 'results'],
  properties: {
    count: { type: 'integer' },
    next: { type: ['string', 'null'], format: 'uri' },
    previous: { type: ['string', 'null'], format: 'uri' },
    results: { type: 'array', items },
  },
});
