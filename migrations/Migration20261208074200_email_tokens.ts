import { Migration } from '@mikro-orm/migrations';

/**
 * Email verification and password reset: when a user proved their address (every account made before counts as
 * verified, as of this migration: an administrator, the seed or the CLI made it), the mailed single-use tokens, stored hashed, and
 * when an invitation was mailed to its patient.
 */
export class Migration20261208074200 extends Migration {
  override async up(): Promise<void> {
    // a constant default fills the existing rows without rewriting the table (PostgreSQL 11+); new rows get none
    this.addSql(`alter table "users" add column "email_verified_at" timestamptz null default '2026-12-08T07:02:00Z';`);
    this.addSql(`alter table "users" alter column "email_verified_at" drop default;`);
    this.addSql(
      `create table "email_tokens" ("token_hash" varchar(64) not null, "user_id" int not null, "purpose" text check ("purpose" in ('verify-email', 'reset-password')) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "email_tokens_pkey" primary key ("token_hash"));`,
    );
    this.addSql(`create index "email_tokens_expires_at_index" on "email_tokens" ("expires_at");`);
    this.addSql(`alter table "patient_invitations" add column "emailed_at" timestamptz null;`);
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "patient_invitations" drop column if exists "emailed_at";`);
    this.addSql(`drop table if exists "email_tokens" cascade;`);
    this.addSql(`alter table "users" drop column if exists "email_verified_at";`);
  }
}
