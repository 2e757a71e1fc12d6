import { Migration } from '@mikro-orm/migrations';

/**
 * Clients per study: the apps patients use (their OAuth client, invitation link template, data sources), which
 * studies hold them.
 */
export class Migration20261207012848 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "clients" ("id" serial primary key, "name" varchar(100) not null, "oauth_client_id" varchar(64) not null, "invitation_url" text null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "clients" add constraint "clients_oauth_client_id_unique" unique ("oauth_client_id");`);

    this.addSql(
      `create table "client_data_sources" ("id" serial primary key, "client_id" int not null, "data_source_id" int not null);`,
    );
    this.addSql(`create index "client_data_sources_data_source_id_index" on "client_data_sources" ("data_source_id");`);
    this.addSql(
      `alter table "client_data_sources" add constraint "client_data_sources_client_id_data_source_id_unique" unique ("client_id", "data_source_id");`,
    );

    this.addSql(
      `create table "study_clients" ("id" serial primary key, "study_id" int not null, "client_id" int not null);`,
    );
    this.addSql(`create index "study_clients_client_id_index" on "study_clients" ("client_id");`);
    this.addSql(
      `alter table "study_clients" add constraint "study_clients_study_id_client_id_unique" unique ("study_id", "client_id");`,
    );

    this.addSql(
      `alter table "client_data_sources" add constraint "client_data_sources_client_id_foreign" foreign key ("client_id") references "clients" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "client_data_sources" add constraint "client_data_sources_data_source_id_foreign" foreign key ("data_source_id") references "data_sources" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "study_clients" add constraint "study_clients_study_id_foreign" foreign key ("study_id") references "studies" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "study_clients" add constraint "study_clients_client_id_foreign" foreign key ("client_id") references "clients" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "client_data_sources" drop constraint "client_data_sources_client_id_foreign";`);

    this.addSql(`alter table "study_clients" drop constraint "study_clients_client_id_foreign";`);

    this.addSql(`drop table if exists "clients" cascade;`);

    this.addSql(`drop table if exists "client_data_sources" cascade;`);

    this.addSql(`drop table if exists "study_clients" cascade;`);
  }
}
