import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

export const userRules = {
  // anonymous callers get `me: null`
  Query: { me: allow, practitioner: isSignedIn, practitioners: isSignedIn, viewerCan: allow },
  ViewerCapabilities: allow,
  OrganizationCapabilities: allow,
  StudyCapabilities: allow,
  PatientCapabilities: allow,
  User: allow,
  Practitioner: allow,
  PractitionerConnection: allow,
  PractitionerEdge: allow,
};
