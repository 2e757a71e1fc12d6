import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Patient as PatientEntity, Study as StudyEntity } from '../../src/db/entities/index.js';
import { InvalidError } from '../../src/errors.js';
import { findCodeableConceptByCoding } from '../../src/services/codeable-concepts.js';
import * as consents from '../../src/services/consents.js';
import { pageSize } from '../../src/services/paging.js';
import { listPatients } from '../../src/services/patients.js';
import type { GraphQLContext } from '../context.js';
import { toId } from '../ids.js';
import { PatientConsents, StudyPatientConsents, StudyScopeConsentsInput } from '../types/consent.js';
import { PageArgs } from '../types/paging.js';
import { Patient } from '../types/patient.js';
import { Study } from '../types/study.js';

type ServiceStudyConsents = consents.StudyConsents;

/** The service's answers, as GraphQL Consents (each names its study). */
const asConsents = ({ study, scopeConsents }: ServiceStudyConsents) =>
  scopeConsents.map((c) => ({
    id: c.id,
    study,
    code: c.codeableConcept,
    consented: c.consented,
    consentedTime: c.consentedTime,
  }));

const asStudyConsents = (s: ServiceStudyConsents) => ({
  study: s.study,
  scopeConsents: asConsents(s),
  pendingScopes: s.pendingScopes,
});

const asPatientConsents = (c: consents.PatientConsents) => ({
  patient: c.patient,
  consolidatedConsentedScopes: c.consolidatedConsentedScopes,
  studies: c.studies.map(asStudyConsents),
  studiesPendingConsent: c.studiesPendingConsent.map(asStudyConsents),
});

/** The JupyterHealth payload names scopes by coding; the services take codeable concept ids. */
async function answers(ctx: GraphQLContext, input: StudyScopeConsentsInput[], requireConsented: boolean) {
  return Promise.all(
    input.map(async (study, i) => ({
      studyId: toId(study.studyId, `studyScopeConsents.${i}.studyId`),
      scopeConsents: await Promise.all(
        study.scopeConsents.map(async (scope, j) => {
          const path = `studyScopeConsents.${i}.scopeConsents.${j}`;
          const concept = await findCodeableConceptByCoding(ctx.services.em, scope.codingSystem, scope.codingCode);
          if (!concept)
            throw new InvalidError(`${path}: unknown coding ${scope.codingSystem}|${scope.codingCode}`, path);
          if (requireConsented && typeof scope.consented !== 'boolean') {
            throw new InvalidError(`${path}.consented: must be true or false`, `${path}.consented`);
          }
          return { codeableConceptId: concept.id, consented: scope.consented ?? false };
        }),
      ),
    })),
  );
}

/** The scopes named per study, for revoking or clearing (`consented` ignored). */
const scopesOf = async (ctx: GraphQLContext, input: StudyScopeConsentsInput[]) =>
  (await answers(ctx, input, false)).map((s) => ({
    studyId: s.studyId,
    codeableConceptIds: s.scopeConsents.map((c) => c.codeableConceptId),
  }));

@Resolver(() => Patient)
export class PatientConsentsResolver {
  @FieldResolver(() => PatientConsents, { description: 'the studies’ scope requests and the patient’s answers' })
  async consents(@Root() patient: PatientEntity, @Ctx() ctx: GraphQLContext) {
    return asPatientConsents(await ctx.loaders.patientConsents.load(patient));
  }

  @Mutation(() => PatientConsents, { description: 'the patient answers (or changes answers to) scope requests' })
  async setConsents(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('studyScopeConsents', () => [StudyScopeConsentsInput]) input: StudyScopeConsentsInput[],
    @Ctx() ctx: GraphQLContext,
  ) {
    const id = toId(patientId, 'patientId');
    return asPatientConsents(await consents.setConsents(ctx.services, id, await answers(ctx, input, true)));
  }

  @Mutation(() => PatientConsents, { description: 'the patient withdraws consent: the data is hidden at once' })
  async revokeConsents(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('studyScopeConsents', () => [StudyScopeConsentsInput]) input: StudyScopeConsentsInput[],
    @Ctx() ctx: GraphQLContext,
  ) {
    const id = toId(patientId, 'patientId');
    return asPatientConsents(await consents.revokeConsents(ctx.services, id, await scopesOf(ctx, input)));
  }

  @Mutation(() => PatientConsents, {
    description:
      'the patient withdraws answers: the scopes are pending (unanswered) again, and data shared under them is hidden at once',
  })
  async clearConsents(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('studyScopeConsents', () => [StudyScopeConsentsInput]) input: StudyScopeConsentsInput[],
    @Ctx() ctx: GraphQLContext,
  ) {
    const id = toId(patientId, 'patientId');
    return asPatientConsents(await consents.clearConsents(ctx.services, id, await scopesOf(ctx, input)));
  }
}

@Resolver(() => Study)
export class StudyConsentsResolver {
  @FieldResolver(() => [StudyPatientConsents], {
    description: 'enrolled patients’ answers, a page of patients at a time',
  })
  async consents(@Root() study: StudyEntity, @Args() page: PageArgs, @Ctx() ctx: GraphQLContext) {
    const patients = page.after
      ? (await listPatients(ctx.services, { studyId: study.id, ...page })).nodes
      : (await ctx.loaders.studyPatients(study.id, pageSize(page.first))).nodes;
    const all = await ctx.loaders.patientConsents.loadMany(patients);
    return all.flatMap((c) => {
      if (c instanceof Error) throw c;
      const mine = c.studies.find((s) => s.study.id === study.id);
      return mine ? [{ patient: c.patient, scopeConsents: asConsents(mine) }] : [];
    });
  }
}
