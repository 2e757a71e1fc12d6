import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { DataSourceType as DataSourceTypeValue } from '../../src/db/entities/index.js';
import { DataSourceTypeEnum } from './enums.js';

@ObjectType({
  description: 'A coding, e.g. https://w3id.org/openmhealth | omh:blood-glucose:4.0',
  simpleResolvers: true,
})
export class CodeableConcept {
  @Field(() => ID)
  id!: number;

  @Field()
  codingSystem!: string;

  @Field()
  codingCode!: string;

  @Field()
  text!: string;
}

@ObjectType({ description: 'FHIR Device: where observations come from', simpleResolvers: true })
export class DataSource {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => DataSourceTypeEnum)
  type!: DataSourceTypeValue;
}

@InputType({ description: 'A coding by system and code' })
export class CodingInput {
  @Field()
  system!: string;

  @Field()
  code!: string;
}

@InputType()
export class CreateCodeableConceptInput {
  @Field()
  codingSystem!: string;

  @Field()
  codingCode!: string;

  @Field()
  text!: string;
}

@InputType()
export class UpdateCodeableConceptInput {
  @Field({ nullable: true })
  text?: string;
}

@InputType()
export class CreateDataSourceInput {
  @Field()
  name!: string;

  @Field(() => DataSourceTypeEnum)
  type!: DataSourceTypeValue;

  @Field(() => [ID], { nullable: true, description: 'codeable concepts the source can deliver' })
  supportedScopeIds?: string[];
}

@InputType()
export class UpdateDataSourceInput {
  @Field({ nullable: true })
  name?: string;

  @Field(() => DataSourceTypeEnum, { nullable: true })
  type?: DataSourceTypeValue;
}
