import {
  BigIntType,
  Check,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { CodeableConcept } from './codeable-concept.js';
import { DataSource } from './data-source.js';
import { Patient } from './patient.js';

export const OBSERVATION_STATUSES = [
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;
export type ObservationStatus = (typeof OBSERVATION_STATUSES)[number];

/**
 * One observation about a patient, searchable by patient, code and time: an Open mHealth data point (header +
 * body, `omh`) or any other FHIR R5 Observation (`resource`, as uploaded less its id and meta), never both.
 *
 * Lists of observations are ordered by patient, code, effective time and id, the key of
 * `observations_subject_code_time_id_idx`, so that every page is a range of that index whatever else the
 * table holds. Effective times are kept to the millisecond, the precision of every reader and of the cursors.
 */
@Entity({ tableName: 'observations' })
@Index({
  name: 'observations_subject_code_time_id_idx',
  properties: ['subjectPatient', 'codeableConcept', 'effectiveTime', 'id'],
})
@Index({ name: 'observations_last_updated_idx', properties: ['lastUpdated', 'id'] })
// `column = …` first would read back to MikroORM as an enum's check
@Check({
  name: 'observations_effective_time_ms_check',
  expression: "date_trunc('milliseconds', effective_time) = effective_time",
})
@Check({ name: 'observations_omh_or_resource_check', expression: 'num_nonnulls(omh, resource) = 1' })
export class Observation {
  [OptionalProps]?: 'status' | 'lastUpdated' | 'identifiers';

  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @ManyToOne(() => Patient, { deleteRule: 'cascade' })
  subjectPatient!: Patient;

  @ManyToOne(() => CodeableConcept, { deleteRule: 'restrict' })
  codeableConcept!: CodeableConcept;

  @ManyToOne(() => DataSource, { deleteRule: 'restrict', index: true })
  dataSource!: DataSource;

  @Enum({ items: [...OBSERVATION_STATUSES], default: 'final' })
  status: ObservationStatus = 'final';

  /** the Open mHealth data point; null for another kind of observation */
  @Property({ type: 'json', nullable: true })
  omh?: Record<string, unknown> | null;

  /** an Observation other than Open mHealth, as uploaded (its own value[x], components, categories…) */
  @Property({ type: 'json', nullable: true })
  resource?: Record<string, unknown> | null;

  @Property({ type: 'datetime' })
  effectiveTime!: Date;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  lastUpdated: Date = new Date();

  /**
   * Its identifiers, as stored in ObservationIdentifier (which keeps them unique and finds an observation by
   * one) and written in the same statement: a page of 1000 reads them with its rows instead of in 1000 lookups.
   */
  @Property({ type: 'json', columnType: 'json', default: '[]' })
  identifiers: { system: string; value: string }[] = [];
}

/** Identifier (system, value) of an uploaded observation; a re-upload with the same one is not duplicated. */
@Entity({ tableName: 'observation_identifiers' })
@Unique({ properties: ['system', 'value'] })
export class ObservationIdentifier {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @ManyToOne(() => Observation, { deleteRule: 'cascade', index: true })
  observation!: Observation;

  @Property({ type: 'string', length: 255 })
  system!: string;

  @Property({ type: 'string', length: 255 })
  value!: string;
}
