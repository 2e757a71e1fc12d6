import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { type Mailbox, startMailbox } from './support/mail.js';
import { heartRate, observation } from './support/omh.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { PATIENT } from './support/seed-viewers.js';
import { gql } from './support/tokens.js';

/**
 * Every GraphQL query and mutation and every FHIR interaction, with real tokens from the provider carrying a
 * set of scopes: the operation runs when (and only when) one of them covers what it needs, and is refused with
 * a FORBIDDEN (403) naming the scope otherwise. The scope each operation needs is written here independently of
 * the gateway's own table (graphql/rules/scopes.ts), so that this test also checks that table.
 */

let app: TestApp;
let mailbox: Mailbox;
beforeAll(async () => {
  // creating a practitioner mails their password link: it needs SMTP
  mailbox = await startMailbox();
  app = await startTestApp({ SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await app?.close();
  await mailbox?.close();
});

type Vars = Record<string, unknown>;
interface Operation {
  /** the scope it needs, as `Resource.x` (`*.x` for non-FHIR things); '' for none */
  needs: string;
  as: 'mary' | 'sam' | 'peter';
  query: string;
  /** made with a full-rights token before each run (fresh rows for deletes and the like) */
  setup?: () => Promise<Vars>;
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`;
const full = (email: string, query: string, variables: Vars = {}) =>
  gql(app, email, query, variables).then((r) => {
    if (r.errors) throw new Error(`setup failed: ${JSON.stringify(r.errors)}`);
    return r.data!;
  });
const asMary = (query: string, variables: Vars = {}) => full('mary@example.com', query, variables);
const asSam = (query: string, variables: Vars = {}) => full('sam@example.com', query, variables);

const newOrg = async () =>
  (
    await asMary(
      `mutation ($n: String!) { createOrganization(input: { name: $n, type: TEAM, partOfId: "20003" }) { id } }`,
      {
        n: unique('Org'),
      },
    )
  ).createOrganization.id as string;
const newPatient = async (identifier?: string) =>
  (
    await asMary(
      `mutation ($e: String!, $ids: [IdentifierInput!]) {
        createPatient(input: { organizationId: "20003", email: $e, nameFamily: "Scope", nameGiven: "S", identifiers: $ids }) { id }
      }`,
      {
        e: `${unique('p')}@example.org`,
        ids: identifier ? [{ system: 'https://ids.example', value: identifier }] : [],
      },
    )
  ).createPatient.id as string;
const newStudy = async (extra = '') =>
  (
    await asMary(
      `mutation ($n: String!) { createStudy(input: { organizationId: "20003", name: $n ${extra} }) { id } }`,
      {
        n: unique('Study'),
      },
    )
  ).createStudy.id as string;
const newSource = async (extra = '') =>
  (
    await asSam(`mutation ($n: String!) { createDataSource(input: { name: $n, type: DEVICE ${extra} }) { id } }`, {
      n: unique('Source'),
    })
  ).createDataSource.id as string;
const newClient = async () =>
  (
    await asSam(
      'mutation ($c: String!) { createClient(input: { clientId: $c, name: "App", redirectUris: ["https://app.example/cb"] }) { client { id } } }',
      { c: unique('app') },
    )
  ).createClient.client.id as string;
const START_EXPORT = `mutation ($types: [String!]) {
  startBulkExport(input: { studyId: "30001", types: $types, requestUrl: "http://localhost/fhir/r5/Group/30001/$export" }) { id }
}`;
/** one of mary's bulk exports, just started */
const newExport = async (types = ['Group']) => (await asMary(START_EXPORT, { types })).startBulkExport.id as string;
let completeExportFile: string | undefined;
/** a file of one of mary's complete exports (made once: reading it changes nothing) */
const exportFile = async () => {
  if (completeExportFile) return completeExportFile;
  const id = await newExport();
  const status = () => asMary('query ($id: ID!) { bulkExport(id: $id) { status files { id } } }', { id });
  await expect.poll(async () => (await status()).bulkExport.status, { timeout: 20_000 }).toBe('COMPLETE');
  completeExportFile = (await status()).bulkExport.files[0].id as string;
  return completeExportFile;
};
const newPractitioner = async () =>
  (
    await asSam(
      'mutation ($e: String!) { createPractitioner(input: { email: $e, firstName: "Scope", lastName: "P" }) { id } }',
      { e: `${unique('pr')}@example.org` },
    )
  ).createPractitioner.id as string;
const MEGAN = 'megan@example.com';
let meganPractitioner: string;
beforeAll(async () => {
  meganPractitioner = (await full(MEGAN, '{ me { practitioner { id } } }')).me.practitioner.id;
});

const OPERATIONS: Record<string, Operation> = {
  codeableConcepts: { needs: '', as: 'mary', query: '{ codeableConcepts { id } }' },
  me: { needs: '', as: 'mary', query: '{ me { id } }' },
  viewerCan: { needs: '', as: 'mary', query: '{ viewerCan { createTopLevelOrganization } }' },
  dataSource: { needs: 'Device.r', as: 'mary', query: '{ dataSource(id: "70001") { id } }' },
  dataSources: { needs: 'Device.s', as: 'mary', query: '{ dataSources { id } }' },
  observation: {
    needs: 'Observation.r',
    as: 'mary',
    query: 'query ($id: ID!) { observation(id: $id) { id } }',
    setup: async () => ({
      id: (await asMary('{ observations(filter: { studyId: "30001" }, first: 1) { nodes { id } } }')).observations
        .nodes[0].id,
    }),
  },
  observations: {
    needs: 'Observation.s',
    as: 'mary',
    query: '{ observations(filter: { studyId: "30001" }, first: 2) { nodes { id } } }',
  },
  observationSummary: {
    needs: 'Observation.s',
    as: 'mary',
    query: '{ observationSummary(filter: { studyId: "30001" }, bucket: DAY) { count code { id } } }',
  },
  observationDateRange: {
    needs: 'Observation.s',
    as: 'mary',
    query: '{ observationDateRange(filter: { studyId: "30001" }) { count first last } }',
  },
  omhSchemas: { needs: '', as: 'mary', query: '{ omhSchemas { name } }' },
  omhSchema: { needs: '', as: 'mary', query: '{ omhSchema(name: "omh:heart-rate:2.0") { name } }' },
  organization: { needs: 'Organization.r', as: 'mary', query: '{ organization(id: "20003") { id } }' },
  organizations: { needs: 'Organization.s', as: 'mary', query: '{ organizations { id } }' },
  visibleOrganizations: {
    needs: 'Organization.s',
    as: 'mary',
    query: '{ visibleOrganizations(partOfId: "20002", first: 2) { totalCount nodes { id } } }',
  },
  patient: { needs: 'Patient.r', as: 'mary', query: '{ patient(id: "40001") { id } }' },
  patients: {
    needs: 'Patient.s',
    as: 'mary',
    query: '{ patients(organizationId: "20003", name: "pet", birthDate: "1990-01-01") { nodes { id } } }',
  },
  patientInvitations: { needs: 'Patient.r', as: 'mary', query: '{ patientInvitations(patientId: "40001") { id } }' },
  patientLookup: { needs: 'Patient.s', as: 'mary', query: '{ patientLookup(email: "percy@example.com") { id } }' },
  practitioner: {
    needs: 'Practitioner.r',
    as: 'mary',
    query: 'query ($id: ID!) { practitioner(id: $id) { id } }',
    setup: async () => ({ id: meganPractitioner }),
  },
  practitioners: {
    needs: 'Practitioner.s',
    as: 'mary',
    query: '{ practitioners(organizationId: "20003", name: "m", first: 2) { totalCount nodes { id } } }',
  },
  practitionerRole: { needs: 'PractitionerRole.r', as: 'mary', query: '{ practitionerRole(id: "4") { id role } }' },
  practitionerRoles: {
    needs: 'PractitionerRole.s',
    as: 'mary',
    query: '{ practitionerRoles(organizationId: "20003", role: MEMBER) { totalCount nodes { id } } }',
  },
  enrollmentConsent: {
    needs: 'Consent.r',
    as: 'peter',
    query: '{ enrollmentConsent(patientId: "40001", studyId: "30001") { id state } }',
  },
  enrollmentConsents: {
    needs: 'Consent.s',
    as: 'mary',
    query: '{ enrollmentConsents(studyId: "30001", state: SHARING) { totalCount nodes { id } } }',
  },
  studies: { needs: 'Group.s', as: 'mary', query: '{ studies(organizationId: "20003") { nodes { id } } }' },
  study: { needs: 'Group.r', as: 'mary', query: '{ study(id: "30001") { id } }' },
  clients: { needs: '*.s', as: 'mary', query: '{ clients { id clientId } }' },
  client: { needs: '*.r', as: 'mary', query: '{ client(id: "90001") { id } }' },
  patientClients: { needs: 'Patient.r', as: 'mary', query: '{ patientClients(patientId: "40001") { id } }' },
  bulkExport: {
    needs: '',
    as: 'mary',
    query: 'query ($id: ID!) { bulkExport(id: $id) { id status } }',
    setup: async () => ({ id: await newExport() }),
  },
  bulkExportFile: {
    needs: '',
    as: 'mary',
    query: 'query ($id: ID!) { bulkExportFile(id: $id) { id count } }',
    setup: async () => ({ id: await exportFile() }),
  },
  bulkExportFileChunk: {
    needs: '',
    as: 'mary',
    query: 'query ($id: ID!) { bulkExportFileChunk(fileId: $id, seq: 0) }',
    setup: async () => ({ id: await exportFile() }),
  },
  auditEvents: { needs: 'AuditEvent.s', as: 'sam', query: '{ auditEvents(first: 1) { nodes { id } } }' },

  startBulkExport: {
    needs: 'Observation.s',
    as: 'mary',
    query: START_EXPORT,
    setup: async () => ({ types: ['Observation'] }),
  },
  cancelBulkExport: {
    needs: '',
    as: 'mary',
    query: 'mutation ($id: ID!) { cancelBulkExport(id: $id) { id } }',
    setup: async () => ({ id: await newExport() }),
  },
  createOrganization: {
    needs: 'Organization.c',
    as: 'mary',
    query: 'mutation ($n: String!) { createOrganization(input: { name: $n, type: TEAM, partOfId: "20003" }) { id } }',
    setup: async () => ({ n: unique('Org') }),
  },
  updateOrganization: {
    needs: 'Organization.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { updateOrganization(id: $id, input: { type: DEPT }) { id } }',
    setup: async () => ({ id: await newOrg() }),
  },
  deleteOrganization: {
    needs: 'Organization.d',
    as: 'mary',
    query: 'mutation ($id: ID!) { deleteOrganization(id: $id) }',
    setup: async () => ({ id: await newOrg() }),
  },
  addPractitionerToOrganization: {
    needs: 'Organization.u',
    as: 'mary',
    query:
      'mutation ($id: ID!) { addPractitionerToOrganization(organizationId: $id, email: "megan@example.com", role: VIEWER) { role } }',
    setup: async () => ({ id: await newOrg() }),
  },
  changePractitionerRole: {
    needs: 'Organization.u',
    as: 'mary',
    query:
      'mutation ($id: ID!, $p: ID!) { changePractitionerRole(organizationId: $id, practitionerId: $p, role: MEMBER) { role } }',
    setup: async () => {
      const id = await newOrg();
      await asMary(
        `mutation { addPractitionerToOrganization(organizationId: "${id}", email: "${MEGAN}", role: VIEWER) { role } }`,
      );
      return { id, p: meganPractitioner };
    },
  },
  removePractitionerFromOrganization: {
    needs: 'Organization.u',
    as: 'mary',
    query:
      'mutation ($id: ID!, $p: ID!) { removePractitionerFromOrganization(organizationId: $id, practitionerId: $p) }',
    setup: async () => {
      const id = await newOrg();
      await asMary(
        `mutation { addPractitionerToOrganization(organizationId: "${id}", email: "${MEGAN}", role: VIEWER) { role } }`,
      );
      return { id, p: meganPractitioner };
    },
  },
  createPatient: {
    needs: 'Patient.c',
    as: 'mary',
    query:
      'mutation ($e: String!) { createPatient(input: { organizationId: "20003", email: $e, nameFamily: "N", nameGiven: "N" }) { id } }',
    setup: async () => ({ e: `${unique('c')}@example.org` }),
  },
  updatePatient: {
    needs: 'Patient.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { updatePatient(id: $id, input: { phone: "+1 555 0100" }) { id } }',
    setup: async () => ({ id: await newPatient() }),
  },
  deletePatient: {
    needs: 'Patient.d',
    as: 'mary',
    query: 'mutation ($id: ID!) { deletePatient(id: $id) }',
    setup: async () => ({ id: await newPatient() }),
  },
  addPatientToOrganization: {
    needs: 'Patient.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { addPatientToOrganization(patientId: $id, organizationId: "20002") { id } }',
    setup: async () => ({ id: await newPatient() }),
  },
  removePatientFromOrganization: {
    needs: 'Patient.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { removePatientFromOrganization(patientId: $id, organizationId: "20002") { id } }',
    setup: async () => {
      const id = await newPatient();
      await asMary(`mutation { addPatientToOrganization(patientId: "${id}", organizationId: "20002") { id } }`);
      return { id };
    },
  },
  removePatientFromOrganizationOrDelete: {
    needs: 'Patient.d',
    as: 'mary',
    query:
      'mutation ($id: ID!) { removePatientFromOrganizationOrDelete(patientId: $id, organizationId: "20003") { deleted } }',
    setup: async () => ({ id: await newPatient() }),
  },
  addPatientIdentifier: {
    needs: 'Patient.u',
    as: 'mary',
    query:
      'mutation ($id: ID!, $v: String!) { addPatientIdentifier(patientId: $id, identifier: { system: "https://ids.example", value: $v }) { id } }',
    setup: async () => ({ id: await newPatient(), v: unique('mrn') }),
  },
  removePatientIdentifier: {
    needs: 'Patient.u',
    as: 'mary',
    query:
      'mutation ($id: ID!, $v: String!) { removePatientIdentifier(patientId: $id, identifier: { system: "https://ids.example", value: $v }) { id } }',
    setup: async () => {
      const v = unique('mrn');
      return { id: await newPatient(v), v };
    },
  },
  createPatientInvitation: {
    needs: 'Patient.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { createPatientInvitation(patientId: $id) { id } }',
    setup: async () => ({ id: await newPatient() }),
  },
  cancelPatientInvitation: {
    needs: 'Patient.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { cancelPatientInvitation(id: $id) { id } }',
    setup: async () => ({
      id: (await asMary(`mutation { createPatientInvitation(patientId: "${await newPatient()}") { id } }`))
        .createPatientInvitation.id,
    }),
  },
  createStudy: {
    needs: 'Group.c',
    as: 'mary',
    query: 'mutation ($n: String!) { createStudy(input: { organizationId: "20003", name: $n }) { id } }',
    setup: async () => ({ n: unique('Study') }),
  },
  updateStudy: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { updateStudy(id: $id, input: { description: "changed" }) { id } }',
    setup: async () => ({ id: await newStudy() }),
  },
  deleteStudy: {
    needs: 'Group.d',
    as: 'mary',
    query: 'mutation ($id: ID!) { deleteStudy(id: $id) }',
    setup: async () => ({ id: await newStudy() }),
  },
  addStudyDataSource: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { addStudyDataSource(studyId: $id, dataSourceId: "70001") { id } }',
    setup: async () => ({ id: await newStudy() }),
  },
  removeStudyDataSource: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { removeStudyDataSource(studyId: $id, dataSourceId: "70001") { id } }',
    setup: async () => ({ id: await newStudy('dataSourceIds: ["70001"]') }),
  },
  addStudyScopeRequest: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { addStudyScopeRequest(studyId: $id, codeableConceptId: "50001") { id } }',
    setup: async () => ({ id: await newStudy() }),
  },
  removeStudyScopeRequest: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { removeStudyScopeRequest(studyId: $id, codeableConceptId: "50001") { id } }',
    setup: async () => ({ id: await newStudy('scopeIds: ["50001"]') }),
  },
  addPatientsToStudy: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!, $p: ID!) { addPatientsToStudy(studyId: $id, patientIds: [$p]) { id } }',
    setup: async () => ({ id: await newStudy(), p: await newPatient() }),
  },
  removePatientFromStudy: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!, $p: ID!) { removePatientFromStudy(studyId: $id, patientId: $p) { id } }',
    setup: async () => {
      const [id, p] = [await newStudy(), await newPatient()];
      await asMary(`mutation { addPatientsToStudy(studyId: "${id}", patientIds: ["${p}"]) { id } }`);
      return { id, p };
    },
  },
  removePatientsFromStudy: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!, $p: ID!) { removePatientsFromStudy(studyId: $id, patientIds: [$p]) { id } }',
    setup: async () => {
      const [id, p] = [await newStudy(), await newPatient()];
      await asMary(`mutation { addPatientsToStudy(studyId: "${id}", patientIds: ["${p}"]) { id } }`);
      return { id, p };
    },
  },
  createDataSource: {
    needs: 'Device.c',
    as: 'sam',
    query: 'mutation ($n: String!) { createDataSource(input: { name: $n, type: DEVICE }) { id } }',
    setup: async () => ({ n: unique('Source') }),
  },
  updateDataSource: {
    needs: 'Device.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { updateDataSource(id: $id, input: { type: MEDICAL_DEVICE }) { id } }',
    setup: async () => ({ id: await newSource() }),
  },
  addDataSourceScope: {
    needs: 'Device.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { addDataSourceScope(dataSourceId: $id, codeableConceptId: "50001") { id } }',
    setup: async () => ({ id: await newSource() }),
  },
  removeDataSourceScope: {
    needs: 'Device.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { removeDataSourceScope(dataSourceId: $id, codeableConceptId: "50001") { id } }',
    setup: async () => ({ id: await newSource('supportedScopeIds: ["50001"]') }),
  },
  deleteDataSource: {
    needs: 'Device.d',
    as: 'sam',
    query: 'mutation ($id: ID!) { deleteDataSource(id: $id) }',
    setup: async () => ({ id: await newSource() }),
  },
  createCodeableConcept: {
    needs: '*.c',
    as: 'sam',
    query:
      'mutation ($c: String!) { createCodeableConcept(input: { codingSystem: "https://codes.example", codingCode: $c, text: "T" }) { id } }',
    setup: async () => ({ c: unique('code') }),
  },
  updateCodeableConcept: {
    needs: '*.u',
    as: 'sam',
    query: 'mutation { updateCodeableConcept(id: "50012", input: { text: "Sleep duration" }) { id } }',
  },
  practitionerAccounts: {
    needs: 'Practitioner.s',
    as: 'sam',
    query: '{ practitionerAccounts(first: 2) { nodes { id } } }',
  },
  practitionerAccount: {
    needs: 'Practitioner.r',
    as: 'sam',
    query: '{ practitionerAccount(id: "2") { id } }',
  },
  createPractitioner: {
    needs: 'Practitioner.c',
    as: 'sam',
    query:
      'mutation ($e: String!) { createPractitioner(input: { email: $e, firstName: "Scope", lastName: "P" }) { id } }',
    setup: async () => ({ e: `${unique('pr')}@example.org` }),
  },
  updatePractitioner: {
    needs: 'Practitioner.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { updatePractitioner(id: $id, input: { lastName: "Renamed" }) { id } }',
    setup: async () => ({ id: await newPractitioner() }),
  },
  setPractitionerSuperuser: {
    needs: 'Practitioner.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { setPractitionerSuperuser(id: $id, isSuperuser: false) { id } }',
    setup: async () => ({ id: await newPractitioner() }),
  },
  disablePractitioner: {
    needs: 'Practitioner.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { disablePractitioner(id: $id) { id } }',
    setup: async () => ({ id: await newPractitioner() }),
  },
  enablePractitioner: {
    needs: 'Practitioner.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { enablePractitioner(id: $id) { id } }',
    setup: async () => ({ id: await newPractitioner() }),
  },
  deletePractitioner: {
    needs: 'Practitioner.d',
    as: 'sam',
    query: 'mutation ($id: ID!) { deletePractitioner(id: $id) }',
    setup: async () => ({ id: await newPractitioner() }),
  },
  registerClient: {
    needs: '*.c',
    as: 'sam',
    query:
      'mutation ($c: String!) { registerClient(input: { clientId: $c, name: "D", redirectUris: ["https://d.example/cb"] }) { clientId } }',
    setup: async () => ({ c: unique('dash') }),
  },
  createClient: {
    needs: '*.c',
    as: 'sam',
    query:
      'mutation ($c: String!) { createClient(input: { clientId: $c, name: "App", redirectUris: ["https://app.example/cb"] }) { client { id } } }',
    setup: async () => ({ c: unique('app') }),
  },
  updateClient: {
    needs: '*.u',
    as: 'sam',
    query: 'mutation ($id: ID!) { updateClient(id: $id, input: { name: "Renamed" }) { id } }',
    setup: async () => ({ id: await newClient() }),
  },
  deleteClient: {
    needs: '*.d',
    as: 'sam',
    query: 'mutation ($id: ID!) { deleteClient(id: $id) }',
    setup: async () => ({ id: await newClient() }),
  },
  addStudyClient: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { addStudyClient(studyId: $id, clientId: "90001") { id } }',
    setup: async () => ({ id: await newStudy() }),
  },
  removeStudyClient: {
    needs: 'Group.u',
    as: 'mary',
    query: 'mutation ($id: ID!) { removeStudyClient(studyId: $id, clientId: "90001") { id } }',
    setup: async () => {
      const id = await newStudy();
      await asMary(`mutation { addStudyClient(studyId: "${id}", clientId: "90001") { id } }`);
      return { id };
    },
  },
  setConsents: {
    needs: 'Consent.u',
    as: 'peter',
    query: `mutation { setConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30001", scopeConsents: [
      { codingSystem: "https://w3id.org/openmhealth", codingCode: "omh:heart-rate:2.0", consented: true }] }]) { consolidatedConsentedScopes { id } } }`,
  },
  revokeConsents: {
    needs: 'Consent.u',
    as: 'peter',
    query: `mutation { revokeConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30002", scopeConsents: [
      { codingSystem: "https://w3id.org/openmhealth", codingCode: "omh:blood-pressure:4.0" }] }]) { consolidatedConsentedScopes { id } } }`,
  },
  clearConsents: {
    needs: 'Consent.u',
    as: 'peter',
    query: `mutation { clearConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30002", scopeConsents: [
      { codingSystem: "https://w3id.org/openmhealth", codingCode: "omh:blood-pressure:4.0" }] }]) { consolidatedConsentedScopes { id } } }`,
  },
  uploadObservations: {
    needs: 'Observation.c',
    as: 'mary',
    query:
      'mutation ($o: [ObservationInput!]!) { uploadObservations(observations: $o) { status error { code message } } }',
    setup: async () => {
      const { resourceType: _type, ...input } = observation({
        patient: PATIENT.peter,
        omh: heartRate(61),
        identifier: unique('hr'),
      });
      return { o: [input] };
    },
  },
};

/** The token scope strings of the matrix, for practitioners. */
const PRACTITIONER_SCOPES = [
  '',
  'user/*.rs',
  'user/*.cud',
  'user/*.cruds',
  'patient/*.cruds',
  ...[
    'Patient',
    'Observation',
    'Organization',
    'Group',
    'Device',
    'Consent',
    'Practitioner',
    'PractitionerRole',
    'AuditEvent',
  ].map((r) => `user/${r}.cruds`),
];
const PATIENT_SCOPES = ['', 'patient/*.rs', 'patient/*.cruds', 'patient/Consent.u', 'patient/Observation.c'];

/** Whether one of the granted scopes covers `needs` for a viewer in this context (this test's own reading). */
function covers(scopes: string, needs: string, isPatient: boolean): boolean {
  if (needs === '') return true;
  const [resource, interaction] = needs.split('.') as [string, string];
  return scopes
    .split(' ')
    .filter(Boolean)
    .some((scope) => {
      const [context, rest] = scope.split('/') as [string, string];
      const [r, letters] = rest.split('.') as [string, string];
      return (context === 'user' || isPatient) && (r === '*' || r === resource) && letters.includes(interaction);
    });
}

const tokens = new Map<string, Promise<string>>();
function token(as: Operation['as'], scope: string): Promise<string> {
  const key = `${as} ${scope}`;
  if (!tokens.has(key)) {
    tokens.set(
      key,
      (as === 'peter' ? patientToken(app, PATIENT.peter, scope) : scopedToken(app, `${as}@example.com`, scope)).then(
        (t) => t.access_token,
      ),
    );
  }
  return tokens.get(key)!;
}

describe('GraphQL operations × token scopes', () => {
  it('the matrix names every query and mutation of the schema', async () => {
    const result = await gql(
      app,
      'mary@example.com',
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } } }',
    );
    const names = [...result.data!.__schema.queryType.fields, ...result.data!.__schema.mutationType.fields].map(
      (f: { name: string }) => f.name,
    );
    expect(names.filter((n) => !(n in OPERATIONS))).toEqual([]);
  });

  for (const [name, op] of Object.entries(OPERATIONS)) {
    const scopeSet = op.as === 'peter' ? PATIENT_SCOPES : PRACTITIONER_SCOPES;
    it(`${name} (needs ${op.needs || 'no scope'}, as ${op.as})`, async () => {
      for (const scope of scopeSet) {
        const allowed = covers(scope, op.needs, op.as === 'peter');
        const variables = op.setup ? await op.setup() : {};
        const result = await gqlWith(await token(op.as, scope), app, op.query, variables);
        const context = `${name} with [${scope || 'no resource scope'}]`;
        if (allowed) {
          expect(result.errors, context).toBeUndefined();
        } else {
          const [resource, interaction] = op.needs.split('.');
          expect(
            result.errors?.map((e) => e.extensions?.code),
            context,
          ).toEqual(['FORBIDDEN']);
          expect(result.errors![0]!.message, context).toContain(
            `${op.as === 'peter' ? 'patient' : 'user'}/${resource}.${interaction}`,
          );
        }
      }
    });
  }
});

describe('nested fields × token scopes', () => {
  it('Study.consentCounts needs Consent.s beside the study’s Group.r', async () => {
    const query = '{ study(id: "30001") { id consentCounts { enrolled scopes { consented } } } }';
    const allowed = await gqlWith(await token('mary', 'user/Group.rs user/Consent.s'), app, query);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data!.study.consentCounts.enrolled).toBeGreaterThan(0);
    const denied = await gqlWith(await token('mary', 'user/Group.rs'), app, query);
    expect(denied.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['study.consentCounts', 'FORBIDDEN'],
    ]);
    expect(denied.errors![0]!.message).toContain('user/Consent.s');
  });

  it('a role’s organization and a consent’s patient, study and organization: their ids alone need no scope', async () => {
    const role = '{ practitionerRole(id: "4") { organization { id } } }';
    const roleToken = await token('mary', 'user/PractitionerRole.rs');
    expect((await gqlWith(roleToken, app, role)).data!.practitionerRole.organization).toEqual({ id: '20003' });
    const named = await gqlWith(roleToken, app, '{ practitionerRole(id: "4") { organization { id name } } }');
    expect(named.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['practitionerRole.organization', 'FORBIDDEN'],
    ]);
    expect(named.errors![0]!.message).toContain('user/Organization.r');
    const withOrganization = await token('mary', 'user/PractitionerRole.rs user/Organization.r');
    const organization = await gqlWith(
      withOrganization,
      app,
      '{ practitionerRole(id: "4") { organization { name } } }',
    );
    expect(organization.data!.practitionerRole.organization.name).toContain('BIDS');

    const consentToken = await token('mary', 'user/Consent.rs');
    const ids =
      '{ enrollmentConsent(patientId: "40001", studyId: "30001") { patient { id } study { id } organization { id } } }';
    expect((await gqlWith(consentToken, app, ids)).data!.enrollmentConsent).toEqual({
      patient: { id: '40001' },
      study: { id: '30001' },
      organization: { id: '20003' },
    });
    for (const [field, scope] of [
      ['patient { nameFamily }', 'user/Patient.r'],
      ['study { name }', 'user/Group.r'],
      ['organization { name }', 'user/Organization.r'],
    ] as const) {
      const more = await gqlWith(
        consentToken,
        app,
        `{ enrollmentConsent(patientId: "40001", studyId: "30001") { ${field} } }`,
      );
      expect(
        more.errors?.map((e) => e.extensions?.code),
        field,
      ).toEqual(['FORBIDDEN']);
      expect(more.errors![0]!.message, field).toContain(scope);
    }
    const wide = await token('mary', 'user/Consent.rs user/Patient.r user/Group.r user/Organization.r');
    const all = await gqlWith(
      wide,
      app,
      '{ enrollmentConsent(patientId: "40001", studyId: "30001") { patient { nameGiven } study { name } organization { name } } }',
    );
    expect(all.errors).toBeUndefined();
    expect(all.data!.enrollmentConsent.study.name).toBe('BIDS Study on BP & HR');
  });
});
