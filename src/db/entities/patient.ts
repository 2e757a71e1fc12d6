import { Entity, Index, ManyToOne, OneToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Organization } from './organization.js';
import { User } from './user.js';

/** FHIR Patient. May belong to several organizations; gets a user when invited. */
@Entity({ tableName: 'patients' })
@Index({
  name: 'patients_email_lower_unique',
  expression: 'create unique index patients_email_lower_unique on patients (lower(email))',
})
export class Patient {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @OneToOne(() => User, { nullable: true, deleteRule: 'set null', unique: true, owner: true })
  user?: User | null;

  @Property({ type: 'string', length: 150 })
  nameFamily!: string;

  @Property({ type: 'string', length: 150 })
  nameGiven!: string;

  @Property({ type: 'date', nullable: true })
  birthDate?: string | null;

  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  phone?: string | null;
}

/** A business identifier of a patient (e.g. a medical record number); unique per system. */
@Entity({ tableName: 'patient_identifiers' })
@Unique({ properties: ['system', 'value'] })
export class PatientIdentifier {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Patient, { deleteRule: 'cascade', index: true })
  patient!: Patient;

  @Property({ type: 'string', length: 255 })
  system!: string;

  @Property({ type: 'string', length: 255 })
  value!: string;
}

@Entity({ tableName: 'patient_organizations' })
@Unique({ properties: ['patient', 'organization'] })
export class PatientOrganization {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Patient, { deleteRule: 'cascade' })
  patient!: Patient;

  @ManyToOne(() => Organization, { deleteRule: 'cascade', index: true })
  organization!: Organization;
}
