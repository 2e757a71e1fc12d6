import { RestError } from '../errors.js';
import { runGraphQL } from '../execute.js';
import { connectionPage } from '../connection-pages.js';
import { PAGING_PARAMS } from '../paging.js';
import type { RestCall, Route } from '../route.js';
import { createPatientBody, idParam, idValue, patientMatchSchema, updatePatientBody } from '../shapes-patients.js';
import { bodySchema } from '../shapes-studies.js';
import { pageSchema, PATIENT_FIELDS, type PatientNode, patientSchema, toPatient } from '../shapes.js';
import { CLIENT_LITE_FIELDS, type ClientLiteNode, clientLiteSchema, toClientLite } from '../shapes-clients.js';

/**
 * `/patients`: JupyterHealth's patient routes over GraphQL's patients, patient, createPatient, updatePatient,
 * removePatientFromOrganizationOrDelete, deletePatient, patientLookup, addPatientToOrganization,
 * createPatientInvitation, patientClients and patientInvitations. Every decision (who sees which record, who may
 * change it) is the policy's, behind those operations.
 */

const LIST = `query ($first: Int, $after: String, $nodes: Boolean!, $organizationId: ID, $studyId: ID, $ids: [ID!],
    $identifier: IdentifierInput, $identifierValue: String) {
  patients(first: $first, after: $after, organizationId: $organizationId, studyId: $studyId, ids: $ids,
      identifier: $identifier, identifierValue: $identifierValue) {
    totalCount @include(if: $nodes) pageInfo { hasNextPage endCursor } nodes @include(if: $nodes) { ${PATIENT_FIELDS} }
  }
}`;
const READ = `query ($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} } }`;
const OWN = `{ me { patient { ${PATIENT_FIELDS} } } }`;
const CREATE = `mutation ($input: CreatePatientInput!) { createPatient(input: $input) { ${PATIENT_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdatePatientInput!) { updatePatient(id: $id, input: $input) { ${PATIENT_FIELDS} } }`;
const REMOVE = `mutation ($id: ID!, $organizationId: ID!) {
  removePatientFromOrganizationOrDelete(patientId: $id, organizationId: $organizationId) { deleted }
}`;
const DELETE = `mutation ($id: ID!) { deletePatient(id: $id) }`;
const LOOKUP = `query ($email: String!) {
  patientLookup(email: $email) { id nameFamily nameGiven email patient { ${PATIENT_FIELDS} } }
}`;
const ADD = `mutation ($id: ID!, $organizationId: ID!, $email: String) {
  addPatientToOrganization(patientId: $id, organizationId: $organizationId, email: $email) { ${PATIENT_FIELDS} }
}`;
const INVITE = `mutation ($id: ID!, $clientId: ID, $send: Boolean) {
  createPatientInvitation(patientId: $id, clientId: $clientId, send: $send) { link }
}`;
const CONSOLIDATED_CLIENTS = `query ($id: ID!) {
  patientClients(patientId: $id) { ${CLIENT_LITE_FIELDS} }
  patientInvitations(patientId: $id) {
    id status clientId createdAt expiresAt redeemedAt redeemedByClient cancelledAt supersededAt
  }
}`;

interface PatientBody {
  organizationId?: number | string;
  nameFamily?: string;
  nameGiven?: string;
  birthDate?: string | null;
  telecomEmail?: string;
  telecomPhone?: string | null;
  identifiers?: { system: string; value: string }[];
}

/** A REST patient body as GraphQL's patient input: the JupyterHealth names of its fields to the gateway's. */
const patientInput = ({ telecomEmail, telecomPhone, nameFamily, nameGiven, birthDate, identifiers }: PatientBody) =>
  Object.fromEntries(
    Object.entries({
      email: telecomEmail,
      phone: telecomPhone,
      nameFamily,
      nameGiven,
      birthDate,
      identifiers,
    }).filter(([, value]) => value !== undefined),
  );

const ORGANIZATION_ID = idParam('the organization (JupyterHealth sends it as the context of the change)');

const required = (value: string | undefined, name: string): string => {
  if (value === undefined || value === '') throw new RestError(400, `${name}: this query parameter is required`);
  return value;
};

/** `organizationId` of a body: an integer or its digits. */
const idText = (value: number | string) => String(value);

async function update({ schema, context, params, body }: RestCall) {
  const data = await runGraphQL<{ updatePatient: PatientNode }>(schema, context, UPDATE, {
    id: params.id,
    input: patientInput(body as PatientBody),
  });
  return toPatient(data.updatePatient);
}

const updateRoute = (method: 'patch' | 'put'): Route => ({
  method,
  path: '/patients/:id',
  tag: 'patients',
  summary:
    method === 'put'
      ? 'replaces the patient’s fields (names and email required); identifiers, when given, replace all'
      : 'changes some of the patient’s fields; identifiers, when given, replace all',
  query: { organization_id: ORGANIZATION_ID },
  body: updatePatientBody(method === 'put' ? ['nameFamily', 'nameGiven', 'telecomEmail'] : []),
  response: patientSchema,
  handle: update,
});

/** An invitation of the patient's, as consolidated_clients lists it under its client. */
interface InvitationNode {
  id: string;
  status: string;
  /** the OAuth client that may redeem it */
  clientId: string;
  createdAt: string;
  expiresAt: string;
  redeemedAt: string | null;
  redeemedByClient: string | null;
  cancelledAt: string | null;
  supersededAt: string | null;
}

const toInvitation = (i: InvitationNode) => ({
  id: Number(i.id),
  status: i.status.toLowerCase(),
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
  redeemedAt: i.redeemedAt,
  redeemedByClient: i.redeemedByClient,
  cancelledAt: i.cancelledAt,
  supersededAt: i.supersededAt,
});

const invitationSchema = {
  type: 'object',
  required: ['id', 'status', 'createdAt', 'expiresAt'],
  properties: {
    id: { type: 'integer' },
    status: { type: 'string', enum: ['pending', 'redeemed', 'cancelled', 'superseded', 'expired'] },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    redeemedAt: { type: ['string', 'null'], format: 'date-time' },
    redeemedByClient: { type: ['string', 'null'], description: 'the OAuth client that redeemed it' },
    cancelledAt: { type: ['string', 'null'], format: 'date-time' },
    supersededAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const CLIENT_ID = idParam(
  'a client of one of the patient’s studies whose invitation URL makes the link (none: the patient app’s)',
);

export const patientRoutes: Route[] = [
  {
    method: 'get',
    path: '/patients',
    tag: 'patients',
    summary: 'the patients the viewer may see, by id, a page at a time',
    query: {
      organization_id: idParam('patients of this organization'),
      study_id: idParam('patients enrolled in this study'),
      patient_id: idParam('this patient alone'),
      patient_identifier_system: {
        type: 'string',
        maxLength: 255,
        description: 'with patient_identifier_value: an identifier in this system',
      },
      patient_identifier_value: { type: 'string', maxLength: 255, description: 'an identifier’s value (any system)' },
      ...PAGING_PARAMS,
    },
    response: pageSchema(patientSchema),
    handle: async (call) => {
      const { query } = call;
      if (query.patient_identifier_system !== undefined && query.patient_identifier_value === undefined) {
        throw new RestError(400, 'patient_identifier_system: needs patient_identifier_value');
      }
      const value = query.patient_identifier_value;
      const system = query.patient_identifier_system;
      const filter = {
        organizationId: query.organization_id ?? null,
        studyId: query.study_id ?? null,
        ids: query.patient_id ? [query.patient_id] : null,
        identifier: value !== undefined && system !== undefined ? { system, value } : null,
        identifierValue: value !== undefined && system === undefined ? value : null,
      };
      return connectionPage(call, LIST, 'patients', filter, toPatient);
    },
  },
  {
    method: 'get',
    path: '/patients/me',
    tag: 'patients',
    summary: 'the signed-in patient’s own record (404 for a login without one)',
    response: patientSchema,
    handle: async ({ schema, context }) => {
      const { me } = await runGraphQL<{ me: { patient: PatientNode | null } }>(schema, context, OWN);
      if (!me.patient)
        throw new RestError(404, 'The signed-in user has no patient record (this route is for patients)');
      return toPatient(me.patient);
    },
  },
  {
    method: 'get',
    path: '/patients/global_lookup',
    tag: 'patients',
    summary:
      'the patient with exactly this email, in any organization (members and managers): the whole record where the viewer may see it, else only id, names and email',
    query: { email: { type: 'string', format: 'email', maxLength: 254, description: 'the exact email' } },
    response: { type: 'array', items: { oneOf: [patientSchema, patientMatchSchema] } },
    handle: async ({ schema, context, query }) => {
      const email = required(query.email, 'email');
      const { patientLookup } = await runGraphQL<{
        patientLookup: {
          id: string;
          nameFamily: string;
          nameGiven: string;
          email: string;
          patient: PatientNode | null;
        }[];
      }>(schema, context, LOOKUP, { email });
      return patientLookup.map((match) =>
        match.patient
          ? toPatient(match.patient)
          : {
              id: Number(match.id),
              nameFamily: match.nameFamily,
              nameGiven: match.nameGiven,
              telecomEmail: match.email,
            },
      );
    },
  },
  {
    method: 'post',
    path: '/patients',
    tag: 'patients',
    summary: 'creates a patient of an organization (its members and managers)',
    body: createPatientBody,
    status: 201,
    response: patientSchema,
    handle: async ({ schema, context, body }) => {
      const input = body as PatientBody & { organizationId: number | string };
      const data = await runGraphQL<{ createPatient: PatientNode }>(schema, context, CREATE, {
        input: { ...patientInput(input), organizationId: idText(input.organizationId) },
      });
      return toPatient(data.createPatient);
    },
  },
  {
    method: 'get',
    path: '/patients/:id',
    tag: 'patients',
    summary: 'one patient the viewer may see',
    response: patientSchema,
    handle: async ({ schema, context, params }) =>
      toPatient((await runGraphQL<{ patient: PatientNode }>(schema, context, READ, { id: params.id })).patient),
  },
  updateRoute('patch'),
  updateRoute('put'),
  {
    method: 'delete',
    path: '/patients/:id',
    tag: 'patients',
    summary:
      'with organization_id: removes the patient from that organization (and its studies), deleting the record when it was their last; without: deletes the record (rights in all its organizations)',
    query: { organization_id: idParam('the organization to remove the patient from') },
    status: 204,
    response: { type: 'null' },
    handle: async ({ schema, context, params, query }) => {
      if (query.organization_id) {
        await runGraphQL(schema, context, REMOVE, { id: params.id, organizationId: query.organization_id });
      } else {
        await runGraphQL(schema, context, DELETE, { id: params.id });
      }
      return undefined;
    },
  },
  {
    method: 'patch',
    path: '/patients/:id/global_add_organization',
    tag: 'patients',
    summary:
      'adds an existing patient to an organization where the viewer is a member or manager; a patient the viewer cannot see yet needs their exact email as well (found with global_lookup)',
    query: {
      organization_id: idParam('the organization to add the patient to'),
      email: {
        type: 'string',
        maxLength: 254,
        description: 'the patient’s exact email: needed when the viewer cannot see the patient yet',
      },
    },
    response: patientSchema,
    handle: async ({ schema, context, params, query }) => {
      const organizationId = required(query.organization_id, 'organization_id');
      try {
        const data = await runGraphQL<{ addPatientToOrganization: PatientNode }>(schema, context, ADD, {
          id: params.id,
          organizationId,
          email: query.email ?? null,
        });
        return toPatient(data.addPatientToOrganization);
      } catch (error) {
        // JupyterHealth answers 400 for a patient who already belongs to the organization
        if (error instanceof RestError && error.status === 409) throw new RestError(400, error.message);
        throw error;
      }
    },
  },
  {
    method: 'get',
    path: '/patients/:id/invitation_link',
    tag: 'patients',
    summary:
      'mints a new single-use invitation link (members and managers): with client_id, for that client of the patient’s studies, from its invitation URL; without, for the patient app, at INVITATION_LINK_PREFIX. It supersedes the unredeemed ones for the same client',
    query: {
      client_id: CLIENT_ID,
      application_id: { type: 'string', maxLength: 255, description: 'ignored: the client is client_id' },
      send_email: {
        type: 'string',
        enum: ['true', 'false'],
        description:
          'true: the gateway mails the link to the patient (refused without SMTP_URL); with INVITATION_DELIVERY=email-only it always does, and invitationLink is null',
      },
    },
    body: bodySchema({ clientId: { ...idValue, description: 'as the client_id query parameter' } }, []),
    optionalBody: true,
    response: {
      type: 'object',
      required: ['invitationLink'],
      properties: { invitationLink: { type: ['string', 'null'] } },
    },
    handle: async ({ schema, context, params, query, body }) => {
      const inBody = (body as { clientId?: number | string } | undefined)?.clientId;
      const fromBody = inBody === undefined ? undefined : String(inBody);
      if (query.client_id !== undefined && fromBody !== undefined && query.client_id !== fromBody) {
        throw new RestError(400, 'clientId: the query and the body name different clients');
      }
      const data = await runGraphQL<{ createPatientInvitation: { link: string | null } }>(schema, context, INVITE, {
        id: params.id,
        clientId: query.client_id ?? fromBody ?? null,
        send: query.send_email === 'true',
      });
      return { invitationLink: data.createPatientInvitation.link };
    },
  },
  {
    method: 'get',
    path: '/patients/:id/consolidated_clients',
    tag: 'patients',
    summary:
      'the clients of the patient’s studies (members and managers), each with the patient’s invitations to it, newest first',
    response: {
      type: 'array',
      items: {
        ...clientLiteSchema,
        required: [...clientLiteSchema.required, 'patientInvitations'],
        properties: {
          ...clientLiteSchema.properties,
          patientInvitations: { type: 'array', items: invitationSchema },
        },
      },
    },
    handle: async ({ schema, context, params }) => {
      const { patientClients, patientInvitations } = await runGraphQL<{
        patientClients: ClientLiteNode[];
        patientInvitations: InvitationNode[];
      }>(schema, context, CONSOLIDATED_CLIENTS, { id: params.id });
      return patientClients.map((client) => ({
        ...toClientLite(client),
        patientInvitations: patientInvitations.filter((i) => i.clientId === client.clientId).map(toInvitation),
      }));
    },
  },
];
