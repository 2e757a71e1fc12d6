import { allow, chain, deny, type IRule, type IRules, rule } from 'graphql-shield';
type ShieldRule = ReturnType<typeof chain> | IRule;
import { scopeError, tokenAllows } from '../../src/policy/token.js';
import type { Interaction, ResourceType } from '../../src/policy/token-scopes.js';
import type { GraphQLContext } from '../context.js';

type Needs = readonly [ResourceType | '*', Interaction];

/**
 * The SMART scope each GraphQL operation needs, and each field that reads another resource (a search for lists,
 * a read for one). Operations not named need none: `me` (the signed-in user) and the code catalog, which is
 * reference data; clients (apps, OAuth clients) and editing codes (not FHIR resources) need the wildcard `*`. The
 * observations under a page (Observation.subject, Observation.dataSource) are guarded by their loaders instead:
 * a rule there would run for each of 1000 nodes, and `{ id }` alone is the observation's own reference.
 */
export const TOKEN_SCOPES: Record<string, Record<string, Needs>> = {
  Query: {
    auditEvents: ['AuditEvent', 's'],
    client: ['*', 'r'],
    clients: ['*', 's'],
    dataSource: ['Device', 'r'],
    dataSources: ['Device', 's'],
    enrollmentConsent: ['Consent', 'r'],
    enrollmentConsents: ['Consent', 's'],
    observation: ['Observation', 'r'],
    observations: ['Observation', 's'],
    observationDateRange: ['Observation', 's'],
    observationSummary: ['Observation', 's'],
    organization: ['Organization', 'r'],
    organizations: ['Organization', 's'],
    patient: ['Patient', 'r'],
    patients: ['Patient', 's'],
    patientInvitations: ['Patient', 'r'],
    patientClients: ['Patient', 'r'],
    patientLookup: ['Patient', 's'],
    practitioner: ['Practitioner', 'r'],
    practitioners: ['Practitioner', 's'],
    practitionerAccount: ['Practitioner', 'r'],
    practitionerAccounts: ['Practitioner', 's'],
    practitionerRole: ['PractitionerRole', 'r'],
    practitionerRoles: ['PractitionerRole', 's'],
    studies: ['Group', 's'],
    study: ['Group', 'r'],
    visibleOrganizations: ['Organization', 's'],
  },
  Mutation: {
    addDataSourceScope: ['Device', 'u'],
    addPatientIdentifier: ['Patient', 'u'],
    addPatientToOrganization: ['Patient', 'u'],
    addPatientsToStudy: ['Group', 'u'],
    addPractitionerToOrganization: ['Organization', 'u'],
    addStudyClient: ['Group', 'u'],
    addStudyDataSource: ['Group', 'u'],
    addStudyScopeRequest: ['Group', 'u'],
    cancelPatientInvitation: ['Patient', 'u'],
    changePractitionerRole: ['Organization', 'u'],
    clearConsents: ['Consent', 'u'],
    createCodeableConcept: ['*', 'c'],
    createClient: ['*', 'c'],
    createDataSource: ['Device', 'c'],
    createOrganization: ['Organization', 'c'],
    createPatient: ['Patient', 'c'],
    createPatientInvitation: ['Patient', 'u'],
    createPractitioner: ['Practitioner', 'c'],
    createStudy: ['Group', 'c'],
    deleteClient: ['*', 'd'],
    deleteDataSource: ['Device', 'd'],
    deleteOrganization: ['Organization', 'd'],
    deletePatient: ['Patient', 'd'],
    deletePractitioner: ['Practitioner', 'd'],
    disablePractitioner: ['Practitioner', 'u'],
    enablePractitioner: ['Practitioner', 'u'],
    deleteStudy: ['Group', 'd'],
    registerClient: ['*', 'c'],
    removeDataSourceScope: ['Device', 'u'],
    removePatientFromOrganization: ['Patient', 'u'],
    // it may delete the record: a token that may only update patients cannot
    removePatientFromOrganizationOrDelete: ['Patient', 'd'],
    removePatientFromStudy: ['Group', 'u'],
    removePatientsFromStudy: ['Group', 'u'],
    removePatientIdentifier: ['Patient', 'u'],
    removePractitionerFromOrganization: ['Organization', 'u'],
    removeStudyClient: ['Group', 'u'],
    removeStudyDataSource: ['Group', 'u'],
    removeStudyScopeRequest: ['Group', 'u'],
    revokeConsents: ['Consent', 'u'],
    setPractitionerSuperuser: ['Practitioner', 'u'],
    setConsents: ['Consent', 'u'],
    updateCodeableConcept: ['*', 'u'],
    updateClient: ['*', 'u'],
    updateDataSource: ['Device', 'u'],
    updateOrganization: ['Organization', 'u'],
    updatePatient: ['Patient', 'u'],
    updatePractitioner: ['Practitioner', 'u'],
    updateStudy: ['Group', 'u'],
    uploadObservations: ['Observation', 'c'],
  },
  Patient: {
    accessLog: ['AuditEvent', 's'],
    consents: ['Consent', 'r'],
    observations: ['Observation', 's'],
    organizations: ['Organization', 's'],
    studies: ['Group', 's'],
  },
  Study: {
    consentCounts: ['Consent', 's'],
    consents: ['Consent', 's'],
    dataSources: ['Device', 's'],
    organization: ['Organization', 'r'],
    organizer: ['Organization', 'r'],
    patients: ['Patient', 's'],
  },
  Organization: {
    children: ['Organization', 's'],
    partOf: ['Organization', 'r'],
    patients: ['Patient', 's'],
    studies: ['Group', 's'],
  },
  Consent: { study: ['Group', 'r'] },
  StudyConsents: { study: ['Group', 'r'] },
  StudyPatientConsents: { patient: ['Patient', 'r'] },
  PatientConsents: { patient: ['Patient', 'r'] },
  PatientMatch: { patient: ['Patient', 'r'] },
  User: { patient: ['Patient', 'r'] },
};

/** The operations that need no resource scope (any valid token, or none for `me`). */
export const UNSCOPED_OPERATIONS = {
  // a bulk export's kickoff checks the token against each type it exports (policy/bulk-export.ts exportTypes)
  Query: [
    'bulkExport',
    'bulkExportFile',
    'bulkExportFileChunk',
    'codeableConcepts',
    'me',
    'omhSchema',
    'omhSchemas',
    'viewerCan',
  ],
  Mutation: ['cancelBulkExport', 'startBulkExport'] as string[],
};

const rules = new Map<string, ShieldRule>();

/** A shield rule: the request's token allows `interaction` on `resource` (else FORBIDDEN naming the scope). */
export function needs([resource, interaction]: Needs): ShieldRule {
  const name = `token ${resource}.${interaction}`;
  let found = rules.get(name);
  if (!found) {
    found = rule(name, { cache: 'contextual' })(
      (_parent, _args, ctx: GraphQLContext) =>
        tokenAllows(ctx.viewer, resource, interaction) || scopeError(ctx.viewer, resource, interaction),
    );
    rules.set(name, found);
  }
  return found;
}

const isFieldMap = (value: unknown): value is Record<string, ShieldRule> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * The rule tree with every scoped field's rule chained after the scope check: the role rule first (an anonymous
 * caller is told they are not allowed, not which scope they lack), then the token's.
 */
export function withTokenScopes(tree: Record<string, unknown>): IRules {
  const scoped: Record<string, unknown> = { ...tree };
  for (const [type, fields] of Object.entries(TOKEN_SCOPES)) {
    const current = scoped[type];
    const map: Record<string, ShieldRule> = isFieldMap(current)
      ? { ...current }
      : { '*': (current as ShieldRule) ?? allow };
    for (const [field, required] of Object.entries(fields)) {
      map[field] = chain(map[field] ?? map['*'] ?? deny, needs(required));
    }
    scoped[type] = map;
  }
  return scoped as IRules;
}
