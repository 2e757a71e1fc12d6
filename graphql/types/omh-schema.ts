import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'A JSON Schema the gateway validates Open mHealth data points with (Open mHealth and IEEE 1752.1)',
  simpleResolvers: true,
})
export class OmhSchema {
  @Field({ description: '`<namespace>:<name>:<version>`, e.g. omh:heart-rate:2.0 (an observation code’s form)' })
  name!: string;

  @Field({ description: 'omh (Open mHealth measures) or ieee (IEEE 1752.1 building blocks)' })
  namespace!: string;

  @Field({ description: 'e.g. 2.0' })
  version!: string;

  @Field(() => GraphQLJSON, { description: 'the JSON Schema (draft-07) itself' })
  schema!: object;
}
