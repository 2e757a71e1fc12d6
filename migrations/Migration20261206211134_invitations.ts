import { Migration } from '@mikro-orm/migrations';

/**
 * Patient invitations become records (who minted one, for whom, what became of it), and the provider's storage
 * keeps the SHA-256 of every artifact id instead of the id: an authorization code, refresh token, session or
 * device code read from the database can no longer be used. Artifacts stored before are hashed in place.
 */
export class Migration20261206211134 extends Migration {
  // rewrites table: oidc_payloads, every stored id is replaced by its hash (one update; a small table)
  override async up(): Promise<void> {
    this.addSql(
      `create table "patient_invitations" ("id" serial primary key, "patient_id" int not null, "created_by_id" int null, "created_at" timestamptz not null default now(), "client_id" varchar(64) not null, "code_hash" varchar(64) not null, "grant_id" varchar(255) not null, "expires_at" timestamptz not null, "redeemed_at" timestamptz null, "redeemed_by_client" varchar(64) null, "cancelled_at" timestamptz null, "cancelled_by_id" int null, "superseded_at" timestamptz null);`,
    );
    this.addSql(`create index "patient_invitations_created_by_id_index" on "patient_invitations" ("created_by_id");`);
    this.addSql(
      `alter table "patient_invitations" add constraint "patient_invitations_code_hash_unique" unique ("code_hash");`,
    );
    this.addSql(
      `create index "patient_invitations_cancelled_by_id_index" on "patient_invitations" ("cancelled_by_id");`,
    );
    this.addSql(
      `create index "patient_invitations_patient_id_created_at_index" on "patient_invitations" ("patient_id", "created_at");`,
    );
    this.addSql(
      `alter table "patient_invitations" add constraint "patient_invitations_patient_id_foreign" foreign key ("patient_id") references "patients" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "patient_invitations" add constraint "patient_invitations_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "patient_invitations" add constraint "patient_invitations_cancelled_by_id_foreign" foreign key ("cancelled_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`alter sequence "patient_invitations_id_seq" start with 80001 restart with 80001;`);
    this.addSql(
      `update "oidc_payloads" set "id" = encode(sha256(convert_to("id", 'UTF8')), 'hex'),
         "user_code" = case when "user_code" is null then null else encode(sha256(convert_to("user_code", 'UTF8')), 'hex') end
       where "model" <> 'Client';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "patient_invitations" cascade;`);
    // hashed provider artifacts cannot be turned back into ids: they are dropped (everyone signs in again)
    this.addSql(`delete from "oidc_payloads" where "model" <> 'Client';`);
  }
}
