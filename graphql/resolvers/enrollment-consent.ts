import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import * as consents from '../../src/services/enrollment-consents.js';
import { toConnection } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { pageCost } from '../cost.js';
import { toId } from '../ids.js';
import { referenceOr } from '../references.js';
import { Consent, EnrollmentConsent, EnrollmentConsentConnection } from '../types/consent.js';
import { ConsentStateEnum } from '../types/enums.js';
import { Organization } from '../types/organization.js';
import { PageArgs } from '../types/paging.js';
import { Patient } from '../types/patient.js';
import { Study } from '../types/study.js';

type Row = consents.EnrollmentConsent;

const optionalId = (value: string | null | undefined, field: string) =>
  value === null || value === undefined ? null : toId(value, field);

/** A patient's answers to one study (FHIR Consent): read by patient and study, listed by enrollment. */
@Resolver(() => EnrollmentConsent)
export class EnrollmentConsentResolver {
  @Query(() => EnrollmentConsent, {
    description: 'the patient’s answers to the study, for the patient themself or a practitioner who may see both',
  })
  enrollmentConsent(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('studyId', () => ID) studyId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return consents.getEnrollmentConsent(ctx.services, toId(patientId, 'patientId'), toId(studyId, 'studyId'));
  }

  @Query(() => EnrollmentConsentConnection, {
    complexity: pageCost,
    description:
      'the answers of every enrollment the viewer may see (a patient: their own; a practitioner: their patients in their organizations’ studies)',
  })
  async enrollmentConsents(
    @Arg('patientId', () => ID, { nullable: true }) patientId: string | null,
    @Arg('studyId', () => ID, { nullable: true }) studyId: string | null,
    @Arg('state', () => ConsentStateEnum, { nullable: true }) state: consents.ConsentState | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = {
      patientId: optionalId(patientId, 'patientId'),
      studyId: optionalId(studyId, 'studyId'),
      state,
    };
    return toConnection(await consents.listEnrollmentConsents(ctx.services, { ...filter, ...page }), () =>
      consents.countEnrollmentConsents(ctx.services, filter),
    );
  }

  @FieldResolver(() => ID)
  id(@Root() row: Row) {
    return `${row.patientId}-${row.study.id}`;
  }

  @FieldResolver(() => [Consent])
  scopeConsents(@Root() row: Row) {
    return row.scopeConsents.map((c) => ({
      id: c.id,
      study: row.study,
      code: c.codeableConcept,
      consented: c.consented,
      consentedTime: c.consentedTime,
    }));
  }

  @FieldResolver(() => Date, { nullable: true })
  lastAnswered(@Root() row: Row) {
    const times = row.scopeConsents.flatMap((c) => (c.consentedTime ? [c.consentedTime.getTime()] : []));
    return times.length ? new Date(Math.max(...times)) : null;
  }

  @FieldResolver(() => Patient, { description: 'the patient (its id needs no Patient scope; the rest does)' })
  patient(@Root() row: Row, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return referenceOr(ctx, info, row.patientId, 'Patient', () => ctx.loaders.patient.load(row.patientId));
  }

  @FieldResolver(() => Study, { description: 'the study (its id needs no Group scope; the rest does)' })
  study(@Root() row: Row, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return referenceOr(ctx, info, row.study.id, 'Group', async () => row.study);
  }

  @FieldResolver(() => Organization, {
    nullable: true,
    description:
      'the organization running the study (its id needs no Organization scope; the rest does, and is null for a patient, who may not see it)',
  })
  organization(@Root() row: Row, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    const id = row.study.organization.id;
    return referenceOr(ctx, info, id, 'Organization', () => ctx.loaders.organization.load(id));
  }
}
