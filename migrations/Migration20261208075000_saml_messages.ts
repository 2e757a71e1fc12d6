import { Migration } from '@mikro-orm/migrations';

/** SAML single sign-on: the AuthnRequest ids awaiting their response and the assertion ids already accepted. */
export class Migration20261208075000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "saml_messages" ("key" varchar(64) not null, "interaction_uid" varchar(128) null, "expires_at" timestamptz not null, constraint "saml_messages_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "saml_messages_expires_at_index" on "saml_messages" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "saml_messages" cascade;`);
  }
}
