import { Migration } from '@mikro-orm/migrations';

/**
 * Practitioner management: when a super user disabled an account (null: it may sign in), and the generation of
 * its access tokens (disabling moves it on: the earlier tokens stay dead once the account is enabled again).
 */
export class Migration20261208074500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "disabled_at" timestamptz null;`);
    // a constant default: no table rewrite (PostgreSQL 11+)
    this.addSql(`alter table "users" add column "token_generation" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column if exists "token_generation";`);
    this.addSql(`alter table "users" drop column if exists "disabled_at";`);
  }
}
