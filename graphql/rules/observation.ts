import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

/**
 * Observation reads are consent-gated in SQL by the policy's observationScope; uploads are checked per
 * observation by the policy's canUploadObservation. The summaries and the date range aggregate exactly the rows a
 * search reads (matchingObservations). The shield requires a signed-in viewer.
 */
export const observationRules = {
  Query: {
    observation: isSignedIn,
    observations: isSignedIn,
    observationSummary: isSignedIn,
    observationDateRange: isSignedIn,
  },
  Mutation: { uploadObservations: isSignedIn },
  Observation: allow,
  ObservationConnection: allow,
  ObservationEdge: allow,
  Attachment: allow,
  ObservationUploadResult: allow,
  UploadError: allow,
  ObservationSummaryRow: allow,
  QuantitySummary: allow,
  ObservationDateRange: allow,
};
