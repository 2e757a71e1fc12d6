import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new practitioner account: it gets a mailed link to choose its password' })
export class CreatePractitionerInput {
  @Field({ description: 'the login email (unique); the password link goes there' })
  email!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;
}

@InputType({ description: 'What to change of a practitioner account (at least one)' })
export class UpdatePractitionerInput {
  @Field({ nullable: true, description: 'a new email is unverified until the link mailed to it is opened' })
  email?: string;

  @Field({ nullable: true })
  firstName?: string;

  @Field({ nullable: true })
  lastName?: string;
}
