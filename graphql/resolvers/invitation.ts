import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { cancelPatientInvitation, listPatientInvitations } from '../../src/auth/invitation-records.js';
import { createPatientInvitation } from '../../src/auth/invitations.js';
import { invitationStatus, type PatientInvitation as InvitationEntity } from '../../src/db/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toId } from '../ids.js';
import { PatientInvitation } from '../types/invitation.js';
import { User } from '../types/user.js';

/** An invitation record as GraphQL shows it; the code and link only in the answer that minted them. */
type InvitationValue = InvitationEntity & { code?: string | null; link?: string | null };

/** Client names per request: a list of invitations names the same client again and again. */
const clientNames = new WeakMap<GraphQLContext, Map<string, Promise<string | null>>>();

@Resolver(() => PatientInvitation)
export class PatientInvitationResolver {
  @Query(() => [PatientInvitation], {
    description: 'the patient’s invitations, newest first (at most 100; members and managers)',
  })
  patientInvitations(@Arg('patientId', () => ID) patientId: string, @Ctx() ctx: GraphQLContext) {
    return listPatientInvitations(ctx.services, toId(patientId, 'patientId'));
  }

  @Mutation(() => PatientInvitation, {
    description:
      'a single-use sign-in link for the patient’s app (members and managers); supersedes unredeemed ones for that app',
  })
  async createPatientInvitation(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('clientId', () => ID, {
      nullable: true,
      description: 'a client of one of the patient’s studies (none: the patient-app client)',
    })
    clientId: string | null | undefined,
    @Arg('send', () => Boolean, {
      nullable: true,
      description:
        'mail the link to the patient’s email (always so with INVITATION_DELIVERY=email-only, which answers neither code nor link)',
    })
    send: boolean | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InvitationValue> {
    const minted = await createPatientInvitation(
      ctx.services,
      toId(patientId, 'patientId'),
      ctx.auth,
      clientId == null ? undefined : toId(clientId, 'clientId'),
      { send: send ?? false },
    );
    if (!minted.showable) return minted.invitation;
    return { ...minted.invitation, code: minted.code, link: minted.link };
  }

  @Mutation(() => PatientInvitation, { description: 'revokes a pending invitation’s code at once' })
  cancelPatientInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return cancelPatientInvitation(ctx.services, toId(id));
  }

  @FieldResolver()
  status(@Root() invitation: InvitationValue) {
    return invitationStatus(invitation);
  }

  @FieldResolver()
  code(@Root() invitation: InvitationValue) {
    return invitation.code ?? null;
  }

  @FieldResolver()
  link(@Root() invitation: InvitationValue) {
    return invitation.link ?? null;
  }

  @FieldResolver()
  clientName(@Root() invitation: InvitationValue, @Ctx() ctx: GraphQLContext) {
    let names = clientNames.get(ctx);
    if (!names) clientNames.set(ctx, (names = new Map()));
    let name = names.get(invitation.clientId);
    if (!name) {
      name = ctx.auth.provider.Client.find(invitation.clientId).then((client) => client?.clientName ?? null);
      names.set(invitation.clientId, name);
    }
    return name;
  }

  @FieldResolver(() => User, { nullable: true, description: 'who minted it' })
  createdBy(@Root() invitation: InvitationValue, @Ctx() ctx: GraphQLContext) {
    return invitation.createdBy ? ctx.loaders.user.load(invitation.createdBy.id) : null;
  }
}
