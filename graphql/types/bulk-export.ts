import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CodingInput } from './catalog.js';

export enum BulkExportStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  COMPLETE = 'complete',
  FAILED = 'failed',
}
registerEnumType(BulkExportStatus, { name: 'BulkExportStatus', description: 'Where a bulk export job is' });

@ObjectType({ description: 'One NDJSON file of a bulk export: lines of one resource type', simpleResolvers: true })
export class BulkExportFile {
  @Field(() => ID)
  id!: number;

  @Field({ description: 'the FHIR resource type of its lines' })
  type!: string;

  @Field(() => Int, { description: 'its number among the type’s files, from 0' })
  part!: number;

  @Field(() => Int, { description: 'lines (resources)' })
  count!: number;

  @Field(() => Int, { description: 'chunks of lines it is stored in (bulkExportFileChunk, seq 0 to chunks − 1)' })
  chunks!: number;
}

@ObjectType({ description: 'Lines written of one resource type', simpleResolvers: true })
export class BulkExportTypeCount {
  @Field()
  type!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Why a bulk export failed', simpleResolvers: true })
export class BulkExportError {
  @Field({ description: 'the domain error code (FORBIDDEN, NOT_FOUND, INTERNAL_SERVER_ERROR)' })
  code!: string;

  @Field()
  message!: string;
}

@ObjectType({
  description: 'A FHIR Bulk Data export job, visible to its requester alone, run as them when it runs',
  simpleResolvers: true,
})
export class BulkExport {
  @Field(() => ID)
  id!: string;

  @Field(() => BulkExportStatus)
  status!: BulkExportStatus;

  @Field({ description: 'the kickoff request' })
  requestUrl!: string;

  @Field({ description: 'when the export was started' })
  transactionTime!: Date;

  @Field(() => [String], { description: 'the resource types it holds, in file order' })
  types!: string[];

  @Field(() => BulkExportError, { nullable: true })
  error!: BulkExportError | null;

  @Field(() => Date, { nullable: true, description: 'when a finished export and its files are deleted' })
  expiresAt!: Date | null;
}

@InputType({ description: 'A bulk export: a study’s (studyId) or of every patient the viewer may see' })
export class BulkExportInput {
  @Field(() => ID, { nullable: true, description: 'the study (FHIR Group); none: every patient the viewer may see' })
  studyId?: string;

  @Field(() => [String], { nullable: true, description: 'resource types (FHIR _type); none: all the token allows' })
  types?: string[];

  @Field({ nullable: true, description: 'observations last updated at or after it (FHIR _since)' })
  since?: Date;

  @Field(() => [CodingInput], { nullable: true, description: 'observations of these codes only (FHIR _typeFilter)' })
  codes?: CodingInput[];

  @Field({ description: 'the kickoff request, as the manifest repeats it' })
  requestUrl!: string;
}
