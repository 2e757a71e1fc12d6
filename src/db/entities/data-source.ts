import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { CodeableConcept } from './codeable-concept.js';

export const DATA_SOURCE_TYPES = ['personal_device', 'device', 'patient_app', 'medical_device'] as const;
export type DataSourceType = (typeof DATA_SOURCE_TYPES)[number];

/** FHIR Device: where observations come from, and which scopes it can deliver. */
@Entity({ tableName: 'data_sources' })
export class DataSource {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 255, unique: true })
  name!: string;

  @Enum({ items: [...DATA_SOURCE_TYPES] })
  type!: DataSourceType;
}

@Entity({ tableName: 'data_source_supported_scopes' })
@Unique({ properties: ['dataSource', 'codeableConcept'] })
export class DataSourceSupportedScope {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => DataSource, { deleteRule: 'cascade' })
  dataSource!: DataSource;

  @ManyToOne(() => CodeableConcept, { deleteRule: 'restrict', index: true })
  codeableConcept!: CodeableConcept;
}
