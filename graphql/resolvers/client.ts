import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { registerClient } from '../../src/auth/client-registry.js';
import type { GraphQLContext } from '../context.js';

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
export class ClientResolver {
  @Mutation(() => RegisteredClient, { description: 'registers a third-party dashboard client (super users)' })
  async registerClient(@Arg('input') input: RegisterClientInput, @Ctx() ctx: GraphQLContext) {
    const client = await registerClient(ctx.services.em, input);
    return { clientId: client.clientId, clientSecret: client.clientSecret ?? null };
  }
}
