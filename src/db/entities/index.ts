import { Client, ClientDataSource, StudyClient } from './client.js';
import { CodeableConcept } from './codeable-concept.js';
import { DataSource, DataSourceSupportedScope } from './data-source.js';
import { EmailToken } from './email-token.js';
import { Observation, ObservationIdentifier } from './observation.js';
import { OidcPayload } from './oidc-payload.js';
import { Organization } from './organization.js';
import { Patient, PatientIdentifier, PatientOrganization } from './patient.js';
import { PatientInvitation } from './patient-invitation.js';
import { Practitioner, PractitionerOrganization } from './practitioner.js';
import { SamlMessage } from './saml-message.js';
import { ThrottleFailure } from './throttle-failure.js';
import { Study, StudyDataSource, StudyPatient, StudyPatientScopeConsent, StudyScopeRequest } from './study.js';
import { User } from './user.js';

export * from './client.js';
export * from './codeable-concept.js';
export * from './data-source.js';
export * from './email-token.js';
export * from './observation.js';
export * from './oidc-payload.js';
export * from './organization.js';
export * from './patient.js';
export * from './patient-invitation.js';
export * from './practitioner.js';
export * from './saml-message.js';
export * from './study.js';
export * from './throttle-failure.js';
export * from './user.js';

export const entities = [
  User,
  EmailToken,
  Practitioner,
  PractitionerOrganization,
  Organization,
  Patient,
  PatientIdentifier,
  PatientOrganization,
  PatientInvitation,
  Study,
  StudyDataSource,
  StudyScopeRequest,
  StudyPatient,
  StudyPatientScopeConsent,
  Client,
  ClientDataSource,
  StudyClient,
  DataSource,
  DataSourceSupportedScope,
  CodeableConcept,
  Observation,
  ObservationIdentifier,
  OidcPayload,
  ThrottleFailure,
  SamlMessage,
];
