import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import type { Role } from '../../src/db/entities/index.js';
import * as roles from '../../src/services/practitioner-roles.js';
import type { OrganizationPractitioner as Membership } from '../../src/services/practitioners.js';
import { toConnection } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { pageCost } from '../cost.js';
import { toId } from '../ids.js';
import { referenceOr } from '../references.js';
import { RoleEnum } from '../types/enums.js';
import { Organization, OrganizationPractitioner, OrganizationPractitionerConnection } from '../types/organization.js';
import { PageArgs } from '../types/paging.js';

const optionalId = (value: string | null | undefined, field: string) =>
  value === null || value === undefined ? null : toId(value, field);

/** A practitioner's roles, one per organization (FHIR PractitionerRole). */
@Resolver(() => OrganizationPractitioner)
export class PractitionerRoleResolver {
  @Query(() => OrganizationPractitioner, {
    description:
      'one practitioner’s role in one organization, by the membership’s id, if the viewer may see the organization',
  })
  practitionerRole(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return roles.getPractitionerRole(ctx.services, toId(id));
  }

  @Query(() => OrganizationPractitionerConnection, {
    complexity: pageCost,
    description: 'the roles in the organizations the viewer may see (super users: all), by membership id',
  })
  async practitionerRoles(
    @Arg('practitionerId', () => ID, { nullable: true }) practitionerId: string | null,
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Arg('role', () => RoleEnum, { nullable: true }) role: Role | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = {
      practitionerId: optionalId(practitionerId, 'practitionerId'),
      organizationId: optionalId(organizationId, 'organizationId'),
      role,
    };
    return toConnection(await roles.listPractitionerRoles(ctx.services, { ...filter, ...page }), () =>
      roles.countPractitionerRoles(ctx.services, filter),
    );
  }

  @FieldResolver(() => Organization, {
    nullable: true,
    description: 'the organization the role is in (its id needs no Organization scope; the rest does)',
  })
  organization(@Root() role: Membership, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return referenceOr(ctx, info, role.organizationId, 'Organization', () =>
      ctx.loaders.organization.load(role.organizationId),
    );
  }
}
