import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Organization as OrganizationEntity, Role } from '../../src/db/entities/index.js';
import * as organizations from '../../src/services/organizations.js';
import * as patients from '../../src/services/patients.js';
import * as practitioners from '../../src/services/practitioners.js';
import * as studies from '../../src/services/studies.js';
import { nestedConnection, toConnection } from '../connection.js';
import { pageCost } from '../cost.js';
import { RoleEnum } from '../types/enums.js';
import { PageArgs } from '../types/paging.js';
import { PatientConnection } from '../types/patient.js';
import { StudyConnection } from '../types/study.js';
import { organizationCapabilities } from '../../src/policy/capabilities.js';
import type { GraphQLContext } from '../context.js';
import { OrganizationCapabilities } from '../types/capabilities.js';
import { toId } from '../ids.js';
import {
  CreateOrganizationInput,
  Organization,
  OrganizationConnection,
  OrganizationPractitioner,
  UpdateOrganizationInput,
} from '../types/organization.js';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { description: 'an organization the viewer holds a role in (super users: any)' })
  organization(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return organizations.getOrganization(ctx.services, toId(id));
  }

  @Query(() => [Organization], { description: 'the viewer’s organizations; for a super user, every top-level one' })
  organizations(@Ctx() ctx: GraphQLContext) {
    return organizations.listOrganizations(ctx.services);
  }

  @Query(() => OrganizationConnection, {
    complexity: pageCost,
    description:
      'every organization the viewer may see (where they hold a role; super users: all), by id; with partOfId, the visible direct children of that organization (none if the viewer may not see it)',
  })
  async visibleOrganizations(
    @Arg('partOfId', () => ID, { nullable: true, description: 'only the direct children of this organization' })
    partOfId: string | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = { partOfId: partOfId === null || partOfId === undefined ? null : toId(partOfId, 'partOfId') };
    return toConnection(await organizations.listVisibleOrganizations(ctx.services, { ...filter, ...page }), () =>
      organizations.countVisibleOrganizations(ctx.services, filter),
    );
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'the parent, when the viewer may see it' })
  partOf(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return org.partOf ? ctx.loaders.organization.load(org.partOf.id) : null;
  }

  @FieldResolver(() => [Organization], { description: 'sub-organizations the viewer may see' })
  children(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.organizationChildren.load(org.id);
  }

  @FieldResolver(() => OrganizationCapabilities, { description: 'what the viewer may do here (roles and token)' })
  viewerCan(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return organizationCapabilities(ctx.viewer, { id: org.id, partOfId: org.partOf?.id ?? null });
  }

  @FieldResolver(() => RoleEnum, { nullable: true, description: 'the viewer’s own role here, if any' })
  viewerRole(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.viewer.roles.get(org.id) ?? null;
  }

  @FieldResolver(() => StudyConnection, { complexity: pageCost })
  studies(@Root() org: OrganizationEntity, @Args() page: PageArgs, @Ctx() ctx: GraphQLContext) {
    return nestedConnection(page, {
      firstPage: (first) => ctx.loaders.organizationStudies(org.id, first),
      page: () => studies.listStudies(ctx.services, { organizationId: org.id, ...page }),
      count: () => ctx.loaders.organizationStudyCount.load(org.id),
    });
  }

  @FieldResolver(() => PatientConnection, { complexity: pageCost })
  patients(@Root() org: OrganizationEntity, @Args() page: PageArgs, @Ctx() ctx: GraphQLContext) {
    return nestedConnection(page, {
      firstPage: (first) => ctx.loaders.organizationPatients(org.id, first),
      page: () => patients.listPatients(ctx.services, { organizationId: org.id, ...page }),
      count: () => ctx.loaders.organizationPatientCount.load(org.id),
    });
  }

  @FieldResolver(() => [OrganizationPractitioner], { description: 'practitioners with their role here' })
  practitioners(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.organizationPractitioners.load(org.id);
  }

  @Mutation(() => OrganizationPractitioner, {
    description: 'adds a practitioner, by login email or by user id (exactly one of them), with a role',
  })
  addPractitionerToOrganization(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('email', () => String, { nullable: true }) email: string | null,
    @Arg('userId', () => ID, { nullable: true, description: 'the practitioner’s login (JupyterHealth’s jheUserId)' })
    userId: string | null,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() ctx: GraphQLContext,
  ) {
    return practitioners.addPractitionerToOrganization(ctx.services, toId(organizationId, 'organizationId'), {
      email: email ?? undefined,
      userId: userId === null || userId === undefined ? undefined : toId(userId, 'userId'),
      role,
    });
  }

  @Mutation(() => OrganizationPractitioner)
  changePractitionerRole(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('practitionerId', () => ID) practitionerId: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() ctx: GraphQLContext,
  ) {
    return practitioners.changePractitionerRole(
      ctx.services,
      toId(organizationId, 'organizationId'),
      toId(practitionerId, 'practitionerId'),
      role,
    );
  }

  @Mutation(() => ID, { description: 'removes the practitioner from the organization; returns their id' })
  async removePractitionerFromOrganization(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('practitionerId', () => ID) practitionerId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    await practitioners.removePractitionerFromOrganization(
      ctx.services,
      toId(organizationId, 'organizationId'),
      toId(practitionerId, 'practitionerId'),
    );
    return practitionerId;
  }

  @Mutation(() => Organization)
  createOrganization(@Arg('input') input: CreateOrganizationInput, @Ctx() ctx: GraphQLContext) {
    const partOfId = input.partOfId ? toId(input.partOfId, 'partOfId') : null;
    return organizations.createOrganization(ctx.services, { name: input.name, type: input.type, partOfId });
  }

  @Mutation(() => Organization)
  updateOrganization(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateOrganizationInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return organizations.updateOrganization(ctx.services, toId(id), input);
  }

  @Mutation(() => ID, { description: 'deletes the organization and its subtree; returns its id' })
  async deleteOrganization(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    await organizations.deleteOrganization(ctx.services, toId(id));
    return id;
  }
}
