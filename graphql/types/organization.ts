import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { OrganizationType as OrganizationTypeValue, Role } from '../../src/db/entities/index.js';
import { OrganizationTypeEnum, RoleEnum } from './enums.js';
import { Connection } from './paging.js';
import { Practitioner } from './user.js';

@ObjectType({ description: 'FHIR Organization; part of a tree (partOf / children)', simpleResolvers: true })
export class Organization {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => OrganizationTypeEnum)
  type!: OrganizationTypeValue;
}

@ObjectType({
  description:
    'Who runs a study: the organization’s id, name and type, shown to whoever sees the study (an enrolled patient too)',
  simpleResolvers: true,
})
export class OrganizationSummary {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => OrganizationTypeEnum)
  type!: OrganizationTypeValue;
}

@ObjectType({ description: 'A practitioner with their role in one organization', simpleResolvers: true })
export class OrganizationPractitioner {
  @Field(() => ID, { description: 'the membership’s own id (JupyterHealth’s PractitionerOrganization id)' })
  id!: number;

  @Field(() => Practitioner)
  practitioner!: Practitioner;

  @Field(() => RoleEnum)
  role!: Role;
}

@InputType()
export class CreateOrganizationInput {
  @Field()
  name!: string;

  @Field(() => OrganizationTypeEnum)
  type!: OrganizationTypeValue;

  @Field(() => ID, { nullable: true, description: 'the parent; omit for a top-level organization (super users only)' })
  partOfId?: string | null;
}

@InputType()
export class UpdateOrganizationInput {
  @Field({ nullable: true })
  name?: string;

  @Field(() => OrganizationTypeEnum, { nullable: true })
  type?: OrganizationTypeValue;
}

@ObjectType()
export class OrganizationConnection extends Connection(Organization, 'Organization') {}

@ObjectType()
export class OrganizationPractitionerConnection extends Connection(
  OrganizationPractitioner,
  'OrganizationPractitioner',
) {}
