import { Migration } from '@mikro-orm/migrations';

/** Storage for oidc-provider: sessions, grants, codes and tokens shared by every gateway process. */
export class Migration20261122200000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "oidc_payloads" ("model" varchar(40) not null, "id" varchar(255) not null, "payload" jsonb not null, "grant_id" varchar(255) null, "user_code" varchar(255) null, "uid" varchar(255) null, "expires_at" timestamptz null, "consumed_at" timestamptz null, constraint "oidc_payloads_pkey" primary key ("model", "id"));`,
    );
    this.addSql(`create index "oidc_payloads_grant_id_index" on "oidc_payloads" ("grant_id");`);
    this.addSql(`create index "oidc_payloads_user_code_index" on "oidc_payloads" ("user_code");`);
    this.addSql(`create index "oidc_payloads_uid_index" on "oidc_payloads" ("uid");`);
    this.addSql(`create index "oidc_payloads_expires_at_index" on "oidc_payloads" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oidc_payloads" cascade;`);
  }
}
