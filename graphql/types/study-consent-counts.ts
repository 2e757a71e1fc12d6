import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'How one requested scope stands among the study’s enrolled patients',
  simpleResolvers: true,
})
export class StudyScopeCount {
  @Field(() => Int)
  consented!: number;

  @Field(() => Int)
  declined!: number;

  @Field(() => Int, { description: 'enrolled patients who have not answered it' })
  pending!: number;
}

@ObjectType({
  description: 'The consent answers of the study’s enrolled patients (those the viewer may see), counted',
  simpleResolvers: true,
})
export class StudyConsentCounts {
  @Field(() => Int)
  enrolled!: number;

  @Field(() => Int, { description: 'patients who answered every scope the study requests' })
  fullyAnswered!: number;

  @Field(() => Int, { description: 'patients with at least one scope unanswered' })
  pending!: number;

  @Field(() => [StudyScopeCount], { description: 'each scope the study requests, by code' })
  scopes!: StudyScopeCount[];
}
