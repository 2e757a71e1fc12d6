import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The latest failures of one throttled key (an account or an address, hashed), shared by every gateway process:
 * at most as many times as the key's limit (older ones can no longer block), purged once they all expire.
 */
@Entity({ tableName: 'throttle_failures' })
@Index({ properties: ['expiresAt'] })
export class ThrottleFailure {
  /** SHA-256 (hex) of `<throttle>:<kind>:<value>`: no email or address is stored */
  @PrimaryKey({ type: 'string', length: 64 })
  key!: string;

  /** ascending */
  @Property({ columnType: 'timestamptz[]', type: 'unknown' })
  failures!: Date[];

  /** the newest failure plus the window: after it, the row is purged */
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
