import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { AuditAction, AuditOutcome } from '../../src/audit/event.js';
import { AuditActionEnum, AuditOutcomeEnum } from './enums.js';
import { Connection } from './paging.js';

@ObjectType({
  description:
    'One read or write of patient data (the audit trail): who, what, when, from where, and how it ended; ids, codes and counts, never PHI values',
  simpleResolvers: true,
})
export class AuditEvent {
  @Field(() => ID)
  id!: number;

  @Field(() => Date, { description: 'when it happened' })
  recordedAt!: Date;

  @Field(() => ID, { nullable: true, description: 'the user (none: an anonymous request)' })
  userId!: number | null;

  @Field(() => String, { nullable: true, description: 'the OAuth client the access token was issued to' })
  clientId!: string | null;

  @Field({ description: 'the API it came through: graphql, fhir, rest' })
  face!: string;

  @Field(() => String, { nullable: true, description: 'the client’s IP address' })
  address!: string | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'the request’s id (X-Request-Id, or the one the gateway gave it)',
  })
  requestId!: string | null;

  @Field({ description: 'the GraphQL field that did it, e.g. Query.observations (FHIR and REST run GraphQL too)' })
  operation!: string;

  @Field(() => AuditActionEnum)
  action!: AuditAction;

  @Field({ description: 'Patient, Observation, Consent, Group, PatientInvitation, Client or AuditEvent' })
  resourceType!: string;

  @Field(() => [ID], { description: 'the ids it read or changed' })
  resourceIds!: number[];

  @Field(() => [ID], { description: 'the patients whose data it read or changed' })
  patientIds!: number[];

  @Field(() => GraphQLJSONObject, {
    description: 'the search or arguments: ids, codes, dates as given, other text as a keyed hash (hmac:…)',
  })
  params!: Record<string, unknown>;

  @Field(() => Int, { nullable: true, description: 'rows returned or written (none: no rows were read)' })
  rowCount!: number | null;

  @Field(() => AuditOutcomeEnum)
  outcome!: AuditOutcome;

  @Field(() => String, { nullable: true, description: 'the error code of a denied or failed access' })
  errorCode!: string | null;
}

@ObjectType()
export class AuditEventConnection extends Connection(AuditEvent, 'AuditEvent') {}

@InputType({ description: 'Narrows the audit trail; all given conditions hold' })
export class AuditEventFilter {
  @Field(() => ID, { nullable: true, description: 'events of this user' })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: 'events that read or changed this patient’s data' })
  patientId?: string | null;

  @Field(() => Date, { nullable: true, description: 'recorded at or after' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'recorded strictly before' })
  before?: Date | null;

  @Field(() => AuditOutcomeEnum, { nullable: true })
  outcome?: AuditOutcome | null;
}

@ArgsType()
export class AccessLogArgs {
  @Field(() => Date, { nullable: true, description: 'recorded at or after' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'recorded strictly before' })
  before?: Date | null;
}
