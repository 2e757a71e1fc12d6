import { connectionPage } from '../connection-pages.js';
import { deleteByPathId, runGraphQL } from '../execute.js';
import { PAGING_PARAMS } from '../paging.js';
import type { RestCall, Route } from '../route.js';
import { pageSchema } from '../shapes.js';
import {
  PRACTITIONER_FIELDS,
  type PractitionerNode,
  practitionerSchema,
  toPractitioner,
} from '../shapes-practitioners.js';
import { bodySchema } from '../shapes-studies.js';

/**
 * `/practitioners`: JupyterHealth's PractitionerViewSet (super users only) over GraphQL's practitionerAccounts,
 * practitionerAccount, createPractitioner, updatePractitioner, setPractitionerSuperuser, disablePractitioner,
 * enablePractitioner and deletePractitioner. A new practitioner chooses their own password through the link
 * mailed to them; the answer never holds one.
 */

const LIST = `query ($first: Int, $after: String, $nodes: Boolean!, $name: String, $email: String) {
  practitionerAccounts(first: $first, after: $after, name: $name, email: $email) {
    totalCount @include(if: $nodes) pageInfo { hasNextPage endCursor } nodes @include(if: $nodes) { ${PRACTITIONER_FIELDS} }
  }
}`;
const READ = `query ($id: ID!) { practitionerAccount(id: $id) { ${PRACTITIONER_FIELDS} } }`;
const CREATE = `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { ${PRACTITIONER_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdatePractitionerInput!) { updatePractitioner(id: $id, input: $input) { ${PRACTITIONER_FIELDS} } }`;
const SUPERUSER = `mutation ($id: ID!, $isSuperuser: Boolean!) {
  setPractitionerSuperuser(id: $id, isSuperuser: $isSuperuser) { ${PRACTITIONER_FIELDS} }
}`;
const DISABLE = `mutation ($id: ID!) { disablePractitioner(id: $id) { ${PRACTITIONER_FIELDS} } }`;
const ENABLE = `mutation ($id: ID!) { enablePractitioner(id: $id) { ${PRACTITIONER_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deletePractitioner(id: $id) }`;

const nameField = { type: 'string', minLength: 1, maxLength: 150 };
const emailField = { type: 'string', format: 'email', maxLength: 254 };
const createBody = bodySchema({ telecomEmail: emailField, nameFamily: nameField, nameGiven: nameField }, [
  'telecomEmail',
  'nameFamily',
  'nameGiven',
]);
const patchBody = bodySchema(
  {
    telecomEmail: { ...emailField, description: 'a new email is unverified until the link mailed to it is opened' },
    nameFamily: nameField,
    nameGiven: nameField,
    isSuperuser: { type: 'boolean', description: 'makes them a super user, or no longer one (never yourself)' },
  },
  [],
  { minProperties: 1 },
);

interface PractitionerBody {
  telecomEmail?: string;
  nameFamily?: string;
  nameGiven?: string;
  isSuperuser?: boolean;
}

const read = async ({ schema, context, params }: RestCall) =>
  toPractitioner(
    (await runGraphQL<{ practitionerAccount: PractitionerNode }>(schema, context, READ, { id: params.id }))
      .practitionerAccount,
  );

/** The name and email as one change, the super-user flag as its own (each its own audited operation). */
async function update(call: RestCall) {
  const { telecomEmail, nameFamily, nameGiven, isSuperuser } = call.body as PractitionerBody;
  const input = Object.fromEntries(
    Object.entries({ email: telecomEmail, firstName: nameGiven, lastName: nameFamily }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  if (Object.keys(input).length > 0) {
    await runGraphQL(call.schema, call.context, UPDATE, { id: call.params.id, input });
  }
  if (isSuperuser !== undefined) {
    await runGraphQL(call.schema, call.context, SUPERUSER, { id: call.params.id, isSuperuser });
  }
  return read(call);
}

const toggle =
  (mutation: string, field: string) =>
  async ({ schema, context, params }: RestCall) =>
    toPractitioner(
      (await runGraphQL<Record<string, PractitionerNode>>(schema, context, mutation, { id: params.id }))[field]!,
    );

export const practitionerRoutes: Route[] = [
  {
    method: 'get',
    path: '/practitioners',
    tag: 'practitioners',
    summary: 'every practitioner account, disabled ones too, by id (super users)',
    query: {
      name: { type: 'string', minLength: 1, maxLength: 150, description: 'a part of the first or last name, any case' },
      email: { type: 'string', maxLength: 254, description: 'the login email, exactly but for case' },
      ...PAGING_PARAMS,
    },
    response: pageSchema(practitionerSchema),
    handle: (call) =>
      connectionPage(
        call,
        LIST,
        'practitionerAccounts',
        { name: call.query.name ?? null, email: call.query.email ?? null },
        toPractitioner,
      ),
  },
  {
    method: 'post',
    path: '/practitioners',
    tag: 'practitioners',
    summary:
      'creates a practitioner account and mails them a link to choose their password (super users; needs SMTP_URL)',
    body: createBody,
    status: 201,
    response: practitionerSchema,
    handle: async ({ schema, context, body }) => {
      const { telecomEmail, nameFamily, nameGiven } = body as PractitionerBody;
      const input = { email: telecomEmail, firstName: nameGiven, lastName: nameFamily };
      const { createPractitioner } = await runGraphQL<{ createPractitioner: PractitionerNode }>(
        schema,
        context,
        CREATE,
        { input },
      );
      return toPractitioner(createPractitioner);
    },
  },
  {
    method: 'get',
    path: '/practitioners/:id',
    tag: 'practitioners',
    summary: 'one practitioner account (super users)',
    response: practitionerSchema,
    handle: read,
  },
  {
    method: 'patch',
    path: '/practitioners/:id',
    tag: 'practitioners',
    summary:
      'changes the name, the email (then unverified, a confirmation link mailed) or the super-user flag (super users)',
    body: patchBody,
    response: practitionerSchema,
    handle: update,
  },
  {
    method: 'post',
    path: '/practitioners/:id/disable',
    tag: 'practitioners',
    summary:
      'disables the account: no sign-in, its access tokens refused at once, its sessions and refresh tokens revoked (super users; never yourself)',
    response: practitionerSchema,
    handle: toggle(DISABLE, 'disablePractitioner'),
  },
  {
    method: 'post',
    path: '/practitioners/:id/enable',
    tag: 'practitioners',
    summary: 'lets a disabled account sign in again (super users)',
    response: practitionerSchema,
    handle: toggle(ENABLE, 'enablePractitioner'),
  },
  {
    method: 'delete',
    path: '/practitioners/:id',
    tag: 'practitioners',
    summary:
      'deletes an account that left nothing the records keep (409 when the audit trail or invitations name it, or it is an organization’s last manager: disable it instead; super users)',
    status: 204,
    response: {},
    handle: deleteByPathId(DELETE),
  },
];
