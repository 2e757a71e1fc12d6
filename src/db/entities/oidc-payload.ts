import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * oidc-provider's storage (sessions, interactions, grants, codes, refresh tokens, registered clients),
 * one row per artifact, shared by every gateway process.
 */
@Entity({ tableName: 'oidc_payloads' })
@Index({ properties: ['grantId'] })
@Index({ properties: ['userCode'] })
@Index({ properties: ['uid'] })
@Index({ properties: ['expiresAt'] })
export class OidcPayload {
  @PrimaryKey({ type: 'string', length: 40 })
  model!: string;

  @PrimaryKey({ type: 'string', length: 255 })
  id!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'string', length: 255, nullable: true })
  grantId?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  userCode?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  uid?: string | null;

  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  consumedAt?: Date | null;
}
