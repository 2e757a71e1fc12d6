import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from './paging.js';
import type { ObservationStatus } from '../../src/db/entities/index.js';
import { CodingInput } from './catalog.js';
import { ObservationStatusEnum } from './enums.js';
import { IdentifierInput } from './patient.js';

@ObjectType({ description: 'FHIR Attachment', simpleResolvers: true })
export class Attachment {
  @Field()
  contentType!: string;

  @Field({ description: 'base64' })
  data!: string;
}

@ObjectType({
  description: 'One observation about a patient: an Open mHealth data point (omh) or another R5 Observation (resource)',
  simpleResolvers: true,
})
export class Observation {
  @Field(() => ID)
  id!: number;

  @Field(() => ObservationStatusEnum)
  status!: ObservationStatus;

  @Field({ description: 'from the data point’s effective_time_frame, or the resource’s effective[x]' })
  effectiveTime!: Date;

  @Field()
  lastUpdated!: Date;
}

@InputType({ description: 'Which observations: every field narrows; none means all the viewer may see' })
export class ObservationFilter {
  @Field(() => ID, { nullable: true })
  studyId?: string;

  @Field(() => ID, { nullable: true })
  patientId?: string;

  @Field(() => IdentifierInput, { nullable: true })
  patientIdentifier?: IdentifierInput;

  @Field(() => ID, { nullable: true, description: 'observations of the organization’s patients' })
  organizationId?: string;

  @Field(() => [ID], { nullable: true, description: 'these observations only (at most 1000)' })
  ids?: string[];

  @Field(() => ID, { nullable: true, description: 'observations from this data source (FHIR Device)' })
  dataSourceId?: string;

  @Field(() => CodingInput, { nullable: true })
  code?: CodingInput;

  @Field(() => [ObservationStatusEnum], { nullable: true, description: 'any of these statuses' })
  status?: ObservationStatus[];

  @Field(() => CodingInput, {
    nullable: true,
    description: 'a coding of the resource’s category (Open mHealth observations carry none)',
  })
  category?: CodingInput;

  @Field({ nullable: true, description: 'effective time at or after' })
  from?: Date;

  @Field({ nullable: true, description: 'effective time at or before' })
  to?: Date;

  @Field({ nullable: true, description: 'effective time strictly before' })
  before?: Date;

  @Field({ nullable: true, description: 'last updated at or after' })
  lastUpdatedFrom?: Date;

  @Field({ nullable: true, description: 'last updated strictly before' })
  lastUpdatedBefore?: Date;
}

@InputType()
export class ReferenceInput {
  @Field({ description: 'e.g. Patient/40001 or Device/70001' })
  reference!: string;
}

@InputType()
export class CodeableConceptInput {
  @Field(() => [CodingInput])
  coding!: CodingInput[];
}

@InputType()
export class AttachmentInput {
  @Field()
  contentType!: string;

  @Field({ description: 'base64 of the Open mHealth JSON' })
  data!: string;
}

@InputType({
  description:
    'A FHIR Observation as patient apps upload it: an Open mHealth data point as the fields code, subject, device, valueAttachment (status, identifier optional), or any other R5 Observation whole as resource',
})
export class ObservationInput {
  @Field(() => String, { nullable: true, description: 'final when not given (Open mHealth form)' })
  status?: string | null;

  @Field(() => CodeableConceptInput, { nullable: true })
  code?: CodeableConceptInput | null;

  @Field(() => ReferenceInput, { nullable: true })
  subject?: ReferenceInput | null;

  @Field(() => ReferenceInput, { nullable: true })
  device?: ReferenceInput | null;

  @Field(() => [IdentifierInput], { nullable: true })
  identifier?: IdentifierInput[] | null;

  @Field(() => AttachmentInput, { nullable: true })
  valueAttachment?: AttachmentInput | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'a whole R5 Observation other than Open mHealth (e.g. a LOINC valueQuantity or components), checked against the R5 JSON Schema; alone, without the other fields',
  })
  resource?: Record<string, unknown> | null;
}

@ObjectType({ simpleResolvers: true })
export class UploadError {
  @Field({ description: 'NOT_FOUND, FORBIDDEN, BAD_USER_INPUT or CONFLICT' })
  code!: string;

  @Field()
  message!: string;

  @Field(() => String, {
    nullable: true,
    description: 'where in the input, e.g. /valueAttachment/body/heart_rate/unit',
  })
  path!: string | null;
}

@ObjectType({ description: 'What became of one uploaded observation', simpleResolvers: true })
export class ObservationUploadResult {
  @Field(() => Int)
  index!: number;

  @Field({ description: 'CREATED, EXISTING (same identifier uploaded before) or ERROR' })
  status!: string;

  @Field(() => ID, { nullable: true, description: 'the stored observation’s id (CREATED, EXISTING)' })
  observationId!: number | null;

  @Field(() => Date, { nullable: true, description: 'when the stored observation was last written' })
  lastUpdated!: Date | null;

  @Field(() => UploadError, { nullable: true })
  error!: UploadError | null;
}

@ObjectType()
export class ObservationConnection extends Connection(Observation, 'Observation') {}
