import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type UserKind = 'practitioner' | 'patient';

/** A login (FHIR Person). Emails are stored lower-cased and unique case-insensitively. */
@Entity({ tableName: 'users' })
@Index({
  name: 'users_email_lower_unique',
  expression: 'create unique index users_email_lower_unique on users (lower(email))',
})
export class User {
  [OptionalProps]?:
    'firstName' | 'lastName' | 'isSuperuser' | 'createdAt' | 'emailVerifiedAt' | 'disabledAt' | 'tokenGeneration';

  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'string', length: 255, nullable: true, hidden: true })
  passwordHash?: string | null;

  @Property({ type: 'string', length: 150, default: '' })
  firstName: string = '';

  @Property({ type: 'string', length: 150, default: '' })
  lastName: string = '';

  @Property({ type: 'boolean', default: false })
  isSuperuser: boolean = false;

  @Enum({ items: ['practitioner', 'patient'], nativeEnumName: undefined })
  kind!: UserKind;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** when the owner proved the address (a sign-up's link, a password reset); null: a password cannot sign in */
  @Property({ type: 'datetime', nullable: true })
  emailVerifiedAt?: Date | null = null;

  /** when a super user disabled the account: it cannot sign in, and its access tokens count for nothing */
  @Property({ type: 'datetime', nullable: true })
  disabledAt?: Date | null = null;

  /** the generation of its access tokens (src/auth/token-generation.ts): disabling moves it on */
  @Property({ type: 'integer', default: 0 })
  tokenGeneration: number = 0;
}
