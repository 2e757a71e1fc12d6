import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { CodeableConcept } from './codeable-concept.js';
import { DataSource } from './data-source.js';
import { Organization } from './organization.js';
import { Patient } from './patient.js';

/** FHIR Group: a study run by exactly one organization. */
@Entity({ tableName: 'studies' })
export class Study {
  [OptionalProps]?: 'description';

  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Organization, { deleteRule: 'cascade', index: true })
  organization!: Organization;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'text', default: '' })
  description: string = '';

  @Property({ type: 'string', length: 2048, nullable: true })
  iconUrl?: string | null;
}

@Entity({ tableName: 'study_data_sources' })
@Unique({ properties: ['study', 'dataSource'] })
export class StudyDataSource {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Study, { deleteRule: 'cascade' })
  study!: Study;

  @ManyToOne(() => DataSource, { deleteRule: 'cascade', index: true })
  dataSource!: DataSource;
}

/** A scope (codeable concept) the study asks its patients to share. */
@Entity({ tableName: 'study_scope_requests' })
@Unique({ properties: ['study', 'codeableConcept'] })
export class StudyScopeRequest {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Study, { deleteRule: 'cascade' })
  study!: Study;

  @ManyToOne(() => CodeableConcept, { deleteRule: 'restrict', index: true })
  codeableConcept!: CodeableConcept;
}

@Entity({ tableName: 'study_patients' })
@Unique({ properties: ['study', 'patient'] })
export class StudyPatient {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Study, { deleteRule: 'cascade' })
  study!: Study;

  @ManyToOne(() => Patient, { deleteRule: 'cascade', index: true })
  patient!: Patient;
}

/** The patient's current answer for one scope of one study. No row: pending. */
@Entity({ tableName: 'study_patient_scope_consents' })
@Unique({ properties: ['studyPatient', 'codeableConcept'] })
export class StudyPatientScopeConsent {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => StudyPatient, { deleteRule: 'cascade' })
  studyPatient!: StudyPatient;

  @ManyToOne(() => CodeableConcept, { deleteRule: 'restrict', index: true })
  codeableConcept!: CodeableConcept;

  @Property({ type: 'boolean' })
  consented!: boolean;

  @Property({ type: 'datetime' })
  consentedTime!: Date;
}
