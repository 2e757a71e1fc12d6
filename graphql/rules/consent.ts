import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

/** Only the patient answers; the service checks that it is their own record (policy canAnswerConsents). */
export const consentRules = {
  // the services scope them (enrollmentScope)
  Query: { enrollmentConsent: isSignedIn, enrollmentConsents: isSignedIn },
  Mutation: { setConsents: isSignedIn, revokeConsents: isSignedIn, clearConsents: isSignedIn },
  PatientConsents: allow,
  StudyConsents: allow,
  StudyPatientConsents: allow,
  Consent: allow,
  EnrollmentConsent: allow,
  EnrollmentConsentConnection: allow,
  EnrollmentConsentEdge: allow,
};
