import { Migration } from '@mikro-orm/migrations';

/**
 * FHIR Bulk Data exports: the job as its requester started it (their user, the token's scopes, the request), its
 * checkpoint, and its NDJSON files as chunks of text. Files live in PostgreSQL so that every gateway instance
 * serves them and a chunk commits with the checkpoint it advances (a resumed job neither repeats nor skips lines);
 * deleting an export deletes its files.
 */
export class Migration20261208070200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "bulk_exports" (
      "id" uuid not null primary key,
      "user_id" int not null references "users" ("id") on delete cascade,
      "scope" text not null,
      "oauth_client_id" text null,
      "token_client_id" text null,
      "study_id" int null,
      "types" text[] not null,
      "since" timestamptz null,
      "codes" jsonb not null default '[]',
      "request_url" text not null,
      "status" text not null default 'queued' check ("status" in ('queued', 'running', 'complete', 'failed')),
      "run" int not null default 0,
      "checkpoint" jsonb null,
      "counts" jsonb not null default '{}',
      "error" jsonb null,
      "transaction_time" timestamptz not null default now(),
      "completed_at" timestamptz null,
      "expires_at" timestamptz null);`);
    this.addSql(`create index "bulk_exports_user_id_index" on "bulk_exports" ("user_id");`);
    this.addSql(`create index "bulk_exports_expires_at_index" on "bulk_exports" ("expires_at");`);
    this.addSql(`create table "bulk_export_files" (
      "id" bigserial primary key,
      "export_id" uuid not null references "bulk_exports" ("id") on delete cascade,
      "type" text not null,
      "part" int not null,
      "count" int not null default 0,
      "chunks" int not null default 0,
      constraint "bulk_export_files_export_type_part_unique" unique ("export_id", "type", "part"));`);
    this.addSql(`create table "bulk_export_chunks" (
      "file_id" bigint not null references "bulk_export_files" ("id") on delete cascade,
      "seq" int not null,
      "ndjson" text not null,
      constraint "bulk_export_chunks_pkey" primary key ("file_id", "seq"));`);
    // chunks live an hour or so: compressing megabytes of text for each batch cost more time than it saved
    this.addSql(`alter table "bulk_export_chunks" alter column "ndjson" set storage external;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "bulk_export_chunks" cascade;`);
    this.addSql(`drop table if exists "bulk_export_files" cascade;`);
    this.addSql(`drop table if exists "bulk_exports" cascade;`);
  }
}
