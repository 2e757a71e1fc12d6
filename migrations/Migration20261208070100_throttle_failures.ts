import { Migration } from '@mikro-orm/migrations';

/** Sign-in and sign-up throttling shared by every gateway process (it was per process, in memory). */
export class Migration20261208070100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "throttle_failures" ("key" varchar(64) not null, "failures" timestamptz[] not null, "expires_at" timestamptz not null, constraint "throttle_failures_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "throttle_failures_expires_at_index" on "throttle_failures" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "throttle_failures" cascade;`);
  }
}
