/**
 * The shapes of clients (the apps patients use: CommonHealth, CareX, …) on the wire, from GraphQL's `Client`, with
 * their JSON Schemas: JupyterHealth's `{id, name, clientId, invitationUrl}`, and the gateway's `redirectUris`,
 * `confidential` and `dataSources` where a client is shown whole (the `/clients` routes).
 */
import {
  DATA_SOURCE_LITE_FIELDS,
  type DataSourceLiteNode,
  dataSourceLiteSchema,
  toDataSourceLite,
} from './shapes-studies.js';

const int = (id: string | number) => Number(id);

/** JupyterHealth's client: what other rows (a study's clients, a patient's) show of it. */
export const CLIENT_LITE_FIELDS = 'id name clientId invitationUrl';
export interface ClientLiteNode {
  id: string;
  name: string;
  clientId: string;
  invitationUrl: string | null;
}
export const CLIENT_FIELDS = `${CLIENT_LITE_FIELDS} redirectUris confidential dataSources { ${DATA_SOURCE_LITE_FIELDS} }`;
export interface ClientNode extends ClientLiteNode {
  redirectUris: string[];
  confidential: boolean;
  dataSources: DataSourceLiteNode[];
}

export const toClientLite = (c: ClientLiteNode) => ({
  id: int(c.id),
  name: c.name,
  clientId: c.clientId,
  invitationUrl: c.invitationUrl,
});
export const toClient = (c: ClientNode) => ({
  ...toClientLite(c),
  redirectUris: c.redirectUris,
  confidential: c.confidential,
  dataSources: c.dataSources.map(toDataSourceLite),
});

const clientLiteProperties = {
  id: { type: 'integer', description: 'the client record’s id' },
  name: { type: 'string' },
  clientId: { type: 'string', description: 'the OAuth client id the app redeems invitations with' },
  invitationUrl: {
    type: ['string', 'null'],
    description: 'where invitations send the patient, CODE standing for `<host>|<code>` (null: INVITATION_LINK_PREFIX)',
  },
};
export const clientLiteSchema = {
  type: 'object',
  description: 'JupyterHealth’s client',
  required: ['id', 'name', 'clientId', 'invitationUrl'],
  properties: clientLiteProperties,
};
export const clientSchema = {
  type: 'object',
  description:
    'JupyterHealth’s client `{id, name, clientId, invitationUrl}`, and the gateway’s `redirectUris`, `confidential` and `dataSources` (the only data sources its tokens may upload from)',
  required: ['id', 'name', 'clientId', 'invitationUrl', 'redirectUris', 'confidential', 'dataSources'],
  properties: {
    ...clientLiteProperties,
    redirectUris: { type: 'array', items: { type: 'string' }, description: 'any of them redeems its invitations' },
    confidential: { type: 'boolean', description: 'whether the app authenticates with a client secret' },
    dataSources: { type: 'array', items: dataSourceLiteSchema },
  },
};
