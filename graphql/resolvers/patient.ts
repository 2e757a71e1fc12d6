import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Patient as PatientEntity } from '../../src/db/entities/index.js';
import * as patients from '../../src/services/patients.js';
import { toConnection } from '../connection.js';
import { pageCost } from '../cost.js';
import { patientCapabilities } from '../../src/policy/capabilities.js';
import type { GraphQLContext } from '../context.js';
import { PatientCapabilities } from '../types/capabilities.js';
import { toId, toIds } from '../ids.js';
import { Organization } from '../types/organization.js';
import { PageArgs } from '../types/paging.js';
import { Study } from '../types/study.js';
import {
  CreatePatientInput,
  Identifier,
  IdentifierInput,
  Patient,
  PatientConnection,
  PatientMatch,
  PatientRemoval,
  UpdatePatientInput,
} from '../types/patient.js';

@Resolver(() => Patient)
export class PatientResolver {
  @Query(() => Patient)
  patient(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return patients.getPatient(ctx.services, toId(id));
  }

  @Query(() => PatientConnection, {
    description:
      'visible patients, optionally of one organization, one study, with one identifier (or an identifier’s value in any system), among some ids, or by name, email or birth date (every argument narrows)',
    complexity: pageCost,
  })
  async patients(
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Arg('studyId', () => ID, { nullable: true }) studyId: string | null,
    @Arg('identifier', () => IdentifierInput, { nullable: true }) identifier: IdentifierInput | null,
    @Arg('identifierValue', () => String, {
      nullable: true,
      description: 'an identifier’s value, in any system',
    })
    identifierValue: string | null,
    @Arg('ids', () => [ID], { nullable: true, description: 'only these patients (at most 1000)' }) ids: string[] | null,
    @Arg('name', () => String, {
      nullable: true,
      description: 'a part of the given or the family name, case-insensitive (e.g. "ete" finds Peter)',
    })
    name: string | null,
    @Arg('family', () => String, { nullable: true, description: 'the start of the family name, case-insensitive' })
    family: string | null,
    @Arg('given', () => String, { nullable: true, description: 'the start of the given name, case-insensitive' })
    given: string | null,
    @Arg('email', () => String, { nullable: true, description: 'the email, exactly but for case and spaces around it' })
    email: string | null,
    @Arg('birthDate', () => String, { nullable: true, description: 'the birth date, YYYY-MM-DD' })
    birthDate: string | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = {
      organizationId: organizationId ? toId(organizationId, 'organizationId') : null,
      studyId: studyId ? toId(studyId, 'studyId') : null,
      identifier,
      identifierValue,
      ids: ids ? toIds(ids, 'ids') : null,
      name,
      family,
      given,
      email,
      birthDate,
    };
    return toConnection(await patients.listPatients(ctx.services, { ...filter, ...page }), () =>
      patients.countPatients(ctx.services, filter),
    );
  }

  @Query(() => [PatientMatch], {
    description:
      'JupyterHealth’s global lookup: the patient with exactly this email, in any organization, for members and managers who would add them to theirs; the record itself only where the viewer may see it',
  })
  async patientLookup(@Arg('email') email: string, @Ctx() ctx: GraphQLContext) {
    const matches = await patients.lookUpPatientsByEmail(ctx.services, email);
    return matches.map(({ patient, view }) => ({
      id: patient.id,
      nameFamily: patient.nameFamily,
      nameGiven: patient.nameGiven,
      email: patient.email,
      patient: view === 'record' ? patient : null,
    }));
  }

  @FieldResolver(() => PatientCapabilities, { description: 'what the viewer may do with the record (roles and token)' })
  async viewerCan(@Root() patient: PatientEntity, @Ctx() ctx: GraphQLContext) {
    const organizationIds = await ctx.loaders.patientOrganizationIds.load(patient.id);
    return patientCapabilities(ctx.viewer, { id: patient.id, organizationIds });
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'the patient’s login, once invited (JupyterHealth’s jheUserId)',
  })
  userId(@Root() patient: PatientEntity) {
    return patient.user?.id ?? null;
  }

  @FieldResolver(() => [Identifier])
  identifiers(@Root() patient: PatientEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.patientIdentifiers.load(patient.id);
  }

  @FieldResolver(() => [Organization], { description: 'the patient’s organizations that the viewer may see' })
  async organizations(@Root() patient: PatientEntity, @Ctx() ctx: GraphQLContext) {
    const ids = await ctx.loaders.patientOrganizationIds.load(patient.id);
    const organizations = await ctx.loaders.organization.loadMany(ids);
    return organizations.filter((o) => o !== null && !(o instanceof Error));
  }

  @FieldResolver(() => [Study], { description: 'the studies the patient is enrolled in that the viewer may see' })
  studies(@Root() patient: PatientEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.patientStudies.load(patient.id);
  }

  @Mutation(() => Patient)
  createPatient(@Arg('input') input: CreatePatientInput, @Ctx() ctx: GraphQLContext) {
    return patients.createPatient(ctx.services, {
      ...input,
      organizationId: toId(input.organizationId, 'organizationId'),
    });
  }

  @Mutation(() => Patient)
  updatePatient(@Arg('id', () => ID) id: string, @Arg('input') input: UpdatePatientInput, @Ctx() ctx: GraphQLContext) {
    return patients.updatePatient(ctx.services, toId(id), input);
  }

  @Mutation(() => ID, { description: 'deletes the record and its data (needs rights in all its organizations)' })
  async deletePatient(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    await patients.deletePatient(ctx.services, toId(id));
    return id;
  }

  @Mutation(() => Patient, {
    description:
      'shares the patient with another organization; `email`, the patient’s exact email, lets a member add a patient they cannot see yet (JupyterHealth’s global add, after patientLookup)',
  })
  addPatientToOrganization(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('email', () => String, { nullable: true }) email: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return patients.addPatientToOrganization(
      ctx.services,
      toId(patientId, 'patientId'),
      toId(organizationId, 'organizationId'),
      { email },
    );
  }

  @Mutation(() => PatientRemoval, {
    description:
      'JupyterHealth’s patient delete: unlinks the patient from the organization (and its studies) and, when it was their last one, deletes the record and its data',
  })
  async removePatientFromOrganizationOrDelete(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    const id = toId(patientId, 'patientId');
    const { deleted } = await patients.removePatientFromOrganizationOrDelete(
      ctx.services,
      id,
      toId(organizationId, 'organizationId'),
    );
    return { patientId: id, deleted };
  }

  @Mutation(() => Patient, { description: 'unlinks the patient from one organization (and its studies)' })
  removePatientFromOrganization(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return patients.removePatientFromOrganization(
      ctx.services,
      toId(patientId, 'patientId'),
      toId(organizationId, 'organizationId'),
    );
  }

  @Mutation(() => Patient)
  async addPatientIdentifier(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('identifier') identifier: IdentifierInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    await patients.addPatientIdentifier(ctx.services, toId(patientId, 'patientId'), identifier);
    return patients.getPatient(ctx.services, toId(patientId, 'patientId'));
  }

  @Mutation(() => Patient)
  async removePatientIdentifier(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('identifier') identifier: IdentifierInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    await patients.removePatientIdentifier(ctx.services, toId(patientId, 'patientId'), identifier);
    return patients.getPatient(ctx.services, toId(patientId, 'patientId'));
  }
}
