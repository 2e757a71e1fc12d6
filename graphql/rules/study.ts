import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

/** A study's visibility and editability follow its organization; the services load it and ask the policy. */
export const studyRules = {
  Query: { study: isSignedIn, studies: isSignedIn },
  Mutation: {
    createStudy: isSignedIn,
    updateStudy: isSignedIn,
    deleteStudy: isSignedIn,
    addStudyDataSource: isSignedIn,
    removeStudyDataSource: isSignedIn,
    addStudyScopeRequest: isSignedIn,
    removeStudyScopeRequest: isSignedIn,
    addPatientsToStudy: isSignedIn,
    removePatientFromStudy: isSignedIn,
    removePatientsFromStudy: isSignedIn,
  },
  Study: allow,
  StudyConnection: allow,
  StudyEdge: allow,
  // counted over the patients the viewer may see (consentCountsOfStudies)
  StudyConsentCounts: allow,
  StudyScopeCount: allow,
};
