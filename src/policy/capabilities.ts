import {
  canCreateTopLevelOrganization,
  canDeleteOrganization,
  canDeletePatient,
  canEditCatalog,
  canEditOrganization,
  canEditOrganizationContent,
  canEditPatient,
  canEditStudy,
  canInvitePatient,
  canManagePractitionerAccounts,
  canReadAuditTrail,
  canRegisterClients,
  canAnswerConsents,
  canViewPatientAccessLog,
  type PatientFacts,
} from './rules.js';
import { tokenAllows } from './token.js';
import type { Viewer } from './viewer.js';

/**
 * What the viewer may do, as the portal asks it (`viewerCan` fields): each the role rule AND the token's scope
 * for it, so that the portal shows exactly the controls whose requests the server will accept.
 */

export const viewerCapabilities = (viewer: Viewer) => ({
  createTopLevelOrganization: canCreateTopLevelOrganization(viewer) && tokenAllows(viewer, 'Organization', 'c'),
  editDataSources: canEditCatalog(viewer) && tokenAllows(viewer, 'Device', 'u'),
  editCodes: canEditCatalog(viewer) && tokenAllows(viewer, '*', 'u'),
  registerClients: canRegisterClients(viewer) && tokenAllows(viewer, '*', 'c'),
  /** the apps patients use (Client records): create, change and delete them */
  manageClients:
    canRegisterClients(viewer) &&
    tokenAllows(viewer, '*', 'c') &&
    tokenAllows(viewer, '*', 'u') &&
    tokenAllows(viewer, '*', 'd'),
  readAuditTrail: canReadAuditTrail(viewer) && tokenAllows(viewer, 'AuditEvent', 's'),
  /** practitioner accounts: create, edit, disable and delete them */
  managePractitionerAccounts:
    canManagePractitionerAccounts(viewer) &&
    tokenAllows(viewer, 'Practitioner', 'c') &&
    tokenAllows(viewer, 'Practitioner', 'u') &&
    tokenAllows(viewer, 'Practitioner', 'd'),
});

export const organizationCapabilities = (viewer: Viewer, org: { id: number; partOfId: number | null }) => ({
  edit: canEditOrganization(viewer, org.id) && tokenAllows(viewer, 'Organization', 'u'),
  managePractitioners: canEditOrganization(viewer, org.id) && tokenAllows(viewer, 'Organization', 'u'),
  createSubOrganization: canEditOrganization(viewer, org.id) && tokenAllows(viewer, 'Organization', 'c'),
  delete: canDeleteOrganization(viewer, org) && tokenAllows(viewer, 'Organization', 'd'),
  createStudy: canEditOrganizationContent(viewer, org.id) && tokenAllows(viewer, 'Group', 'c'),
  createPatient: canEditOrganizationContent(viewer, org.id) && tokenAllows(viewer, 'Patient', 'c'),
  /** enroll the organization's patients in its studies */
  enrollPatients: canEditOrganizationContent(viewer, org.id) && tokenAllows(viewer, 'Group', 'u'),
});

export const studyCapabilities = (viewer: Viewer, study: { organizationId: number }) => ({
  edit: canEditStudy(viewer, study) && tokenAllows(viewer, 'Group', 'u'),
  delete: canEditStudy(viewer, study) && tokenAllows(viewer, 'Group', 'd'),
  enrollPatients: canEditStudy(viewer, study) && tokenAllows(viewer, 'Group', 'u'),
});

export const patientCapabilities = (viewer: Viewer, patient: PatientFacts) => ({
  edit: canEditPatient(viewer, patient) && tokenAllows(viewer, 'Patient', 'u'),
  delete: canDeletePatient(viewer, patient) && tokenAllows(viewer, 'Patient', 'd'),
  invite: canInvitePatient(viewer, patient) && tokenAllows(viewer, 'Patient', 'u'),
  answerConsents: canAnswerConsents(viewer, patient.id) && tokenAllows(viewer, 'Consent', 'u'),
  viewAccessLog: canViewPatientAccessLog(viewer, patient) && tokenAllows(viewer, 'AuditEvent', 's'),
});
