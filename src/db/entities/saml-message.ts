import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A SAML message id this gateway must see at most once, shared by every gateway process: an AuthnRequest it
 * issued (consumed by the one response that answers it) or an assertion it accepted (never accepted again).
 */
@Entity({ tableName: 'saml_messages' })
@Index({ properties: ['expiresAt'] })
export class SamlMessage {
  /** SHA-256 (hex) of `<request|assertion>:<id>`: the ids are the IdP's and ours, of any length */
  @PrimaryKey({ type: 'string', length: 64 })
  key!: string;

  /** a request's: the sign-in (oidc-provider interaction) it was issued for */
  @Property({ type: 'string', length: 128, nullable: true })
  interactionUid?: string | null;

  /** after it the row is purged: a request can no longer be answered, an assertion no longer be valid */
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
