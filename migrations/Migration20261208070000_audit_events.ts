import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail: one row per read or write of patient data, append-only. A trigger refuses UPDATE, TRUNCATE
 * and any DELETE but the retention purge's (audit_events_purge), which deletes only rows older than the
 * retention it is given (at least a day): the application's own connection cannot rewrite or drop the record of
 * what it did. (A database superuser can still drop the trigger: that is for the database's own audit.)
 */
export class Migration20261208070000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "audit_events" (
      "id" bigserial primary key,
      "recorded_at" timestamptz not null,
      "user_id" int null,
      "client_id" varchar(64) null,
      "face" varchar(16) not null,
      "address" varchar(64) null,
      "user_agent" varchar(256) null,
      "request_id" varchar(64) null,
      "operation" varchar(100) not null,
      "action" varchar(8) not null check ("action" in ('read', 'search', 'create', 'update', 'delete')),
      "resource_type" varchar(32) not null,
      "resource_ids" int[] not null default '{}',
      "patient_ids" int[] not null default '{}',
      "params" jsonb not null default '{}',
      "row_count" int null,
      "outcome" varchar(8) not null check ("outcome" in ('allowed', 'denied', 'error')),
      "error_code" varchar(40) null
    );`);
    this.addSql(`create index "audit_events_recorded_at_index" on "audit_events" ("recorded_at");`);
    this.addSql(`create index "audit_events_user_id_index" on "audit_events" ("user_id", "id");`);
    this.addSql(`create index "audit_events_patient_ids_index" on "audit_events" using gin ("patient_ids");`);

    // A DELETE passes only inside the purge: the client's statement is exactly a call of audit_events_purge (so
    // that a session cannot set the purge's setting itself and delete), and the row is older than its cutoff.
    this.addSql(`create function audit_events_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE'
           and current_query() ~* '^\\s*select audit_events_purge\\((\\$1|\\d+)\\)( as purged)?\\s*;?\\s*$'
           and old.recorded_at < nullif(current_setting('hxg.audit_purge_before', true), '')::timestamptz then
          return old;
        end if;
        raise exception 'audit_events is append-only: % is refused', tg_op using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create trigger "audit_events_append_only" before update or delete on "audit_events"
      for each row execute function audit_events_append_only();`);
    this.addSql(`create function audit_events_no_truncate() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_events is append-only: TRUNCATE is refused' using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create trigger "audit_events_no_truncate" before truncate on "audit_events"
      for each statement execute function audit_events_no_truncate();`);

    // the one delete path: rows older than the retention (at least one day), for this transaction only
    this.addSql(`create function audit_events_purge(retention_days int) returns bigint language plpgsql as $$
      declare
        purged bigint;
      begin
        if retention_days is null or retention_days < 1 then
          raise exception 'audit_events_purge: the retention must be at least one day';
        end if;
        perform set_config('hxg.audit_purge_before', (now() - make_interval(days => retention_days))::text, true);
        delete from audit_events where recorded_at < now() - make_interval(days => retention_days);
        get diagnostics purged = row_count;
        perform set_config('hxg.audit_purge_before', '', true);
        return purged;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_events" cascade;`);
    this.addSql(`drop function if exists audit_events_purge(int);`);
    this.addSql(`drop function if exists audit_events_append_only();`);
    this.addSql(`drop function if exists audit_events_no_truncate();`);
  }
}
