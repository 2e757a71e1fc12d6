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

/** Display names: FHIR's (http://terminology.hl7.org/CodeSystem/organization-type), and JupyterHealth's for laboratory. */
export const ORGANIZATION_TYPE_LABELS: Record<OrganizationType, string> = {
  prov: 'Healthcare Provider',
  dept: 'Hospital Department',
  team: 'Organizational team',
  govt: 'Government',
  ins: 'Insurance Company',
  pay: 'Payer',
  edu: 'Educational Institute',
  reli: 'Religious Institution',
  crs: 'Clinical Research Sponsor',
  cg: 'Community Group',
  bus: 'Non-Healthcare Business or Corporation',
  other: 'Other',
  laboratory: 'Laboratory',
};

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
