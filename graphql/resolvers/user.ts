import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { viewerCapabilities } from '../../src/policy/capabilities.js';
import { isOwnLogin } from '../../src/policy/rules.js';
import { countPractitioners, listPractitioners } from '../../src/services/practitioner-lists.js';
import { getPractitioner } from '../../src/services/practitioners.js';
import { toConnection } from '../connection.js';
import { pageCost } from '../cost.js';
import { PageArgs } from '../types/paging.js';
import { ViewerCapabilities } from '../types/capabilities.js';
import { toId, toIds } from '../ids.js';
import type { Practitioner as PractitionerEntity, User as UserEntity } from '../../src/db/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { Patient } from '../types/patient.js';
import { Practitioner, PractitionerConnection, User } from '../types/user.js';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'the signed-in user; null when anonymous' })
  me(@Ctx() ctx: GraphQLContext) {
    return ctx.viewer.userId === null ? null : ctx.loaders.user.load(ctx.viewer.userId);
  }

  @Query(() => ViewerCapabilities, { description: 'what the viewer may do anywhere (roles and token)' })
  viewerCan(@Ctx() ctx: GraphQLContext) {
    return viewerCapabilities(ctx.viewer);
  }

  @FieldResolver(() => Practitioner, { nullable: true })
  practitioner(@Root() user: UserEntity, @Ctx() ctx: GraphQLContext) {
    return isOwnLogin(ctx.viewer, user.id) && ctx.viewer.practitionerId !== null
      ? ctx.loaders.practitioner.load(ctx.viewer.practitionerId)
      : null;
  }

  @FieldResolver(() => Boolean, { description: 'a super user disabled it: no sign-in, its tokens refused' })
  disabled(@Root() user: UserEntity) {
    return Boolean(user.disabledAt);
  }

  @FieldResolver(() => Boolean, { description: 'the owner proved the email (a password can sign in only then)' })
  emailVerified(@Root() user: UserEntity) {
    return Boolean(user.emailVerifiedAt);
  }

  @FieldResolver(() => Patient, {
    nullable: true,
    description: 'the viewer’s own patient record, if they are a patient',
  })
  patient(@Root() user: UserEntity, @Ctx() ctx: GraphQLContext) {
    return isOwnLogin(ctx.viewer, user.id) ? ctx.loaders.patientByUser.load(user.id) : null;
  }
}

@Resolver(() => Practitioner)
export class PractitionerResolver {
  @Query(() => Practitioner, { description: 'a practitioner: the viewer, or one of their organizations’ people' })
  practitioner(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return getPractitioner(ctx.services, toId(id));
  }

  @Query(() => PractitionerConnection, {
    complexity: pageCost,
    description:
      'the practitioners the viewer may see (themself and their organizations’ people; super users: all), by id',
  })
  async practitioners(
    @Arg('ids', () => [ID], { nullable: true, description: 'only these (at most 1000)' }) ids: string[] | null,
    @Arg('name', () => String, { nullable: true, description: 'a part of the first or last name, any case' })
    name: string | null,
    @Arg('family', () => String, { nullable: true, description: 'the start of the last name, any case' })
    family: string | null,
    @Arg('given', () => String, { nullable: true, description: 'the start of the first name, any case' })
    given: string | null,
    @Arg('email', () => String, { nullable: true, description: 'the login email, exactly but for case' })
    email: string | null,
    @Arg('organizationId', () => ID, { nullable: true, description: 'only those with a role in this organization' })
    organizationId: string | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = {
      ids: ids ? toIds(ids) : null,
      name,
      family,
      given,
      email,
      organizationId: organizationId ? toId(organizationId, 'organizationId') : null,
    };
    return toConnection(await listPractitioners(ctx.services, { ...filter, ...page }), () =>
      countPractitioners(ctx.services, filter),
    );
  }

  @FieldResolver(() => User)
  user(@Root() practitioner: PractitionerEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.user.load(practitioner.user.id);
  }
}
