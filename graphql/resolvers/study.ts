import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Study as StudyEntity } from '../../src/db/entities/index.js';
import { NotFoundError } from '../../src/errors.js';
import * as patients from '../../src/services/patients.js';
import * as studies from '../../src/services/studies.js';
import { nestedConnection, toConnection } from '../connection.js';
import { pageCost } from '../cost.js';
import { studyCapabilities } from '../../src/policy/capabilities.js';
import type { GraphQLContext } from '../context.js';
import { StudyCapabilities } from '../types/capabilities.js';
import { toId, toIds } from '../ids.js';
import { CodeableConcept, DataSource } from '../types/catalog.js';
import { Client } from '../types/client.js';
import { Organization, OrganizationSummary } from '../types/organization.js';
import { PageArgs } from '../types/paging.js';
import { PatientConnection } from '../types/patient.js';
import { CreateStudyInput, Study, StudyConnection, UpdateStudyInput } from '../types/study.js';

@Resolver(() => Study)
export class StudyResolver {
  @Query(() => Study)
  study(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return studies.getStudy(ctx.services, toId(id));
  }

  @Query(() => StudyConnection, {
    complexity: pageCost,
    description:
      'the studies the viewer may see (their organizations’; a patient’s own), optionally of one organization',
  })
  async studies(
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = { organizationId: organizationId ? toId(organizationId, 'organizationId') : null };
    return toConnection(await studies.listStudies(ctx.services, { ...filter, ...page }), () =>
      studies.countStudies(ctx.services, filter),
    );
  }

  @FieldResolver(() => StudyCapabilities, { description: 'what the viewer may do with it (roles and token)' })
  viewerCan(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    return studyCapabilities(ctx.viewer, { organizationId: study.organization.id });
  }

  @FieldResolver(() => Organization, {
    nullable: true,
    description: 'the organization running it, when the viewer may see it (a patient sees none)',
  })
  organization(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.organization.load(study.organization.id);
  }

  @FieldResolver(() => OrganizationSummary, {
    description:
      'who runs the study (id, name, type), for whoever sees the study; `organization` is the organization itself, for its own people',
  })
  async organizer(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    const organizer = await ctx.loaders.studyOrganizer.load(study.id);
    if (!organizer) throw new NotFoundError('Study', study.id);
    return organizer;
  }

  @FieldResolver(() => [DataSource])
  dataSources(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.studyDataSources.load(study.id);
  }

  @FieldResolver(() => [Client], { description: 'the apps its patients may be invited to' })
  clients(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.studyClients.load(study.id);
  }

  @FieldResolver(() => [CodeableConcept], { description: 'the scopes the study asks its patients to share' })
  scopeRequests(@Root() study: StudyEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.studyScopeRequests.load(study.id);
  }

  @FieldResolver(() => PatientConnection, { complexity: pageCost, description: 'enrolled patients' })
  patients(@Root() study: StudyEntity, @Args() page: PageArgs, @Ctx() ctx: GraphQLContext) {
    return nestedConnection(page, {
      firstPage: (first) => ctx.loaders.studyPatients(study.id, first),
      page: () => patients.listPatients(ctx.services, { studyId: study.id, ...page }),
      count: () => ctx.loaders.studyPatientCount.load(study.id),
    });
  }

  @Mutation(() => Study)
  createStudy(@Arg('input') input: CreateStudyInput, @Ctx() ctx: GraphQLContext) {
    return studies.createStudy(ctx.services, {
      ...input,
      organizationId: toId(input.organizationId, 'organizationId'),
      dataSourceIds: toIds(input.dataSourceIds ?? [], 'dataSourceIds'),
      scopeIds: toIds(input.scopeIds ?? [], 'scopeIds'),
    });
  }

  @Mutation(() => Study)
  updateStudy(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateStudyInput, @Ctx() ctx: GraphQLContext) {
    return studies.updateStudy(ctx.services, toId(id), input);
  }

  @Mutation(() => ID)
  async deleteStudy(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    await studies.deleteStudy(ctx.services, toId(id));
    return id;
  }

  @Mutation(() => Study)
  addStudyDataSource(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('dataSourceId', () => ID) dataSourceId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.addStudyDataSource(ctx.services, toId(studyId, 'studyId'), toId(dataSourceId, 'dataSourceId'));
  }

  @Mutation(() => Study)
  removeStudyDataSource(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('dataSourceId', () => ID) dataSourceId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.removeStudyDataSource(ctx.services, toId(studyId, 'studyId'), toId(dataSourceId, 'dataSourceId'));
  }

  @Mutation(() => Study)
  addStudyScopeRequest(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('codeableConceptId', () => ID) codeableConceptId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.addStudyScopeRequest(
      ctx.services,
      toId(studyId, 'studyId'),
      toId(codeableConceptId, 'codeableConceptId'),
    );
  }

  @Mutation(() => Study)
  removeStudyScopeRequest(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('codeableConceptId', () => ID) codeableConceptId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.removeStudyScopeRequest(
      ctx.services,
      toId(studyId, 'studyId'),
      toId(codeableConceptId, 'codeableConceptId'),
    );
  }

  @Mutation(() => Study, { description: 'enrolls patients of the study’s organization (all or none)' })
  addPatientsToStudy(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('patientIds', () => [ID]) patientIds: string[],
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.enrollPatients(ctx.services, toId(studyId, 'studyId'), toIds(patientIds, 'patientIds'));
  }

  @Mutation(() => Study, {
    description: 'unenrolls enrolled patients (all or none); their consents for the study go with them',
  })
  removePatientsFromStudy(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('patientIds', () => [ID]) patientIds: string[],
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.unenrollPatients(ctx.services, toId(studyId, 'studyId'), toIds(patientIds, 'patientIds'));
  }

  @Mutation(() => Study, { description: 'unenrolls a patient; their consents for the study go with it' })
  removePatientFromStudy(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('patientId', () => ID) patientId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return studies.unenrollPatient(ctx.services, toId(studyId, 'studyId'), toId(patientId, 'patientId'));
  }
}
