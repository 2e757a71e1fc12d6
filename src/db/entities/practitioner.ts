import { Entity, Enum, ManyToOne, OneToOne, PrimaryKey, Unique } from '@mikro-orm/core';
import { Organization } from './organization.js';
import { User } from './user.js';

export const ROLES = ['manager', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The practitioner profile of a user. */
@Entity({ tableName: 'practitioners' })
export class Practitioner {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @OneToOne(() => User, { deleteRule: 'cascade', unique: true, owner: true })
  user!: User;
}

/** A practitioner's role in one organization. Roles do not inherit down the organization tree. */
@Entity({ tableName: 'practitioner_organizations' })
@Unique({ properties: ['practitioner', 'organization'] })
export class PractitionerOrganization {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Practitioner, { deleteRule: 'cascade' })
  practitioner!: Practitioner;

  @ManyToOne(() => Organization, { deleteRule: 'cascade', index: true })
  organization!: Organization;

  @Enum({ items: [...ROLES] })
  role!: Role;
}
