import { allow } from 'graphql-shield';
import { isSignedIn, managesPractitionerAccounts } from './common.js';

export const userRules = {
  // anonymous callers get `me: null`
  Query: {
    me: allow,
    practitioner: isSignedIn,
    practitioners: isSignedIn,
    practitionerAccounts: managesPractitionerAccounts,
    practitionerAccount: managesPractitionerAccounts,
    viewerCan: allow,
  },
  Mutation: {
    createPractitioner: managesPractitionerAccounts,
    updatePractitioner: managesPractitionerAccounts,
    disablePractitioner: managesPractitionerAccounts,
    enablePractitioner: managesPractitionerAccounts,
    setPractitionerSuperuser: managesPractitionerAccounts,
    deletePractitioner: managesPractitionerAccounts,
  },
  ViewerCapabilities: allow,
  OrganizationCapabilities: allow,
  StudyCapabilities: allow,
  PatientCapabilities: allow,
  User: allow,
  Practitioner: allow,
  PractitionerConnection: allow,
  PractitionerEdge: allow,
};
