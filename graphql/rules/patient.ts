import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

/**
 * Which patients a viewer may see or change depends on the patient's organizations, which only the services
 * load; they scope every list in SQL and check the policy for every change. The shield requires a signed-in
 * viewer and lets those typed errors through.
 */
export const patientRules = {
  Query: { patient: isSignedIn, patients: isSignedIn, patientInvitations: isSignedIn, patientLookup: isSignedIn },
  Mutation: {
    createPatient: isSignedIn,
    updatePatient: isSignedIn,
    deletePatient: isSignedIn,
    addPatientToOrganization: isSignedIn,
    removePatientFromOrganization: isSignedIn,
    removePatientFromOrganizationOrDelete: isSignedIn,
    addPatientIdentifier: isSignedIn,
    removePatientIdentifier: isSignedIn,
    createPatientInvitation: isSignedIn,
    cancelPatientInvitation: isSignedIn,
  },
  Patient: allow,
  Identifier: allow,
  PatientConnection: allow,
  PatientEdge: allow,
  PageInfo: allow,
  PatientInvitation: allow,
  PatientMatch: allow,
  PatientRemoval: allow,
};
