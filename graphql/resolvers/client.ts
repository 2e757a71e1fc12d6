import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { registerClient } from '../../src/auth/client-registry.js';
import type { Client as ClientEntity } from '../../src/db/entities/index.js';
import * as clients from '../../src/services/clients.js';
import type { GraphQLContext } from '../context.js';
import { toId, toIds } from '../ids.js';
import { DataSource } from '../types/catalog.js';
import { Client, CreateClientInput, CreatedClient, UpdateClientInput } from '../types/client.js';
import { Study } from '../types/study.js';

@InputType()
export class RegisterClientInput {
  @Field({ description: 'e.g. my-dashboard' })
  clientId!: string;

  @Field({ description: 'shown on the consent screen' })
  name!: string;

  @Field(() => [String])
  redirectUris!: string[];

  @Field({ defaultValue: false, description: 'true: a server-side app with a client secret; false: public, PKCE' })
  confidential!: boolean;
}

@ObjectType({ description: 'A registered third-party OAuth client', simpleResolvers: true })
export class RegisteredClient {
  @Field()
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'for confidential clients; shown only in this answer' })
  clientSecret!: string | null;
}

@Resolver()
export class ClientRegistrationResolver {
  @Mutation(() => RegisteredClient, { description: 'registers a third-party dashboard client (super users)' })
  async registerClient(@Arg('input') input: RegisterClientInput, @Ctx() ctx: GraphQLContext) {
    const client = await registerClient(ctx.services.em, input);
    return { clientId: client.clientId, clientSecret: client.clientSecret ?? null };
  }
}

@Resolver(() => Client)
export class ClientResolver {
  @Query(() => [Client], { description: 'every client (apps patients use); practitioners and super users' })
  clients(@Ctx() ctx: GraphQLContext) {
    return clients.listClients(ctx.services);
  }

  @Query(() => Client)
  client(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return clients.getClient(ctx.services, toId(id));
  }

  @Query(() => [Client], {
    description: 'the clients of the patient’s studies that the viewer may see (JupyterHealth’s consolidated clients)',
  })
  patientClients(@Arg('patientId', () => ID) patientId: string, @Ctx() ctx: GraphQLContext) {
    return clients.patientClients(ctx.services, toId(patientId, 'patientId'));
  }

  @FieldResolver(() => [DataSource], { description: 'the only data sources its tokens may upload from' })
  dataSources(@Root() client: ClientEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.clientDataSources.load(client.id);
  }

  @FieldResolver(() => [String])
  async redirectUris(@Root() client: ClientEntity, @Ctx() ctx: GraphQLContext) {
    return (await clients.clientRegistration(ctx.services, client)).redirectUris;
  }

  @FieldResolver(() => Boolean, { description: 'whether the app authenticates with a client secret' })
  async confidential(@Root() client: ClientEntity, @Ctx() ctx: GraphQLContext) {
    return (await clients.clientRegistration(ctx.services, client)).confidential;
  }

  @Mutation(() => CreatedClient, { description: 'registers an app patients use (super users)' })
  createClient(@Arg('input') input: CreateClientInput, @Ctx() ctx: GraphQLContext) {
    return clients.createClient(ctx.services, {
      ...input,
      oauthClientId: input.clientId,
      dataSourceIds: toIds(input.dataSourceIds ?? [], 'dataSourceIds'),
    });
  }

  @Mutation(() => Client, { description: 'super users' })
  updateClient(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateClientInput, @Ctx() ctx: GraphQLContext) {
    return clients.updateClient(ctx.services, toId(id), {
      ...input,
      dataSourceIds: input.dataSourceIds ? toIds(input.dataSourceIds, 'dataSourceIds') : undefined,
    });
  }

  @Mutation(() => ID, { description: 'removes the app and revokes everything issued to it (super users)' })
  async deleteClient(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    await clients.deleteClient(ctx.services, toId(id));
    return id;
  }

  @Mutation(() => Study, { description: 'the study’s patients may be invited to this client (study editors)' })
  async addStudyClient(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('clientId', () => ID) clientId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return (await clients.addStudyClient(ctx.services, toId(studyId, 'studyId'), toId(clientId, 'clientId'))).study;
  }

  @Mutation(() => Study)
  removeStudyClient(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('clientId', () => ID) clientId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return clients.removeStudyClient(ctx.services, toId(studyId, 'studyId'), toId(clientId, 'clientId'));
  }
}
