import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import * as summaries from '../../src/services/observation-summary.js';
import type { GraphQLContext } from '../context.js';
import { pageCost } from '../cost.js';
import { CodeableConcept } from '../types/catalog.js';
import { SummaryBucketEnum } from '../types/enums.js';
import { ObservationFilter } from '../types/observation.js';
import { ObservationDateRange, ObservationSummaryRow } from '../types/observation-summary.js';
import { toFilter } from './observation.js';

@Resolver(() => ObservationSummaryRow)
export class ObservationSummaryResolver {
  @Query(() => [ObservationSummaryRow], {
    complexity: pageCost,
    description:
      'aggregates of exactly the observations `observations(filter)` lists (consent-gated, token scopes applied): ' +
      'one row per code and bucket (UTC days, or ISO weeks from Monday), ordered by code and period start; more ' +
      'than `first` rows (at most 1000) is BAD_USER_INPUT: narrow the filter or take a coarser bucket',
  })
  observationSummary(
    @Arg('filter', () => ObservationFilter) filter: ObservationFilter,
    @Arg('bucket', () => SummaryBucketEnum, { nullable: true, defaultValue: 'NONE' })
    bucket: summaries.SummaryBucket | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: summaries.MAX_SUMMARY_ROWS }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return summaries.summarizeObservations(ctx.services, toFilter(filter), bucket ?? 'NONE', first ?? undefined);
  }

  @Query(() => ObservationDateRange, {
    description: 'how many observations `observations(filter)` lists, and their earliest and latest effective time',
  })
  observationDateRange(@Arg('filter', () => ObservationFilter) filter: ObservationFilter, @Ctx() ctx: GraphQLContext) {
    return summaries.observationDateRange(ctx.services, toFilter(filter));
  }

  @FieldResolver(() => CodeableConcept)
  code(@Root() row: summaries.ObservationSummaryRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.codeableConcept.load(row.codeableConceptId);
  }
}
