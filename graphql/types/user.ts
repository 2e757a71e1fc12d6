import { Field, ID, ObjectType } from 'type-graphql';
import { UserKindEnum } from './enums.js';
import { Connection } from './paging.js';

@ObjectType({ description: 'A login (FHIR Person)', simpleResolvers: true })
export class User {
  @Field(() => ID)
  id!: number;

  @Field()
  email!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;

  @Field()
  isSuperuser!: boolean;

  @Field(() => UserKindEnum)
  kind!: 'practitioner' | 'patient';
}

@ObjectType({ description: 'The practitioner profile of a user', simpleResolvers: true })
export class Practitioner {
  @Field(() => ID)
  id!: number;
}

@ObjectType()
export class PractitionerConnection extends Connection(Practitioner, 'Practitioner') {}
