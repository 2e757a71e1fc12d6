import type { Cache, CacheExchangeOpts, DataFields, Variables } from '@urql/exchange-graphcache';

/** Types without an id of their own: embedded in their parent in the normalized cache. */
const EMBEDDED = [
  'Attachment',
  'AuditEventConnection',
  'AuditEventEdge',
  'Consent',
  'CreatedClient',
  'Identifier',
  'ObservationConnection',
  'ObservationEdge',
  'ObservationUploadResult',
  'OrganizationCapabilities',
  'OrganizationPractitioner',
  'PageInfo',
  'PatientConnection',
  'PatientCapabilities',
  'PatientConsents',
  'PatientEdge',
  'PractitionerConnection',
  'PractitionerEdge',
  'RegisteredClient',
  'StudyCapabilities',
  'StudyConnection',
  'StudyConsents',
  'StudyEdge',
  'StudyPatientConsents',
  'UploadError',
  'ViewerCapabilities',
];

type Entity = { __typename: string; id: string } | 'Query';

/** Drops every cached variant (all arguments) of `field` on `entity`, so the next read refetches it. */
function invalidate(cache: Cache, entity: Entity, ...fields: string[]) {
  for (const f of cache.inspectFields(entity)) {
    if (fields.includes(f.fieldName)) cache.invalidate(entity, f.fieldName, f.arguments ?? undefined);
  }
}

const org = (id: unknown): Entity => ({ __typename: 'Organization', id: String(id) });
const study = (id: unknown): Entity => ({ __typename: 'Study', id: String(id) });
const patient = (id: unknown): Entity => ({ __typename: 'Patient', id: String(id) });
type Update = (result: DataFields, args: Variables, cache: Cache) => void;
const input = (args: Variables) => args.input as Record<string, unknown>;

/** What each mutation changes beyond the entity it returns (which graphcache updates by itself). */
const updates: Record<string, Update> = {
  createOrganization: (_r, args, cache) => {
    const parent = input(args).partOfId;
    if (parent) invalidate(cache, org(parent), 'children');
    invalidate(cache, 'Query', 'organizations');
  },
  deleteOrganization: (_r, args, cache) => {
    cache.invalidate(org(args.id));
    invalidate(cache, 'Query', 'organizations');
  },
  addPractitionerToOrganization: (_r, args, cache) => invalidate(cache, org(args.organizationId), 'practitioners'),
  changePractitionerRole: (_r, args, cache) => invalidate(cache, org(args.organizationId), 'practitioners'),
  removePractitionerFromOrganization: (_r, args, cache) => invalidate(cache, org(args.organizationId), 'practitioners'),
  createStudy: (_r, args, cache) => invalidate(cache, org(input(args).organizationId), 'studies'),
  deleteStudy: (_r, args, cache) => cache.invalidate(study(args.id)),
  createPatient: (_r, args, cache) => {
    invalidate(cache, org(input(args).organizationId), 'patients');
    invalidate(cache, 'Query', 'patients');
  },
  deletePatient: (_r, args, cache) => cache.invalidate(patient(args.id)),
  addPatientsToStudy: (_r, args, cache) => {
    invalidate(cache, study(args.studyId), 'patients', 'consents');
    for (const id of args.patientIds as string[]) invalidate(cache, patient(id), 'studies', 'consents');
  },
  removePatientFromStudy: (_r, args, cache) => {
    invalidate(cache, study(args.studyId), 'patients', 'consents');
    invalidate(cache, patient(args.patientId), 'studies', 'consents');
  },
  addStudyScopeRequest: (_r, args, cache) => invalidate(cache, study(args.studyId), 'consents'),
  removeStudyScopeRequest: (_r, args, cache) => invalidate(cache, study(args.studyId), 'consents'),
  createDataSource: (_r, _a, cache) => invalidate(cache, 'Query', 'dataSources'),
  deleteDataSource: (_r, args, cache) => cache.invalidate({ __typename: 'DataSource', id: String(args.id) }),
  createCodeableConcept: (_r, _a, cache) => invalidate(cache, 'Query', 'codeableConcepts'),
  createClient: (_r, _a, cache) => invalidate(cache, 'Query', 'clients'),
  deleteClient: (_r, args, cache) => {
    cache.invalidate({ __typename: 'Client', id: String(args.id) });
    invalidate(cache, 'Query', 'clients', 'patientClients');
  },
  // the patients of the study may be invited to other clients now
  addStudyClient: (_r, _a, cache) => invalidate(cache, 'Query', 'patientClients'),
  removeStudyClient: (_r, _a, cache) => invalidate(cache, 'Query', 'patientClients'),
  createPractitioner: (_r, _a, cache) => invalidate(cache, 'Query', 'practitionerAccounts'),
  deletePractitioner: (_r, args, cache) => {
    cache.invalidate({ __typename: 'Practitioner', id: String(args.id) });
    invalidate(cache, 'Query', 'practitionerAccounts');
  },
  // a new invitation supersedes the pending ones
  createPatientInvitation: (_r, _a, cache) => invalidate(cache, 'Query', 'patientInvitations'),
};

export const cacheConfig: CacheExchangeOpts = {
  keys: Object.fromEntries(EMBEDDED.map((name) => [name, () => null])),
  updates: { Mutation: updates },
};
