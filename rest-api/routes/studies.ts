import { RestError } from '../errors.js';
import { deleteByPathId, runGraphQL } from '../execute.js';
import { type Connection, PAGING_PARAMS, pageRequest, paginate } from '../paging.js';
import type { RestCall, Route } from '../route.js';
import { PATIENT_FIELDS, type PatientNode, pageSchema, patientSchema, toPatient } from '../shapes.js';
import { CLIENT_LITE_FIELDS, type ClientLiteNode, clientLiteSchema, toClientLite } from '../shapes-clients.js';
import {
  bodySchema,
  CODE_FIELDS,
  type CodeNode,
  codeSchema,
  DATA_SOURCE_LITE_FIELDS,
  type DataSourceLiteNode,
  dataSourceLiteSchema,
  idQuerySchema,
  idSchema,
  linked,
  STUDY_FIELDS,
  type StudyNode,
  studyReadSchema,
  studyWriteSchema,
  toCode,
  toDataSourceLite,
  toStudyRead,
  toStudyWrite,
} from '../shapes-studies.js';

/**
 * `/studies`: JupyterHealth's StudyViewSet over GraphQL's studies (FHIR Groups). Who may see or change what is
 * the policy's, through the operations below: a study of an organization the viewer holds no role in is a 404, a
 * viewer's write a 403. The rows linking a study to its patients, scope codes and data sources carry the linked
 * row's id as theirs (unique within the study): GraphQL names the links by what they link.
 */

const STUDIES = `query ($organizationId: ID, $first: Int, $after: String, $nodes: Boolean!) {
  studies(organizationId: $organizationId, first: $first, after: $after) {
    totalCount @include(if: $nodes)
    pageInfo { hasNextPage endCursor }
    nodes @include(if: $nodes) { ${STUDY_FIELDS} }
  }
}`;
const STUDY = `query ($id: ID!) { study(id: $id) { ${STUDY_FIELDS} } }`;
const CREATE = `mutation ($input: CreateStudyInput!) { createStudy(input: $input) { ${STUDY_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateStudyInput!) { updateStudy(id: $id, input: $input) { ${STUDY_FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deleteStudy(id: $id) }`;

const PATIENTS = `query ($studyId: ID!, $first: Int, $after: String, $nodes: Boolean!) {
  patients(studyId: $studyId, first: $first, after: $after) {
    totalCount @include(if: $nodes)
    pageInfo { hasNextPage endCursor }
    nodes @include(if: $nodes) { ${PATIENT_FIELDS} }
  }
}`;
const ENROLL = `mutation ($studyId: ID!, $patientIds: [ID!]!) {
  addPatientsToStudy(studyId: $studyId, patientIds: $patientIds) { ${STUDY_FIELDS} }
}`;
const UNENROLL = `mutation ($studyId: ID!, $patientIds: [ID!]!) {
  removePatientsFromStudy(studyId: $studyId, patientIds: $patientIds) { id }
}`;

const SCOPE_REQUESTS = `query ($id: ID!) { study(id: $id) { ${STUDY_FIELDS} scopeRequests { ${CODE_FIELDS} } } }`;
const ADD_SCOPE_REQUEST = `mutation ($studyId: ID!, $codeId: ID!) {
  addStudyScopeRequest(studyId: $studyId, codeableConceptId: $codeId) { ${STUDY_FIELDS} scopeRequests { ${CODE_FIELDS} } }
}`;
const REMOVE_SCOPE_REQUEST = `mutation ($studyId: ID!, $codeId: ID!) {
  removeStudyScopeRequest(studyId: $studyId, codeableConceptId: $codeId) { id }
}`;

const DATA_SOURCES = `query ($id: ID!) { study(id: $id) { ${STUDY_FIELDS} dataSources { ${DATA_SOURCE_LITE_FIELDS} } } }`;
const ADD_DATA_SOURCE = `mutation ($studyId: ID!, $dataSourceId: ID!) {
  addStudyDataSource(studyId: $studyId, dataSourceId: $dataSourceId) { ${STUDY_FIELDS} dataSources { ${DATA_SOURCE_LITE_FIELDS} } }
}`;
const REMOVE_DATA_SOURCE = `mutation ($studyId: ID!, $dataSourceId: ID!) {
  removeStudyDataSource(studyId: $studyId, dataSourceId: $dataSourceId) { id }
}`;

const CLIENTS = `query ($id: ID!) { study(id: $id) { ${STUDY_FIELDS} clients { ${CLIENT_LITE_FIELDS} } } }`;
const ADD_CLIENT = `mutation ($studyId: ID!, $clientId: ID!) {
  addStudyClient(studyId: $studyId, clientId: $clientId) { ${STUDY_FIELDS} clients { ${CLIENT_LITE_FIELDS} } }
}`;
const REMOVE_CLIENT = `mutation ($studyId: ID!, $clientId: ID!) { removeStudyClient(studyId: $studyId, clientId: $clientId) { id } }`;

type Page<T> = { totalCount?: number; pageInfo: Connection<T>['pageInfo']; nodes?: T[] };
const asConnection = <T>(page: Page<T>): Connection<T> => ({ ...page, totalCount: page.totalCount ?? 0 });

// ---- bodies ------------------------------------------------------------------------------------------------

const studyFields = {
  name: { type: 'string', minLength: 1, maxLength: 255 },
  description: { type: 'string', maxLength: 10_000 },
  organization: { ...idSchema, description: 'the id of the organization running the study' },
  iconUrl: { type: ['string', 'null'], maxLength: 2048, description: 'an http(s) URL' },
};
const createBody = bodySchema(studyFields, ['name', 'description', 'organization']);
const replaceBody = bodySchema(studyFields, ['name', 'description', 'organization']);
const patchBody = bodySchema(studyFields, [], { minProperties: 1 });
const patientIdsBody = bodySchema({ patientIds: { type: 'array', items: idSchema, minItems: 1, maxItems: 1000 } }, [
  'patientIds',
]);
const scopeCodeBody = bodySchema({ scopeCodeId: idSchema }, ['scopeCodeId']);
const dataSourceBody = bodySchema({ dataSourceId: idSchema }, ['dataSourceId']);
const clientBody = bodySchema(
  { clientId: { ...idSchema, description: 'the client record’s id (not its OAuth client id)' } },
  ['clientId'],
);

interface StudyBody {
  name?: string;
  description?: string;
  organization?: number;
  iconUrl?: string | null;
}

// ---- links -------------------------------------------------------------------------------------------------

const scopeRequestSchema = {
  type: 'object',
  required: ['id', 'study', 'scopeCode'],
  properties: {
    id: { type: 'integer', description: 'the scope code’s id (unique within the study)' },
    study: studyWriteSchema,
    scopeCode: codeSchema,
  },
};
const studyDataSourceSchema = {
  type: 'object',
  required: ['id', 'study', 'dataSource'],
  properties: {
    id: { type: 'integer', description: 'the data source’s id (unique within the study)' },
    study: studyWriteSchema,
    dataSource: dataSourceLiteSchema,
  },
};
const studyClientSchema = {
  type: 'object',
  required: ['id', 'study', 'client'],
  properties: {
    id: { type: 'integer', description: 'the client’s id (unique within the study)' },
    study: studyWriteSchema,
    client: clientLiteSchema,
  },
};
const studyPatientSchema = {
  type: 'object',
  required: ['id', 'study', 'patient'],
  properties: {
    id: { type: 'integer', description: 'the patient’s id (unique within the study)' },
    study: studyWriteSchema,
    patient: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
  },
};

const scopeRequest = (study: StudyNode, code: CodeNode) => ({
  id: Number(code.id),
  study: toStudyWrite(study),
  scopeCode: toCode(code),
});
const studyDataSource = (study: StudyNode, source: DataSourceLiteNode) => ({
  id: Number(source.id),
  study: toStudyWrite(study),
  dataSource: toDataSourceLite(source),
});

const studyClient = (study: StudyNode, client: ClientLiteNode) => ({
  id: Number(client.id),
  study: toStudyWrite(study),
  client: toClientLite(client),
});

/** The study's current organization must be the body's: studies do not move (GraphQL cannot move them either). */
async function assertSameOrganization({ schema, context, params }: RestCall, organization: number | undefined) {
  if (organization === undefined) return;
  const { study } = await runGraphQL<{ study: StudyNode }>(schema, context, STUDY, { id: params.id });
  // a viewer who may see the study but not its organization cannot edit it either: updateStudy says so
  if (study.organization && Number(study.organization.id) !== organization) {
    throw new RestError(400, 'organization: a study cannot move to another organization');
  }
}

async function update(call: RestCall) {
  const { organization, ...fields } = call.body as StudyBody;
  await assertSameOrganization(call, organization);
  const { updateStudy } = await runGraphQL<{ updateStudy: StudyNode }>(call.schema, call.context, UPDATE, {
    id: call.params.id,
    input: fields,
  });
  return toStudyWrite(updateStudy);
}

export const studyRoutes: Route[] = [
  {
    method: 'get',
    path: '/studies',
    tag: 'studies',
    summary:
      'the studies the viewer may see (their organizations’; a patient’s own; a super user’s all), by id; `organization_id` narrows to one organization',
    query: { organization_id: { ...idQuerySchema, description: 'only this organization’s studies' }, ...PAGING_PARAMS },
    response: pageSchema(studyReadSchema),
    handle: ({ schema, context, query, url, config }) =>
      paginate(
        url,
        pageRequest(query, config.fhir.maxPageSkip),
        async (first, after, nodes) =>
          asConnection(
            (
              await runGraphQL<{ studies: Page<StudyNode> }>(schema, context, STUDIES, {
                organizationId: query.organization_id ?? null,
                first,
                after,
                nodes,
              })
            ).studies,
          ),
        toStudyRead,
      ),
  },
  {
    method: 'post',
    path: '/studies',
    tag: 'studies',
    summary: 'creates a study in an organization (its members and managers)',
    body: createBody,
    status: 201,
    response: studyWriteSchema,
    handle: async ({ schema, context, body }) => {
      const { organization, ...fields } = body as StudyBody;
      const { createStudy } = await runGraphQL<{ createStudy: StudyNode }>(schema, context, CREATE, {
        input: { ...fields, organizationId: String(organization) },
      });
      return toStudyWrite(createStudy);
    },
  },
  {
    method: 'get',
    path: '/studies/:id',
    tag: 'studies',
    summary: 'one study',
    response: studyReadSchema,
    handle: async ({ schema, context, params }) =>
      toStudyRead((await runGraphQL<{ study: StudyNode }>(schema, context, STUDY, { id: params.id })).study),
  },
  {
    method: 'put',
    path: '/studies/:id',
    tag: 'studies',
    summary: 'changes a study: name, description and organization (which must stay the same) given, iconUrl may be',
    body: replaceBody,
    response: studyWriteSchema,
    handle: update,
  },
  {
    method: 'patch',
    path: '/studies/:id',
    tag: 'studies',
    summary: 'changes some of a study’s name, description and iconUrl',
    body: patchBody,
    response: studyWriteSchema,
    handle: update,
  },
  {
    method: 'delete',
    path: '/studies/:id',
    tag: 'studies',
    summary: 'deletes a study with its enrollments and the consents given to it (patients and observations stay)',
    status: 204,
    response: {},
    handle: deleteByPathId(DELETE),
  },
  {
    method: 'get',
    path: '/studies/:id/patients',
    tag: 'studies',
    summary: 'the study’s enrolled patients the viewer may see, by id',
    query: { ...PAGING_PARAMS },
    response: pageSchema(patientSchema),
    handle: ({ schema, context, params, query, url, config }) =>
      paginate(
        url,
        pageRequest(query, config.fhir.maxPageSkip),
        async (first, after, nodes) =>
          asConnection(
            (
              await runGraphQL<{ patients: Page<PatientNode> }>(schema, context, PATIENTS, {
                studyId: params.id,
                first,
                after,
                nodes,
              })
            ).patients,
          ),
        toPatient,
      ),
  },
  {
    method: 'post',
    path: '/studies/:id/patients',
    tag: 'studies',
    summary:
      'enrolls patients of the study’s organization, all or none (enrolling an enrolled patient again is no error)',
    body: patientIdsBody,
    status: 201,
    response: {
      type: 'object',
      required: ['studyPatients'],
      properties: { studyPatients: { type: 'array', items: studyPatientSchema } },
    },
    handle: async ({ schema, context, params, body }) => {
      const { patientIds } = body as { patientIds: number[] };
      const { addPatientsToStudy } = await runGraphQL<{ addPatientsToStudy: StudyNode }>(schema, context, ENROLL, {
        studyId: params.id,
        patientIds: patientIds.map(String),
      });
      const study = toStudyWrite(addPatientsToStudy);
      return { studyPatients: [...new Set(patientIds)].map((id) => ({ id, study, patient: { id } })) };
    },
  },
  {
    method: 'delete',
    path: '/studies/:id/patients',
    tag: 'studies',
    summary: 'unenrolls patients, all or none (each must be enrolled); their consents to the study go with them',
    body: patientIdsBody,
    status: 204,
    response: {},
    handle: async ({ schema, context, params, body }) => {
      const { patientIds } = body as { patientIds: number[] };
      await runGraphQL(schema, context, UNENROLL, { studyId: params.id, patientIds: patientIds.map(String) });
      return undefined;
    },
  },
  {
    method: 'get',
    path: '/studies/:id/scope_requests',
    tag: 'studies',
    summary: 'the scope codes the study asks its patients to share',
    response: { type: 'array', items: scopeRequestSchema },
    handle: async ({ schema, context, params }) => {
      const { study } = await runGraphQL<{ study: StudyNode & { scopeRequests: CodeNode[] } }>(
        schema,
        context,
        SCOPE_REQUESTS,
        { id: params.id },
      );
      return study.scopeRequests.map((code) => scopeRequest(study, code));
    },
  },
  {
    method: 'post',
    path: '/studies/:id/scope_requests',
    tag: 'studies',
    summary: 'asks the study’s patients to share one more scope code (409 if it already does)',
    body: scopeCodeBody,
    status: 201,
    response: scopeRequestSchema,
    handle: async ({ schema, context, params, body }) => {
      const { scopeCodeId } = body as { scopeCodeId: number };
      const { addStudyScopeRequest: study } = await runGraphQL<{
        addStudyScopeRequest: StudyNode & { scopeRequests: CodeNode[] };
      }>(schema, context, ADD_SCOPE_REQUEST, { studyId: params.id, codeId: String(scopeCodeId) });
      return scopeRequest(study, linked(study.scopeRequests, scopeCodeId));
    },
  },
  {
    method: 'delete',
    path: '/studies/:id/scope_requests',
    tag: 'studies',
    summary: 'stops asking for a scope code; the patients’ answers to it are forgotten',
    body: scopeCodeBody,
    status: 204,
    response: {},
    handle: async ({ schema, context, params, body }) => {
      const { scopeCodeId } = body as { scopeCodeId: number };
      await runGraphQL(schema, context, REMOVE_SCOPE_REQUEST, { studyId: params.id, codeId: String(scopeCodeId) });
      return undefined;
    },
  },
  {
    method: 'get',
    path: '/studies/:id/data_sources',
    tag: 'studies',
    summary: 'the data sources the study uses',
    response: { type: 'array', items: studyDataSourceSchema },
    handle: async ({ schema, context, params }) => {
      const { study } = await runGraphQL<{ study: StudyNode & { dataSources: DataSourceLiteNode[] } }>(
        schema,
        context,
        DATA_SOURCES,
        { id: params.id },
      );
      return study.dataSources.map((source) => studyDataSource(study, source));
    },
  },
  {
    method: 'post',
    path: '/studies/:id/data_sources',
    tag: 'studies',
    summary: 'adds a data source to the study (409 if it already uses it)',
    body: dataSourceBody,
    status: 201,
    response: studyDataSourceSchema,
    handle: async ({ schema, context, params, body }) => {
      const { dataSourceId } = body as { dataSourceId: number };
      const { addStudyDataSource: study } = await runGraphQL<{
        addStudyDataSource: StudyNode & { dataSources: DataSourceLiteNode[] };
      }>(schema, context, ADD_DATA_SOURCE, { studyId: params.id, dataSourceId: String(dataSourceId) });
      return studyDataSource(study, linked(study.dataSources, dataSourceId));
    },
  },
  {
    method: 'delete',
    path: '/studies/:id/data_sources',
    tag: 'studies',
    summary: 'removes a data source from the study',
    body: dataSourceBody,
    status: 204,
    response: {},
    handle: async ({ schema, context, params, body }) => {
      const { dataSourceId } = body as { dataSourceId: number };
      await runGraphQL(schema, context, REMOVE_DATA_SOURCE, {
        studyId: params.id,
        dataSourceId: String(dataSourceId),
      });
      return undefined;
    },
  },
  {
    method: 'get',
    path: '/studies/:id/clients',
    tag: 'studies',
    summary: 'the clients (apps) the study’s patients may be invited to',
    response: { type: 'array', items: studyClientSchema },
    handle: async ({ schema, context, params }) => {
      const { study } = await runGraphQL<{ study: StudyNode & { clients: ClientLiteNode[] } }>(
        schema,
        context,
        CLIENTS,
        { id: params.id },
      );
      return study.clients.map((client) => studyClient(study, client));
    },
  },
  {
    method: 'post',
    path: '/studies/:id/clients',
    tag: 'studies',
    summary: 'lets the study’s patients be invited to a client (409 if the study already holds it)',
    body: clientBody,
    status: 201,
    response: studyClientSchema,
    handle: async ({ schema, context, params, body }) => {
      const { clientId } = body as { clientId: number };
      const { addStudyClient: study } = await runGraphQL<{
        addStudyClient: StudyNode & { clients: ClientLiteNode[] };
      }>(schema, context, ADD_CLIENT, { studyId: params.id, clientId: String(clientId) });
      return studyClient(study, linked(study.clients, clientId));
    },
  },
  {
    method: 'delete',
    path: '/studies/:id/clients',
    tag: 'studies',
    summary: 'removes a client from the study: new invitations to it need another study of the patient’s that holds it',
    body: clientBody,
    status: 204,
    response: {},
    handle: async ({ schema, context, params, body }) => {
      const { clientId } = body as { clientId: number };
      await runGraphQL(schema, context, REMOVE_CLIENT, { studyId: params.id, clientId: String(clientId) });
      return undefined;
    },
  },
];
