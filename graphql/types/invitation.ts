import { Field, ID, ObjectType } from 'type-graphql';
import type { InvitationStatus } from '../../src/db/entities/index.js';
import { InvitationStatusEnum } from './enums.js';

@ObjectType({
  description: 'A sign-in invitation for the patient’s app, and what became of it',
  simpleResolvers: true,
})
export class PatientInvitation {
  @Field(() => ID)
  id!: number;

  @Field(() => InvitationStatusEnum, {
    description: 'PENDING (redeemable), REDEEMED, CANCELLED, SUPERSEDED (by a newer one) or EXPIRED',
  })
  status!: InvitationStatus;

  @Field(() => String, {
    nullable: true,
    description: '<INVITATION_LINK_PREFIX><host>|<code>; only in the answer that minted it (the code is stored hashed)',
  })
  link!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'the single-use authorization code inside the link; only in the answer that minted it',
  })
  code!: string | null;

  @Field({ description: 'the OAuth client that may redeem it' })
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'that client’s name, as the provider knows it' })
  clientName!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  redeemedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'the client that redeemed it' })
  redeemedByClient!: string | null;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => Date, { nullable: true })
  supersededAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'when the server mailed the link to the patient’s email' })
  emailedAt!: Date | null;
}
