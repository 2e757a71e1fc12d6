import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from './paging.js';

@ObjectType({ description: 'FHIR Group: a study run by one organization', simpleResolvers: true })
export class Study {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field(() => String, { nullable: true })
  iconUrl!: string | null;
}

@InputType()
export class CreateStudyInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  name!: string;

  @Field({ nullable: true })
  description?: string;

  @Field(() => String, { nullable: true })
  iconUrl?: string | null;

  @Field(() => [ID], { nullable: true })
  dataSourceIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'codeable concepts the study asks patients to share' })
  scopeIds?: string[];
}

@InputType()
export class UpdateStudyInput {
  @Field({ nullable: true })
  name?: string;

  @Field({ nullable: true })
  description?: string;

  @Field(() => String, { nullable: true })
  iconUrl?: string | null;
}

@ObjectType()
export class StudyConnection extends Connection(Study, 'Study') {}
