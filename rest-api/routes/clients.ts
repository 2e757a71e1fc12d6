import { RestError } from '../errors.js';
import { deleteByPathId, runGraphQL } from '../execute.js';
import { PAGING_PARAMS, pageRequest, paginate } from '../paging.js';
import type { RestCall, Route } from '../route.js';
import { pageSchema } from '../shapes.js';
import { CLIENT_FIELDS, type ClientNode, clientSchema, toClient } from '../shapes-clients.js';
import {
  bodySchema,
  DATA_SOURCE_FIELDS,
  type DataSourceNode,
  dataSourceSchema,
  idSchema,
  listConnection,
  toDataSource,
} from '../shapes-studies.js';

/**
 * `/clients`: JupyterHealth's ClientViewSet over GraphQL's clients (the apps patients use: CommonHealth, CareX, …;
 * each its own OAuth client). Practitioners and super users read them; super users create, change and delete
 * them (the policy, through the operations below). A client's `clientId` is its OAuth client id, fixed once made.
 */

const CLIENTS = `{ clients { ${CLIENT_FIELDS} } }`;
const CLIENT = `query ($id: ID!) { client(id: $id) { ${CLIENT_FIELDS} } }`;
const CLIENT_DATA_SOURCES = `query ($id: ID!) { client(id: $id) { id dataSources { ${DATA_SOURCE_FIELDS} } } }`;
const CREATE = `mutation ($input: CreateClientInput!) {
  createClient(input: $input) { client { ${CLIENT_FIELDS} } clientSecret }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateClientInput!) { updateClient(id: $id, input: $input) { ${CLIENT_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteClient(id: $id) }`;
// no more than this before an update: the request's loaders would keep what it read (its data sources, say)
const FIXED = `query ($id: ID!) { client(id: $id) { clientId confidential } }`;

// ---- bodies ------------------------------------------------------------------------------------------------

const clientFields = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  clientId: {
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9._-]{2,63}$',
    description: 'the OAuth client id: 3-64 lower-case letters, digits, dots, dashes or underscores',
  },
  redirectUris: {
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 2048 },
    minItems: 1,
    maxItems: 20,
    description: 'http(s) or the app’s own scheme; any of them redeems its invitations',
  },
  confidential: { type: 'boolean', description: 'true: the app gets a client secret (shown once); default false' },
  invitationUrl: {
    type: ['string', 'null'],
    maxLength: 2048,
    description: 'a URL with CODE in it, e.g. https://carex.ai/?invitation=CODE (null: INVITATION_LINK_PREFIX)',
  },
  dataSourceIds: {
    type: 'array',
    items: idSchema,
    maxItems: 100,
    description: 'the only data sources its tokens may upload from',
  },
};
const createBody = bodySchema(clientFields, ['name', 'clientId', 'redirectUris']);
// `clientId` and `confidential` may come back as a GET showed them; they cannot change
const updateFields = {
  ...clientFields,
  clientId: { ...clientFields.clientId, description: 'must stay the same' },
  confidential: { type: 'boolean', description: 'must stay the same' },
};
const replaceBody = bodySchema(updateFields, ['name', 'redirectUris']);
const patchBody = bodySchema(updateFields, [], { minProperties: 1 });

interface ClientBody {
  name?: string;
  clientId?: string;
  redirectUris?: string[];
  confidential?: boolean;
  invitationUrl?: string | null;
  dataSourceIds?: number[];
}

const createdSchema = {
  ...clientSchema,
  required: [...clientSchema.required, 'clientSecret'],
  properties: {
    ...clientSchema.properties,
    clientSecret: {
      type: ['string', 'null'],
      description: 'a confidential client’s secret, shown only in this answer (null: a public client)',
    },
  },
};

const ids = (list: number[] | undefined) => (list === undefined ? {} : { dataSourceIds: list.map(String) });

/** The client's OAuth client id and kind are the body's, if it names them: they are fixed once the client is made. */
async function assertUnchanged({ schema, context, params }: RestCall, body: ClientBody) {
  if (body.clientId === undefined && body.confidential === undefined) return;
  const { client } = await runGraphQL<{ client: Pick<ClientNode, 'clientId' | 'confidential'> }>(
    schema,
    context,
    FIXED,
    { id: params.id },
  );
  if (body.clientId !== undefined && body.clientId !== client.clientId) {
    throw new RestError(400, 'clientId: a client’s OAuth client id cannot change');
  }
  if (body.confidential !== undefined && body.confidential !== client.confidential) {
    throw new RestError(400, 'confidential: a public client cannot become confidential, nor the other way round');
  }
}

async function update(call: RestCall) {
  const body = call.body as ClientBody;
  await assertUnchanged(call, body);
  const { name, redirectUris, invitationUrl, dataSourceIds } = body;
  const input = Object.fromEntries(
    Object.entries({ name, redirectUris, invitationUrl, ...ids(dataSourceIds) }).filter(([, v]) => v !== undefined),
  );
  const { updateClient } = await runGraphQL<{ updateClient: ClientNode }>(call.schema, call.context, UPDATE, {
    id: call.params.id,
    input,
  });
  return toClient(updateClient);
}

export const clientRoutes: Route[] = [
  {
    method: 'get',
    path: '/clients',
    tag: 'clients',
    summary: 'the apps patients use, by id (practitioners and super users)',
    query: { ...PAGING_PARAMS },
    response: pageSchema(clientSchema),
    handle: ({ schema, context, query, url, config }) =>
      paginate(
        url,
        pageRequest(query, config.fhir.maxPageSkip),
        // a short list in GraphQL: paged here, over one read of it
        listConnection(async () => (await runGraphQL<{ clients: ClientNode[] }>(schema, context, CLIENTS)).clients),
        toClient,
      ),
  },
  {
    method: 'post',
    path: '/clients',
    tag: 'clients',
    summary:
      'registers an app patients use: its OAuth client and its record (super users); a confidential one’s secret is in this answer only',
    body: createBody,
    status: 201,
    response: createdSchema,
    handle: async ({ schema, context, body }) => {
      // `confidential` given even when left out: graphql-jit does not fill an input field's default into a variable
      const { dataSourceIds, confidential = false, ...fields } = body as ClientBody;
      const { createClient } = await runGraphQL<{
        createClient: { client: ClientNode; clientSecret: string | null };
      }>(schema, context, CREATE, { input: { ...fields, confidential, ...ids(dataSourceIds) } });
      return { ...toClient(createClient.client), clientSecret: createClient.clientSecret };
    },
  },
  {
    method: 'get',
    path: '/clients/:id',
    tag: 'clients',
    summary: 'one client',
    response: clientSchema,
    handle: async ({ schema, context, params }) =>
      toClient((await runGraphQL<{ client: ClientNode }>(schema, context, CLIENT, { id: params.id })).client),
  },
  {
    method: 'put',
    path: '/clients/:id',
    tag: 'clients',
    summary:
      'changes a client (super users): name and redirectUris given, invitationUrl and dataSourceIds may be; clientId and confidential, if sent, must stay the same',
    body: replaceBody,
    response: clientSchema,
    handle: update,
  },
  {
    method: 'patch',
    path: '/clients/:id',
    tag: 'clients',
    summary: 'changes some of a client’s name, redirectUris, invitationUrl and dataSourceIds (super users)',
    body: patchBody,
    response: clientSchema,
    handle: update,
  },
  {
    method: 'delete',
    path: '/clients/:id',
    tag: 'clients',
    summary: 'removes the app (super users): its record, its OAuth client and every token issued to it',
    status: 204,
    response: {},
    handle: deleteByPathId(DELETE),
  },
  {
    method: 'get',
    path: '/clients/:id/data_sources',
    tag: 'clients',
    summary: 'the data sources the client’s tokens may upload from',
    response: { type: 'array', items: dataSourceSchema },
    handle: async ({ schema, context, params }) => {
      const { client } = await runGraphQL<{ client: { dataSources: DataSourceNode[] } }>(
        schema,
        context,
        CLIENT_DATA_SOURCES,
        { id: params.id },
      );
      return client.dataSources.map(toDataSource);
    },
  },
];
