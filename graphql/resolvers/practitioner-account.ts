import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import * as standing from '../../src/services/practitioner-account-state.js';
import * as accounts from '../../src/services/practitioner-accounts.js';
import { toConnection } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { pageCost } from '../cost.js';
import { PageArgs } from '../types/paging.js';
import { toId } from '../ids.js';
import { CreatePractitionerInput, UpdatePractitionerInput } from '../types/practitioner-account.js';
import { Practitioner, PractitionerConnection } from '../types/user.js';

/** Practitioner accounts, managed by super users (src/services/practitioner-accounts.ts). */
@Resolver()
export class PractitionerAccountResolver {
  @Query(() => PractitionerConnection, {
    complexity: pageCost,
    description: 'every practitioner account, disabled ones too, by id (super users)',
  })
  async practitionerAccounts(
    @Arg('name', () => String, { nullable: true, description: 'a part of the first or last name, any case' })
    name: string | null,
    @Arg('email', () => String, { nullable: true, description: 'the login email, exactly but for case' })
    email: string | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const filter = { name, email };
    return toConnection(await accounts.listPractitionerAccounts(ctx.services, { ...filter, ...page }), () =>
      accounts.countPractitionerAccounts(ctx.services, filter),
    );
  }

  @Query(() => Practitioner, { description: 'one practitioner account, disabled or not (super users)' })
  practitionerAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return accounts.getPractitionerAccount(ctx.services, toId(id));
  }

  @Mutation(() => Practitioner, {
    description: 'creates a practitioner account and mails it a link to choose its password (super users; needs SMTP)',
  })
  createPractitioner(@Arg('input') input: CreatePractitionerInput, @Ctx() ctx: GraphQLContext) {
    return accounts.invitePractitioner(ctx.services, ctx.auth, { ...input });
  }

  @Mutation(() => Practitioner, { description: 'changes a practitioner’s name or email (super users)' })
  updatePractitioner(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdatePractitionerInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    const changes = Object.fromEntries(
      Object.entries(input).filter(([, value]) => value !== undefined && value !== null),
    );
    return accounts.updatePractitionerAccount(ctx.services, ctx.auth, toId(id), changes);
  }

  @Mutation(() => Practitioner, {
    description:
      'disables the account: it can no longer sign in, its tokens stop working at once, its sessions and refresh tokens are revoked (super users)',
  })
  disablePractitioner(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return standing.setPractitionerDisabled(ctx.services, toId(id), true);
  }

  @Mutation(() => Practitioner, { description: 'lets a disabled account sign in again (super users)' })
  enablePractitioner(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return standing.setPractitionerDisabled(ctx.services, toId(id), false);
  }

  @Mutation(() => Practitioner, { description: 'makes the practitioner a super user, or no longer one (super users)' })
  setPractitionerSuperuser(
    @Arg('id', () => ID) id: string,
    @Arg('isSuperuser') isSuperuser: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return standing.setPractitionerSuperuser(ctx.services, toId(id), isSuperuser);
  }

  @Mutation(() => ID, {
    description:
      'deletes an account that left nothing the records keep (else CONFLICT: disable it); answers its id (super users)',
  })
  deletePractitioner(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return standing.deletePractitionerAccount(ctx.services, toId(id));
  }
}
