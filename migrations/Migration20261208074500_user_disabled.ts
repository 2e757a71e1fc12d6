import { Migration } from '@mikro-orm/migrations';

/** Practitioner management: when a super user disabled an account (null: it may sign in). */
export class Migration20261208074500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "disabled_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column if exists "disabled_at";`);
  }
}
