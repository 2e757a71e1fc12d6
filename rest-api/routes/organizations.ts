import { OrganizationTypeEnum, RoleEnum } from '../../graphql/types/enums.js';
import { RestError } from '../errors.js';
import { runGraphQL } from '../execute.js';
import { type Connection, PAGING_PARAMS, paginate, pageRequest } from '../paging.js';
import { Answer, type RestCall, type Route } from '../route.js';
import {
  ORGANIZATION_FIELDS,
  type OrganizationNode,
  organizationSchema,
  pageSchema,
  toOrganization,
} from '../shapes.js';

/**
 * `/organizations`: JupyterHealth's organization routes over GraphQL. Every read and change is a GraphQL
 * operation as the viewer, so the policy decides who sees and changes what: an organization the viewer may not
 * see is a 404, one they see but may not change a 403. Ids are integers, enums lower-case.
 */

const ORGANIZATION_TYPES = Object.values(OrganizationTypeEnum);
const ROLES = Object.values(RoleEnum);
const ID_PATTERN = '^[1-9][0-9]{0,14}$';
const MAX_ID = 999_999_999_999_999;

// ---- GraphQL operations -------------------------------------------------------------------------------------

const ORGANIZATION = `query ($id: ID!) { organization(id: $id) { ${ORGANIZATION_FIELDS} } }`;
const LIST = `query ($first: Int!, $after: String, $partOfId: ID, $nodes: Boolean!) {
  visibleOrganizations(first: $first, after: $after, partOfId: $partOfId) {
    totalCount @include(if: $nodes)
    pageInfo { hasNextPage endCursor }
    nodes @include(if: $nodes) { ${ORGANIZATION_FIELDS} }
  }
}`;
const TYPES = `{ __type(name: "OrganizationType") { enumValues { name description } } }`;
const CREATE = `mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { ${ORGANIZATION_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateOrganizationInput!) {
  updateOrganization(id: $id, input: $input) { ${ORGANIZATION_FIELDS} }
}`;
const DELETE = `mutation ($id: ID!) { deleteOrganization(id: $id) }`;

/** A tree is read this many levels at a time (the last level's ids tell where to go on from). */
const TREE_LEVELS = 5;
const nestChildren = (levels: number): string =>
  levels === 0 ? 'children { id }' : `children { ${ORGANIZATION_FIELDS} ${nestChildren(levels - 1)} }`;
const TREE = `query ($id: ID!) { organization(id: $id) { ${ORGANIZATION_FIELDS} ${nestChildren(TREE_LEVELS - 1)} } }`;

const MEMBERSHIP_FIELDS = 'id role practitioner { id user { id email firstName lastName } }';
const PRACTITIONERS = `query ($id: ID!) { organization(id: $id) { ${ORGANIZATION_FIELDS} practitioners { ${MEMBERSHIP_FIELDS} } } }`;
const ADD_PRACTITIONER = `mutation ($id: ID!, $userId: ID!, $role: Role!) {
  addPractitionerToOrganization(organizationId: $id, userId: $userId, role: $role) { ${MEMBERSHIP_FIELDS} }
}`;
const CHANGE_ROLE = `mutation ($id: ID!, $practitionerId: ID!, $role: Role!) {
  changePractitionerRole(organizationId: $id, practitionerId: $practitionerId, role: $role) { ${MEMBERSHIP_FIELDS} }
}`;
const REMOVE_PRACTITIONER = `mutation ($id: ID!, $practitionerId: ID!) {
  removePractitionerFromOrganization(organizationId: $id, practitionerId: $practitionerId)
}`;
const STUDIES = `query ($id: ID!, $after: String) {
  studies(organizationId: $id, first: 1000, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id name description iconUrl }
  }
}`;

interface TreeNode extends Partial<OrganizationNode> {
  id: string;
  children?: TreeNode[];
}
interface Membership {
  id: string;
  role: string;
  practitioner: { id: string; user: { id: string; email: string; firstName: string; lastName: string } };
}
interface StudyNode {
  id: string;
  name: string;
  description: string;
  iconUrl: string | null;
}

// ---- JSON Schemas of bodies and answers ---------------------------------------------------------------------

const typeSchema = { type: 'string', enum: ORGANIZATION_TYPES, description: 'a code of GET /organizations/types' };
const roleSchema = { type: 'string', enum: ROLES };
const idSchema = { type: 'integer', minimum: 1, maximum: MAX_ID };
const nameSchema = { type: 'string', minLength: 1, maxLength: 255 };
const partOfSchema = {
  type: ['integer', 'null'],
  minimum: 1,
  maximum: MAX_ID,
  description: 'the parent organization; null or absent for a top-level one (super users)',
};
/** What GET answers and PUT/PATCH may send back unchanged: read-only, ignored. */
const READ_ONLY = {
  id: { description: 'read-only, ignored' },
  currentUserRole: { description: 'read-only, ignored' },
  children: { description: 'read-only, ignored' },
};

const createBody = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: { name: nameSchema, type: typeSchema, partOf: partOfSchema },
};
const updateBody = (required: string[]) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties: {
    name: nameSchema,
    type: typeSchema,
    partOf: { ...partOfSchema, description: 'if given, the organization’s current parent (organizations do not move)' },
    ...READ_ONLY,
  },
});
const userBody = {
  type: 'object',
  required: ['jheUserId'],
  additionalProperties: false,
  properties: {
    jheUserId: { ...idSchema, description: 'the practitioner’s user id' },
    organizationPartitionerRole: { ...roleSchema, description: 'the role (JupyterHealth’s spelling); or `role`' },
    role: roleSchema,
  },
};
const removeUserBody = {
  type: 'object',
  required: ['jheUserId'],
  additionalProperties: false,
  properties: { jheUserId: { ...idSchema, description: 'the practitioner’s user id' } },
};

const treeSchema = {
  ...organizationSchema,
  properties: {
    ...organizationSchema.properties,
    children: {
      type: 'array',
      items: { type: 'object' },
      description: 'the sub-organizations the viewer may see, each of this shape, at every depth',
    },
  },
};
const organizationUserSchema = {
  type: 'object',
  required: ['id', 'email', 'firstName', 'lastName', 'role'],
  properties: {
    id: { type: 'integer', description: 'the user id' },
    email: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    role: { type: 'string', enum: ROLES },
  },
};
const membershipSchema = {
  type: 'object',
  required: ['id', 'organization', 'practitioner', 'role'],
  properties: {
    id: { type: 'integer', description: 'the membership’s id' },
    organization: organizationSchema,
    practitioner: {
      type: 'object',
      required: ['id', 'jheUserId', 'nameFamily', 'nameGiven', 'telecomEmail'],
      properties: {
        id: { type: 'integer' },
        jheUserId: { type: 'integer' },
        nameFamily: { type: 'string' },
        nameGiven: { type: 'string' },
        telecomEmail: { type: 'string' },
      },
    },
    role: { type: 'string', enum: ROLES },
  },
};
const studyWriteSchema = {
  type: 'object',
  required: ['id', 'name', 'description', 'organization', 'iconUrl'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    organization: { type: 'integer' },
    iconUrl: { type: ['string', 'null'] },
  },
};

// ---- helpers ------------------------------------------------------------------------------------------------

const run = <T>(call: RestCall, query: string, variables: Record<string, unknown> = {}) =>
  runGraphQL<T>(call.schema, call.context, query, variables);

const readOrganization = async (call: RestCall) =>
  (await run<{ organization: OrganizationNode }>(call, ORGANIZATION, { id: call.params.id })).organization;

/** The tree under `id`, TREE_LEVELS at a time; GraphQL's `children` holds only those the viewer may see. */
async function readTree(call: RestCall, id: string, seen = new Set<string>()): Promise<unknown> {
  const { organization } = await run<{ organization: TreeNode }>(call, TREE, { id });
  const shape = async (node: TreeNode): Promise<unknown> => {
    seen.add(node.id);
    const children = [];
    for (const child of node.children ?? []) {
      if (seen.has(child.id)) continue;
      children.push(child.name === undefined ? await readTree(call, child.id, seen) : await shape(child));
    }
    return toOrganization(node as OrganizationNode, children);
  };
  return shape(organization);
}

interface OrganizationWithPractitioners extends OrganizationNode {
  practitioners: Membership[];
}
const readPractitioners = async (call: RestCall) =>
  (await run<{ organization: OrganizationWithPractitioners }>(call, PRACTITIONERS, { id: call.params.id }))
    .organization;

const membershipOf = (organization: OrganizationWithPractitioners, userId: number) =>
  organization.practitioners.find((m) => Number(m.practitioner.user.id) === userId);

const notInOrganization = (userId: number, organizationId: string) =>
  new RestError(404, `No practitioner with user id ${userId} in organization ${organizationId}`);

const toMembership = (organization: OrganizationNode, m: Membership) => ({
  id: Number(m.id),
  organization: toOrganization(organization),
  practitioner: {
    id: Number(m.practitioner.id),
    jheUserId: Number(m.practitioner.user.id),
    nameFamily: m.practitioner.user.lastName,
    nameGiven: m.practitioner.user.firstName,
    telecomEmail: m.practitioner.user.email,
  },
  role: m.role.toLowerCase(),
});

/** The role of POST …/user: JupyterHealth's (misspelt) `organizationPartitionerRole`, or `role`. */
function requestedRole(body: { organizationPartitionerRole?: string; role?: string }): string {
  const { organizationPartitionerRole: jhe, role } = body;
  if (jhe !== undefined && role !== undefined && jhe !== role) {
    throw new RestError(400, 'role: differs from organizationPartitionerRole (give one of them)');
  }
  const chosen = jhe ?? role;
  if (chosen === undefined) throw new RestError(400, 'organizationPartitionerRole: this field is required');
  return chosen.toUpperCase();
}

interface UpdateBody {
  name?: string;
  type?: string;
  partOf?: number | null;
}

/** PUT and PATCH: the organization must be visible (else 404); `partOf`, if sent, must be its current parent. */
async function update(call: RestCall) {
  const body = call.body as UpdateBody;
  const current = await readOrganization(call);
  const parent = current.partOf ? Number(current.partOf.id) : null;
  if (body.partOf !== undefined && body.partOf !== parent) {
    throw new RestError(400, 'partOf: an organization cannot be moved to another parent');
  }
  const input = {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.type !== undefined ? { type: body.type.toUpperCase() } : {}),
  };
  const { updateOrganization } = await run<{ updateOrganization: OrganizationNode }>(call, UPDATE, {
    id: call.params.id,
    input,
  });
  return toOrganization(updateOrganization);
}

// ---- routes -------------------------------------------------------------------------------------------------

const TAG = 'organizations';

export const organizationRoutes: Route[] = [
  {
    method: 'get',
    path: '/organizations',
    tag: TAG,
    summary:
      'the organizations the viewer may see (where they hold a role; super users: all), by id; `part_of` narrows to the direct children of one',
    query: {
      ...PAGING_PARAMS,
      part_of: {
        type: 'string',
        pattern: ID_PATTERN,
        description: 'direct children of this organization; also partOf',
      },
    },
    response: pageSchema(organizationSchema),
    handle: async (call) => {
      const { query, url, config } = call;
      return paginate(
        url,
        pageRequest(query, config.fhir.maxPageSkip),
        async (first, after, nodes) =>
          (
            await run<{ visibleOrganizations: Connection<OrganizationNode> }>(call, LIST, {
              first,
              after,
              partOfId: query.part_of ?? null,
              nodes,
            })
          ).visibleOrganizations,
        (node) => toOrganization(node),
      );
    },
  },
  {
    method: 'get',
    path: '/organizations/types',
    tag: TAG,
    summary: 'the organization types: an object code → display name (FHIR’s organization-type, and laboratory)',
    response: { type: 'object', additionalProperties: { type: 'string' } },
    handle: async (call) => {
      const { __type } = await run<{ __type: { enumValues: { name: string; description: string | null }[] } }>(
        call,
        TYPES,
      );
      return Object.fromEntries(__type.enumValues.map((v) => [v.name.toLowerCase(), v.description ?? v.name]));
    },
  },
  {
    method: 'get',
    path: '/organizations/:id',
    tag: TAG,
    summary: 'one organization',
    response: organizationSchema,
    handle: async (call) => toOrganization(await readOrganization(call)),
  },
  {
    method: 'post',
    path: '/organizations',
    tag: TAG,
    summary:
      'creates an organization (top-level: super users; a sub-organization: managers of `partOf`, who become its manager)',
    body: createBody,
    status: 201,
    response: organizationSchema,
    handle: async (call) => {
      const body = call.body as { name: string; type: string; partOf?: number | null };
      const input = {
        name: body.name,
        type: body.type.toUpperCase(),
        partOfId: body.partOf === undefined || body.partOf === null ? null : String(body.partOf),
      };
      const { createOrganization } = await run<{ createOrganization: OrganizationNode }>(call, CREATE, { input });
      return toOrganization(createOrganization);
    },
  },
  {
    method: 'patch',
    path: '/organizations/:id',
    tag: TAG,
    summary: 'changes an organization’s name or type (its managers, super users)',
    body: updateBody([]),
    response: organizationSchema,
    handle: update,
  },
  {
    method: 'put',
    path: '/organizations/:id',
    tag: TAG,
    summary: 'sets an organization’s name and type (its managers, super users)',
    body: updateBody(['name', 'type']),
    response: organizationSchema,
    handle: update,
  },
  {
    method: 'delete',
    path: '/organizations/:id',
    tag: TAG,
    summary: 'deletes an organization with its sub-organizations and studies (managers of its parent, super users)',
    status: 204,
    response: {},
    handle: async (call) => {
      await run(call, DELETE, { id: call.params.id });
      return undefined;
    },
  },
  {
    method: 'get',
    path: '/organizations/:id/tree',
    tag: TAG,
    summary: 'an organization with its sub-organizations filled in, at every depth (those the viewer may see)',
    response: treeSchema,
    handle: (call) => readTree(call, call.params.id!),
  },
  {
    method: 'get',
    path: '/organizations/:id/users',
    tag: TAG,
    summary: 'the organization’s practitioners with their roles (a plain array)',
    response: { type: 'array', items: organizationUserSchema },
    handle: async (call) =>
      (await readPractitioners(call)).practitioners.map((m) => ({
        id: Number(m.practitioner.user.id),
        email: m.practitioner.user.email,
        firstName: m.practitioner.user.firstName,
        lastName: m.practitioner.user.lastName,
        role: m.role.toLowerCase(),
      })),
  },
  {
    method: 'post',
    path: '/organizations/:id/user',
    tag: TAG,
    summary:
      'adds a practitioner (by user id) with a role (201), or changes their role if they are one already (200); managers, super users',
    body: userBody,
    status: 201,
    otherStatuses: [200],
    response: membershipSchema,
    handle: async (call) => {
      const body = call.body as { jheUserId: number; organizationPartitionerRole?: string; role?: string };
      const role = requestedRole(body);
      const organization = await readPractitioners(call);
      const change = async (existing: Membership) => {
        const { changePractitionerRole } = await run<{ changePractitionerRole: Membership }>(call, CHANGE_ROLE, {
          id: call.params.id,
          practitionerId: existing.practitioner.id,
          role,
        });
        return new Answer(200, toMembership(organization, changePractitionerRole));
      };
      const existing = membershipOf(organization, body.jheUserId);
      if (existing) return change(existing);
      try {
        const { addPractitionerToOrganization } = await run<{ addPractitionerToOrganization: Membership }>(
          call,
          ADD_PRACTITIONER,
          { id: call.params.id, userId: String(body.jheUserId), role },
        );
        return toMembership(organization, addPractitionerToOrganization);
      } catch (error) {
        // added by someone else meanwhile: then this is a role change
        if (!(error instanceof RestError && error.status === 409)) throw error;
        const added = membershipOf(await readPractitioners(call), body.jheUserId);
        if (!added) throw error;
        return change(added);
      }
    },
  },
  {
    method: 'delete',
    path: '/organizations/:id/remove_user',
    tag: TAG,
    summary: 'removes a practitioner (by user id) from the organization; managers, super users',
    body: removeUserBody,
    status: 204,
    response: {},
    handle: async (call) => {
      const { jheUserId } = call.body as { jheUserId: number };
      const membership = membershipOf(await readPractitioners(call), jheUserId);
      if (!membership) throw notInOrganization(jheUserId, call.params.id!);
      await run(call, REMOVE_PRACTITIONER, { id: call.params.id, practitionerId: membership.practitioner.id });
      return undefined;
    },
  },
  {
    method: 'get',
    path: '/organizations/:id/studies',
    tag: TAG,
    summary: 'the organization’s studies (a plain array, as study answers to writes are: `organization` is an id)',
    response: { type: 'array', items: studyWriteSchema },
    handle: async (call) => {
      const studies: unknown[] = [];
      let after: string | null = null;
      do {
        const page: { studies: Connection<StudyNode> } = await run(call, STUDIES, { id: call.params.id, after });
        for (const s of page.studies.nodes ?? []) {
          studies.push({
            id: Number(s.id),
            name: s.name,
            description: s.description,
            organization: Number(call.params.id),
            iconUrl: s.iconUrl,
          });
        }
        after = page.studies.pageInfo.hasNextPage ? page.studies.pageInfo.endCursor : null;
      } while (after !== null);
      return studies;
    },
  },
];
