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

  @Field(() => [IdentifierInput], {
    nullable: true,
    description: 'when given, the record’s identifiers become exactly these',
  })
  identifiers?: IdentifierInput[];
}

@ObjectType({
  description:
    'A patient found by exact email (patientLookup): the id and names, to add them to an organization; the record only for a viewer who may see it',
  simpleResolvers: true,
})
export class PatientMatch {
  @Field(() => ID)
  id!: number;

  @Field()
  nameFamily!: string;

  @Field()
  nameGiven!: string;

  @Field()
  email!: string;

  @Field(() => Patient, { nullable: true, description: 'the whole record, when the viewer may see it' })
  patient!: Patient | null;
}

@ObjectType({ description: 'What removePatientFromOrganizationOrDelete did', simpleResolvers: true })
export class PatientRemoval {
  @Field(() => ID)
  patientId!: number;

  @Field({ description: 'true: it was the patient’s last organization, and the record was deleted with its data' })
  deleted!: boolean;
}

@ObjectType()
export class PatientConnection extends Connection(Patient, 'Patient') {}
