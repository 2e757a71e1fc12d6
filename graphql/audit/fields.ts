import type { AuditAction } from '../../src/audit/event.js';

export interface AuditedField {
  resourceType: string;
  action: AuditAction;
}

const read = (resourceType: string): AuditedField => ({ resourceType, action: 'read' });
const search = (resourceType: string): AuditedField => ({ resourceType, action: 'search' });
const create = (resourceType: string): AuditedField => ({ resourceType, action: 'create' });
const update = (resourceType: string): AuditedField => ({ resourceType, action: 'update' });
const remove = (resourceType: string): AuditedField => ({ resourceType, action: 'delete' });

/**
 * Every field that reads or writes patient data, wherever it sits in a query: each resolution is an event of the
 * audit trail (merged per field path within a request, so a list of 100 patients with their observations is one
 * event for the patients and one for their observations). Whatever face runs the operation (GraphQL, FHIR, REST)
 * goes through these fields. tests/audit-fields.test.ts fails when a field of a patient-data type is neither
 * here nor in NOT_AUDITED.
 */
export const AUDITED_FIELDS: Record<string, Record<string, AuditedField>> = {
  Query: {
    patient: read('Patient'),
    patients: search('Patient'),
    patientLookup: search('Patient'),
    patientInvitations: search('PatientInvitation'),
    patientClients: search('Client'),
    observation: read('Observation'),
    observations: search('Observation'),
    observationSummary: search('Observation'),
    observationDateRange: search('Observation'),
    auditEvents: search('AuditEvent'),
    bulkExport: read('BulkExport'),
    bulkExportFile: read('BulkExportFile'),
    enrollmentConsent: read('Consent'),
    enrollmentConsents: search('Consent'),
  },
  Mutation: {
    createPatient: create('Patient'),
    updatePatient: update('Patient'),
    deletePatient: remove('Patient'),
    addPatientToOrganization: update('Patient'),
    removePatientFromOrganization: update('Patient'),
    removePatientFromOrganizationOrDelete: remove('Patient'),
    addPatientIdentifier: update('Patient'),
    removePatientIdentifier: update('Patient'),
    createPatientInvitation: create('PatientInvitation'),
    cancelPatientInvitation: update('PatientInvitation'),
    uploadObservations: create('Observation'),
    setConsents: update('Consent'),
    revokeConsents: update('Consent'),
    clearConsents: update('Consent'),
    addPatientsToStudy: update('Group'),
    removePatientFromStudy: update('Group'),
    removePatientsFromStudy: update('Group'),
    startBulkExport: create('BulkExport'),
    cancelBulkExport: remove('BulkExport'),
    // who manages the logins is part of the trail too (the fields carry no patient data)
    createPractitioner: create('Practitioner'),
    updatePractitioner: update('Practitioner'),
    disablePractitioner: update('Practitioner'),
    enablePractitioner: update('Practitioner'),
    setPractitionerSuperuser: update('Practitioner'),
    deletePractitioner: remove('Practitioner'),
  },
  Patient: {
    observations: search('Observation'),
    consents: read('Consent'),
    accessLog: search('AuditEvent'),
  },
  Study: { patients: search('Patient'), consents: search('Consent') },
  Organization: { patients: search('Patient') },
  User: { patient: read('Patient') },
};

/**
 * Fields of patient-data types that are no event of their own, and why: they only reach rows an audited field
 * above has already read (and recorded, with their patients).
 */
export const NOT_AUDITED: Record<string, string> = {
  'Observation.subject': 'the patient of an observation the observations event records (its patientIds)',
  'ObservationUploadResult.observation': 'the observation the upload event records',
  'PatientConsents.patient': 'the patient of the consents event',
  'StudyPatientConsents.patient': 'the patients of the Study.consents event',
  'PatientMatch.patient': 'the record of the patientLookup event',
  'EnrollmentConsent.patient': 'the patient of the enrollmentConsent(s) event',
  'EnrollmentConsentConnection.nodes': 'the rows of the connection field (counted into its event)',
  'EnrollmentConsentConnection.edges': 'the rows of the connection field (counted into its event)',
  'EnrollmentConsentEdge.node': 'a row of the connection field',
  'PatientConnection.nodes': 'the rows of the connection field (counted into its event)',
  'PatientConnection.edges': 'the rows of the connection field (counted into its event)',
  'PatientEdge.node': 'a row of the connection field',
  'ObservationConnection.nodes': 'the rows of the connection field (counted into its event)',
  'ObservationConnection.edges': 'the rows of the connection field (counted into its event)',
  'ObservationEdge.node': 'a row of the connection field',
  'AuditEventConnection.nodes': 'the rows of the connection field (counted into its event)',
  'AuditEventConnection.edges': 'the rows of the connection field (counted into its event)',
  'AuditEventEdge.node': 'a row of the connection field',
};

/** The types whose values are patient data: a field returning one of them is audited or in NOT_AUDITED. */
export const PATIENT_DATA_TYPES = [
  'Patient',
  'PatientConnection',
  'PatientEdge',
  'PatientMatch',
  'PatientInvitation',
  'PatientConsents',
  'StudyPatientConsents',
  'EnrollmentConsent',
  'EnrollmentConsentConnection',
  'EnrollmentConsentEdge',
  'PatientRemoval',
  'Observation',
  'ObservationConnection',
  'ObservationEdge',
  'ObservationUploadResult',
  'ObservationSummaryRow',
  'ObservationDateRange',
  'AuditEvent',
  'AuditEventConnection',
  'AuditEventEdge',
];

/** How to tell whose data a value of a patient-data type is. */
export const PATIENT_OF: Record<string, (value: Record<string, unknown>) => unknown> = {
  Patient: (patient) => patient.id,
  PatientMatch: (match) => match.id,
  Observation: (observation) => observation.subjectPatientId,
  PatientConsents: (consents) => (consents.patient as { id?: unknown } | undefined)?.id,
  StudyPatientConsents: (consents) => (consents.patient as { id?: unknown } | undefined)?.id,
  EnrollmentConsent: (consent) => consent.patientId,
  PatientInvitation: (invitation) => (invitation.patient as { id?: unknown } | undefined)?.id,
  PatientRemoval: (removal) => removal.patientId,
};

/**
 * Aggregates of patient data: how many rows of it a value stands for (otherwise one) and whose data it is
 * (the patients of the whole aggregate; repeated on each row of a summary, counted once).
 */
export const AGGREGATE_OF: Record<string, (value: Record<string, unknown>) => { rows: number; patientIds: unknown[] }> =
  {
    ObservationSummaryRow: (row) => ({ rows: Number(row.count), patientIds: row.patientIds as unknown[] }),
    ObservationDateRange: (range) => ({ rows: Number(range.count), patientIds: range.patientIds as unknown[] }),
  };

/** The id of what a read or a write returned, by type (searches record their parameters and counts instead). */
export const RESOURCE_OF: Record<string, (value: Record<string, unknown>) => unknown> = {
  Patient: (patient) => patient.id,
  Observation: (observation) => observation.id,
  PatientInvitation: (invitation) => invitation.id,
  ObservationUploadResult: (result) => result.observationId,
  PatientRemoval: (removal) => removal.patientId,
  Practitioner: (practitioner) => practitioner.id,
};

/** The connections whose `nodes` and `edges` are the rows of the field that returned them. */
export const CONNECTION_TYPES = [
  'PatientConnection',
  'ObservationConnection',
  'AuditEventConnection',
  'EnrollmentConsentConnection',
];
