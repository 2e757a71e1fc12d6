import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** A coding (system|code) with display text, e.g. https://w3id.org/openmhealth|omh:blood-glucose:4.0. */
@Entity({ tableName: 'codeable_concepts' })
@Unique({ properties: ['codingSystem', 'codingCode'] })
export class CodeableConcept {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 255 })
  codingSystem!: string;

  @Property({ type: 'string', length: 255 })
  codingCode!: string;

  @Property({ type: 'string', length: 255 })
  text!: string;
}
