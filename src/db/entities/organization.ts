import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';

export const ORGANIZATION_TYPES = [
  'prov',
  'dept',
  'team',
  'govt',
  'ins',
  'pay',
  'edu',
  'reli',
  'crs',
  'cg',
  'bus',
  'other',
  'laboratory',
] as const;
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];

/** FHIR Organization; a tree through partOf. Deleting a parent deletes its sub-organizations. */
@Entity({ tableName: 'organizations' })
export class Organization {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Enum({ items: [...ORGANIZATION_TYPES] })
  type!: OrganizationType;

  @ManyToOne(() => Organization, { nullable: true, deleteRule: 'cascade', index: true })
  partOf?: Organization | null;
}
