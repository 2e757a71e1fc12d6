import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { User } from './user.js';

export type EmailTokenPurpose = 'verify-email' | 'reset-password';

/**
 * A single-use secret mailed to a user (an address verification, a password reset), stored as its SHA-256 only:
 * a copy of the table opens nothing. Used (`usedAt`) or expired rows never count again.
 */
@Entity({ tableName: 'email_tokens' })
@Index({ properties: ['expiresAt'] })
export class EmailToken {
  /** SHA-256 (hex) of the mailed secret */
  @PrimaryKey({ type: 'string', length: 64 })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Enum({ items: ['verify-email', 'reset-password'], nativeEnumName: undefined })
  purpose!: EmailTokenPurpose;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
