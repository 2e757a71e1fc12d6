import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { logger } from '../../src/observability/logger.js';
import { uploadEntries } from '../../src/observability/metrics.js';
import { runGraphQL } from '../execute.js';
import { FhirError, fromGraphQLError, operationOutcome } from '../outcome.js';
import type { ReturnPreference } from '../prefer.js';
import { OBSERVATION_FIELDS, type ObservationNode, toFhirObservation } from '../resources.js';
import { type ObservationUpload, checkObservation } from './check-observation.js';
import { checkEntryRequest, parseBundle } from './parse-bundle.js';

const uploadDocument = (answer: string) => `mutation ($observations: [ObservationInput!]!, $atomic: Boolean) {
  uploadObservations(observations: $observations, atomic: $atomic) {
    index status observationId lastUpdated error { code message path } ${answer}
  }
}`;
/** A minimal answer never loads the stored rows back. */
const UPLOAD: Record<ReturnPreference, string> = {
  minimal: uploadDocument(''),
  representation: uploadDocument(`observation { ${OBSERVATION_FIELDS} }`),
};

interface UploadResult {
  index: number;
  status: 'CREATED' | 'EXISTING' | 'ERROR';
  observationId: string | null;
  lastUpdated: string | null;
  observation?: ObservationNode | null;
  error: { code: string; message: string; path: string | null } | null;
}

export interface EntryOutcome {
  status: number;
  stored?: { id: string; lastUpdated: string };
  resource?: ReturnType<typeof toFhirObservation>;
  outcome?: ReturnType<typeof operationOutcome>;
}

/** A check that failed in a way it should not: logged, and answered for that entry alone. */
function unexpected(error: unknown): FhirError {
  logger().error({ err: error }, 'FHIR upload entry check failed');
  return new FhirError(500, 'exception', 'Internal server error');
}

const asOutcome = (error: FhirError): EntryOutcome => ({
  status: error.status,
  outcome: operationOutcome(error.issueType, error.message, error.expression),
});

function toEntryOutcome(result: UploadResult): EntryOutcome {
  if (result.status === 'ERROR' || !result.observationId || !result.lastUpdated) {
    const error = fromGraphQLError({
      message: result.error?.message ?? 'Upload failed',
      extensions: { code: result.error?.code, field: result.error?.path },
    });
    return asOutcome(error);
  }
  return {
    status: result.status === 'CREATED' ? 201 : 200,
    stored: { id: result.observationId, lastUpdated: result.lastUpdated },
    ...(result.observation ? { resource: toFhirObservation(result.observation) } : {}),
  };
}

/**
 * The upload pipeline: check each entry (request, FHIR structure, references, attachment), then hand the
 * good ones to `uploadObservations` in one call, which checks consent and devices, validates the Open mHealth
 * data and inserts in bulk. A batch answers per entry; a transaction is all or nothing.
 */
export async function uploadObservations(
  resources: { resource: unknown; index: number; requestError?: FhirError }[],
  atomic: boolean,
  schema: GraphQLSchema,
  context: GraphQLContext,
  answer: ReturnPreference,
): Promise<EntryOutcome[]> {
  const outcomes: (EntryOutcome | undefined)[] = [];
  const accepted: { index: number; upload: ObservationUpload }[] = [];
  for (const { resource, index, requestError } of resources) {
    try {
      if (requestError) throw requestError;
      accepted.push({ index, upload: checkObservation(resource) });
    } catch (caught) {
      const error = caught instanceof FhirError ? caught : unexpected(caught);
      if (atomic) {
        uploadEntries.inc({ outcome: 'rejected' }, resources.length);
        throw new FhirError(error.status, error.issueType, `entry ${index}: ${error.message}`, error.expression);
      }
      outcomes[index] = asOutcome(error);
    }
  }
  // the service counts the entries it is given; these never reach it
  if (accepted.length < resources.length)
    uploadEntries.inc({ outcome: 'rejected' }, resources.length - accepted.length);
  if (accepted.length > 0) {
    const data = await runGraphQL<{ uploadObservations: UploadResult[] }>(schema, context, UPLOAD[answer], {
      observations: accepted.map((a) => a.upload),
      atomic,
    });
    for (const result of data.uploadObservations) outcomes[accepted[result.index]!.index] = toEntryOutcome(result);
  }
  return outcomes.map((o) => o ?? { status: 500 });
}

/**
 * POST / with a Bundle: one batch-response (or transaction-response) entry per request entry, with its status,
 * location and last modification; the stored resources too when the client prefers `return=representation`.
 */
export async function uploadBundle(
  body: unknown,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  answer: ReturnPreference,
) {
  const { type, entries } = parseBundle(body);
  const resources = entries.map((entry, index) => {
    try {
      checkEntryRequest(entry, index);
      return { resource: entry.resource, index };
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      return { resource: undefined, index, requestError: error };
    }
  });
  const outcomes = await uploadObservations(resources, type === 'transaction', schema, context, answer);
  return {
    resourceType: 'Bundle',
    type: `${type}-response`,
    entry: outcomes.map((o) => ({
      ...(o.stored ? { fullUrl: `${baseUrl}/Observation/${o.stored.id}` } : {}),
      ...(o.resource ? { resource: o.resource } : {}),
      response: {
        status: String(o.status),
        ...(o.stored ? { location: `Observation/${o.stored.id}`, lastModified: o.stored.lastUpdated } : {}),
        ...(o.outcome ? { outcome: o.outcome } : {}),
      },
    })),
  };
}
