import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from './paging.js';

@ObjectType({ description: 'A business identifier (system | value)', simpleResolvers: true })
export class Identifier {
  @Field()
  system!: string;

  @Field()
  value!: string;
}

@ObjectType({ description: 'FHIR Patient', simpleResolvers: true })
export class Patient {
  @Field(() => ID)
  id!: number;

  @Field()
  nameFamily!: string;

  @Field()
  nameGiven!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  birthDate!: string | null;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;
}

@InputType()
export class IdentifierInput {
  @Field()
  system!: string;

  @Field()
  value!: string;
}

@InputType()
export class CreatePatientInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  nameFamily!: string;

  @Field()
  nameGiven!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  birthDate?: string | null;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => [IdentifierInput], { nullable: true })
  identifiers?: IdentifierInput[];
}

@InputType()
export class UpdatePatientInput {
  @Field({ nullable: true })
  nameFamily?: string;

  @Field({ nullable: true })
  nameGiven?: string;

  @Field(() => String, { nullable: true })
  birthDate?: string | null;

  @Field({ nullable: true })
  email?: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}

@ObjectType()
export class PatientConnection extends Connection(Patient, 'Patient') {}
