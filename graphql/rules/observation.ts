import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

/**
 * Observation reads are consent-gated in SQL by the policy's observationScope; uploads are checked per
 * observation by the policy's canUploadObservation. The shield requires a signed-in viewer.
 */
export const observationRules = {
  Query: { observation: isSignedIn, observations: isSignedIn },
  Mutation: { uploadObservations: isSignedIn },
  Observation: allow,
  ObservationConnection: allow,
  ObservationEdge: allow,
  Attachment: allow,
  ObservationUploadResult: allow,
  UploadError: allow,
};
