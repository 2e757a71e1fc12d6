import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
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

  @FieldResolver(() => Practitioner, { nullable: true })
  practitioner(@Root() user: UserEntity, @Ctx() ctx: GraphQLContext) {
    // only the viewer's own profile is reachable through User
    return user.id === ctx.viewer.userId && ctx.viewer.practitionerId !== null
      ? ctx.loaders.practitioner.load(ctx.viewer.practitionerId)
      : null;
  }

  @FieldResolver(() => Patient, {
    nullable: true,
    description: 'the viewer’s own patient record, if they are a patient',
  })
  patient(@Root() user: UserEntity, @Ctx() ctx: GraphQLContext) {
    return user.id === ctx.viewer.userId ? ctx.loaders.patientByUser.load(user.id) : null;
  }
}

@Resolver(() => Practitioner)
export class PractitionerResolver {
  @FieldResolver(() => User)
  user(@Root() practitioner: PractitionerEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.user.load(practitioner.user.id);
  }
}
