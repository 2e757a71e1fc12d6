import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Organization as OrganizationEntity } from '../../src/db/entities/index.js';
import { RoleEnum } from '../types/enums.js';
import * as organizations from '../../src/services/organizations.js';
import type { GraphQLContext } from '../context.js';
import { toId } from '../ids.js';
import { CreateOrganizationInput, Organization, UpdateOrganizationInput } from '../types/organization.js';

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

  @FieldResolver(() => Organization, { nullable: true, description: 'the parent, when the viewer may see it' })
  partOf(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return org.partOf ? ctx.loaders.organization.load(org.partOf.id) : null;
  }

  @FieldResolver(() => [Organization], { description: 'sub-organizations the viewer may see' })
  children(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.organizationChildren.load(org.id);
  }

  @FieldResolver(() => RoleEnum, { nullable: true, description: 'the viewer’s own role here, if any' })
  viewerRole(@Root() org: OrganizationEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.viewer.roles.get(org.id) ?? null;
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
