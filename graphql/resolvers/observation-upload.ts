import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { DomainError, InvalidError } from '../../src/errors.js';
import { createObservations, type UploadResult } from '../../src/services/observation-ingest.js';
import { draftUpload } from '../../src/services/observation-resource.js';
import type { ObservationRow } from '../../src/services/observation-search.js';
import type { GraphQLContext } from '../context.js';
import { domainToGraphQLError } from '../errors.js';
import { Observation, ObservationInput, ObservationUploadResult } from '../types/observation.js';

const MAX_UPLOAD = 1000;

/** The GraphQL answer for one upload; `stored` is what `observation` resolves (loaded only when asked for). */
interface UploadAnswer {
  index: number;
  status: 'CREATED' | 'EXISTING' | 'ERROR';
  observationId: number | null;
  /** ISO 8601 text, as ObservationRow carries it */
  lastUpdated: string | null;
  stored: ObservationRow | number | null;
  error: { code: string; message: string; path: string | null } | null;
}

function toAnswer(result: UploadResult, index: number): UploadAnswer {
  switch (result.status) {
    case 'error':
      return {
        index,
        status: 'ERROR',
        observationId: null,
        lastUpdated: null,
        stored: null,
        error: uploadError(result.error),
      };
    case 'created':
      return {
        index,
        status: 'CREATED',
        observationId: result.id,
        lastUpdated: result.lastUpdated.toISOString(),
        stored: result.id,
        error: null,
      };
    case 'existing': {
      const { observation } = result;
      return {
        index,
        status: 'EXISTING',
        observationId: observation.id,
        lastUpdated: observation.lastUpdated,
        stored: observation,
        error: null,
      };
    }
  }
}

function uploadError(error: DomainError) {
  const mapped = domainToGraphQLError(error);
  return {
    code: String(mapped.extensions.code),
    message: error.message,
    path: (mapped.extensions.field as string) ?? null,
  };
}

@Resolver(() => ObservationUploadResult)
export class ObservationUploadResolver {
  @Mutation(() => [ObservationUploadResult], {
    description:
      'uploads FHIR-shaped observations: one result per input (CREATED, EXISTING for a known identifier, ERROR); atomic: all or nothing',
  })
  async uploadObservations(
    @Arg('observations', () => [ObservationInput]) inputs: ObservationInput[],
    @Arg('atomic', { nullable: true, defaultValue: false }) atomic: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UploadAnswer[]> {
    if (inputs.length > MAX_UPLOAD) {
      throw new InvalidError(`observations: at most ${MAX_UPLOAD} per upload (got ${inputs.length})`, 'observations');
    }
    const drafts = inputs.map((input) => {
      try {
        return draftUpload(input);
      } catch (error) {
        if (error instanceof DomainError) return error;
        throw error;
      }
    });
    const results = await createObservations(ctx.services, drafts, { atomic });
    return results.map(toAnswer);
  }

  @FieldResolver(() => Observation, { nullable: true, description: 'the stored observation, as uploaded' })
  observation(@Root() answer: UploadAnswer, @Ctx() ctx: GraphQLContext) {
    if (typeof answer.stored !== 'number') return answer.stored;
    return ctx.loaders.storedObservation.load(answer.stored);
  }
}
