import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { viewerCapabilities } from '../../src/policy/capabilities.js';
import { isOwnLogin } from '../../src/policy/rules.js';
import { getPractitioner } from '../../src/services/practitioners.js';
import { ViewerCapabilities } from '../types/capabilities.js';
import { toId } from '../ids.js';
import type { Practitioner as PractitionerEntity, User as UserEntity } from '../../src/db/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { Patient } from '../types/patient.js';
import { Practitioner, User } from '../types/user.js';

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

  @FieldResolver(() => User)
  user(@Root() practitioner: PractitionerEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.user.load(practitioner.user.id);
  }
}
