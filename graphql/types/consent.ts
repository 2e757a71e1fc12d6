import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { ConsentState } from '../../src/services/enrollment-consents.js';
import { CodeableConcept } from './catalog.js';
import { ConsentStateEnum } from './enums.js';
import { Connection } from './paging.js';
import { Patient } from './patient.js';
import { Study } from './study.js';

@ObjectType({ description: 'A patient’s current answer for one scope of one study', simpleResolvers: true })
export class Consent {
  @Field(() => ID, { nullable: true, description: 'the answer’s id; null while pending' })
  id!: number | null;

  @Field(() => Study)
  study!: Study;

  @Field(() => CodeableConcept)
  code!: CodeableConcept;

  @Field(() => Boolean, { nullable: true, description: 'true: shared; false: declined or revoked; null: pending' })
  consented!: boolean | null;

  @Field(() => Date, { nullable: true })
  consentedTime!: Date | null;
}

@ObjectType({ description: 'The scopes one study asks of the patient, with the answers', simpleResolvers: true })
export class StudyConsents {
  @Field(() => Study)
  study!: Study;

  @Field(() => [Consent])
  scopeConsents!: Consent[];

  @Field(() => [CodeableConcept], { description: 'requested scopes without an answer yet' })
  pendingScopes!: CodeableConcept[];
}

@ObjectType({ description: 'Everything a patient has been asked and has answered', simpleResolvers: true })
export class PatientConsents {
  @Field(() => Patient)
  patient!: Patient;

  @Field(() => [CodeableConcept], { description: 'codes shared with at least one study' })
  consolidatedConsentedScopes!: CodeableConcept[];

  @Field(() => [StudyConsents], { description: 'studies with at least one unanswered scope' })
  studiesPendingConsent!: StudyConsents[];

  @Field(() => [StudyConsents], { description: 'every study the patient is enrolled in (that the viewer may see)' })
  studies!: StudyConsents[];
}

@ObjectType({ description: 'One enrolled patient’s answers for a study', simpleResolvers: true })
export class StudyPatientConsents {
  @Field(() => Patient)
  patient!: Patient;

  @Field(() => [Consent])
  scopeConsents!: Consent[];
}

@InputType()
export class ScopeConsentInput {
  @Field({ description: 'e.g. https://w3id.org/openmhealth' })
  codingSystem!: string;

  @Field({ description: 'e.g. omh:blood-pressure:4.0' })
  codingCode!: string;

  @Field({ nullable: true, description: 'required when setting; ignored when revoking or clearing' })
  consented?: boolean;
}

@InputType({ description: 'The JupyterHealth consents payload: answers per study' })
export class StudyScopeConsentsInput {
  @Field(() => ID)
  studyId!: string;

  @Field(() => [ScopeConsentInput])
  scopeConsents!: ScopeConsentInput[];
}

@ObjectType({
  description:
    'One patient’s answers to one study’s scope requests (FHIR Consent); patient, study and organization resolve through their own scopes, except for their ids',
  simpleResolvers: true,
})
export class EnrollmentConsent {
  @Field(() => ID, { description: '`<patientId>-<studyId>`' })
  id!: string;

  @Field(() => ConsentStateEnum)
  state!: ConsentState;

  @Field(() => [Consent], { description: 'every code the study requests, with the answer (consented null: pending)' })
  scopeConsents!: Consent[];

  @Field(() => Date, { nullable: true, description: 'the latest answer’s time; null while nothing is answered' })
  lastAnswered!: Date | null;
}

@ObjectType()
export class EnrollmentConsentConnection extends Connection(EnrollmentConsent, 'EnrollmentConsent') {}
