import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'An app patients use (CommonHealth, CareX, …): its own OAuth client, the link its invitations open, the data sources it uploads from',
})
export class Client {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => String, { name: 'clientId', description: 'the OAuth client id the app redeems invitations with' })
  oauthClientId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'where invitations send the patient, CODE standing for the code (none: INVITATION_LINK_PREFIX)',
  })
  invitationUrl!: string | null;
}

@InputType()
export class CreateClientInput {
  @Field()
  name!: string;

  @Field({ description: 'the OAuth client id, e.g. commonhealth' })
  clientId!: string;

  @Field(() => [String], { description: 'where the app may be sent back after sign-in (any of them redeems codes)' })
  redirectUris!: string[];

  @Field({ defaultValue: false, description: 'true: the app authenticates with a client secret; false: public' })
  confidential!: boolean;

  @Field(() => String, { nullable: true, description: 'a URL with CODE in it, e.g. https://carex.ai/?invitation=CODE' })
  invitationUrl?: string | null;

  @Field(() => [ID], { nullable: true, description: 'the only data sources its tokens may upload from' })
  dataSourceIds?: string[];
}

@InputType()
export class UpdateClientInput {
  @Field({ nullable: true })
  name?: string;

  @Field(() => [String], { nullable: true, description: 'replaces the redirect URIs' })
  redirectUris?: string[];

  @Field(() => String, { nullable: true, description: 'null: invitations use INVITATION_LINK_PREFIX' })
  invitationUrl?: string | null;

  @Field(() => [ID], { nullable: true, description: 'replaces the data sources' })
  dataSourceIds?: string[];
}

@ObjectType({ description: 'A newly created client', simpleResolvers: true })
export class CreatedClient {
  @Field(() => Client)
  client!: Client;

  @Field(() => String, { nullable: true, description: 'for confidential clients; shown only in this answer' })
  clientSecret!: string | null;
}
