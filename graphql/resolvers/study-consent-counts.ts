import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Study as StudyEntity } from '../../src/db/entities/index.js';
import type { StudyScopeCount as StudyScopeCountValue } from '../../src/services/study-consent-counts.js';
import type { GraphQLContext } from '../context.js';
import { CodeableConcept } from '../types/catalog.js';
import { Study } from '../types/study.js';
import { StudyConsentCounts, StudyScopeCount } from '../types/study-consent-counts.js';

@Resolver(() => Study)
export class StudyConsentCountsResolver {
  @FieldResolver(() => StudyConsentCounts, {
    description: 'its enrolled patients’ consent answers counted (over the patients the viewer may see)',
  })
  consentCounts(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.studyConsentCounts.load(study.id);
  }
}

@Resolver(() => StudyScopeCount)
export class StudyScopeCountResolver {
  @FieldResolver(() => CodeableConcept)
  code(@Root() count: StudyScopeCountValue, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.codeableConcept.load(count.codeableConceptId);
  }
}
