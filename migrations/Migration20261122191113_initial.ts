import { Migration } from '@mikro-orm/migrations';

/** The whole schema of ARCHITECTURE.md section 2, generated from the entities and reviewed. */
export class Migration20261122191113 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "codeable_concepts" ("id" serial primary key, "coding_system" varchar(255) not null, "coding_code" varchar(255) not null, "text" varchar(255) not null);`,
    );
    this.addSql(
      `alter table "codeable_concepts" add constraint "codeable_concepts_coding_system_coding_code_unique" unique ("coding_system", "coding_code");`,
    );

    this.addSql(
      `create table "data_sources" ("id" serial primary key, "name" varchar(255) not null, "type" text check ("type" in ('personal_device', 'device', 'patient_app', 'medical_device')) not null);`,
    );
    this.addSql(`alter table "data_sources" add constraint "data_sources_name_unique" unique ("name");`);

    this.addSql(
      `create table "data_source_supported_scopes" ("id" serial primary key, "data_source_id" int not null, "codeable_concept_id" int not null);`,
    );
    this.addSql(
      `create index "data_source_supported_scopes_codeable_concept_id_index" on "data_source_supported_scopes" ("codeable_concept_id");`,
    );
    this.addSql(
      `alter table "data_source_supported_scopes" add constraint "data_source_supported_scopes_data_source_id_codea_ab5b2_unique" unique ("data_source_id", "codeable_concept_id");`,
    );

    this.addSql(
      `create table "organizations" ("id" serial primary key, "name" varchar(255) not null, "type" text check ("type" in ('prov', 'dept', 'team', 'govt', 'ins', 'pay', 'edu', 'reli', 'crs', 'cg', 'bus', 'other', 'laboratory')) not null, "part_of_id" int null);`,
    );
    this.addSql(`create index "organizations_part_of_id_index" on "organizations" ("part_of_id");`);

    this.addSql(
      `create table "studies" ("id" serial primary key, "organization_id" int not null, "name" varchar(255) not null, "description" text not null default '', "icon_url" varchar(2048) null);`,
    );
    this.addSql(`create index "studies_organization_id_index" on "studies" ("organization_id");`);

    this.addSql(
      `create table "study_data_sources" ("id" serial primary key, "study_id" int not null, "data_source_id" int not null);`,
    );
    this.addSql(`create index "study_data_sources_data_source_id_index" on "study_data_sources" ("data_source_id");`);
    this.addSql(
      `alter table "study_data_sources" add constraint "study_data_sources_study_id_data_source_id_unique" unique ("study_id", "data_source_id");`,
    );

    this.addSql(
      `create table "study_scope_requests" ("id" serial primary key, "study_id" int not null, "codeable_concept_id" int not null);`,
    );
    this.addSql(
      `create index "study_scope_requests_codeable_concept_id_index" on "study_scope_requests" ("codeable_concept_id");`,
    );
    this.addSql(
      `alter table "study_scope_requests" add constraint "study_scope_requests_study_id_codeable_concept_id_unique" unique ("study_id", "codeable_concept_id");`,
    );

    this.addSql(
      `create table "users" ("id" serial primary key, "email" varchar(254) not null, "password_hash" varchar(255) null, "first_name" varchar(150) not null default '', "last_name" varchar(150) not null default '', "is_superuser" boolean not null default false, "kind" text check ("kind" in ('practitioner', 'patient')) not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create unique index users_email_lower_unique on users (lower(email));`);

    this.addSql(`create table "practitioners" ("id" serial primary key, "user_id" int not null);`);
    this.addSql(`alter table "practitioners" add constraint "practitioners_user_id_unique" unique ("user_id");`);

    this.addSql(
      `create table "practitioner_organizations" ("id" serial primary key, "practitioner_id" int not null, "organization_id" int not null, "role" text check ("role" in ('manager', 'member', 'viewer')) not null);`,
    );
    this.addSql(
      `create index "practitioner_organizations_organization_id_index" on "practitioner_organizations" ("organization_id");`,
    );
    this.addSql(
      `alter table "practitioner_organizations" add constraint "practitioner_organizations_practitioner_id_organi_12ceb_unique" unique ("practitioner_id", "organization_id");`,
    );

    this.addSql(
      `create table "patients" ("id" serial primary key, "user_id" int null, "name_family" varchar(150) not null, "name_given" varchar(150) not null, "birth_date" date null, "email" varchar(254) not null, "phone" varchar(40) null);`,
    );
    this.addSql(`alter table "patients" add constraint "patients_user_id_unique" unique ("user_id");`);
    this.addSql(`create unique index patients_email_lower_unique on patients (lower(email));`);

    this.addSql(
      `create table "study_patients" ("id" serial primary key, "study_id" int not null, "patient_id" int not null);`,
    );
    this.addSql(`create index "study_patients_patient_id_index" on "study_patients" ("patient_id");`);
    this.addSql(
      `alter table "study_patients" add constraint "study_patients_study_id_patient_id_unique" unique ("study_id", "patient_id");`,
    );

    this.addSql(
      `create table "study_patient_scope_consents" ("id" serial primary key, "study_patient_id" int not null, "codeable_concept_id" int not null, "consented" boolean not null, "consented_time" timestamptz not null);`,
    );
    this.addSql(
      `create index "study_patient_scope_consents_codeable_concept_id_index" on "study_patient_scope_consents" ("codeable_concept_id");`,
    );
    this.addSql(
      `alter table "study_patient_scope_consents" add constraint "study_patient_scope_consents_study_patient_id_cod_9b306_unique" unique ("study_patient_id", "codeable_concept_id");`,
    );

    this.addSql(
      `create table "patient_organizations" ("id" serial primary key, "patient_id" int not null, "organization_id" int not null);`,
    );
    this.addSql(
      `create index "patient_organizations_organization_id_index" on "patient_organizations" ("organization_id");`,
    );
    this.addSql(
      `alter table "patient_organizations" add constraint "patient_organizations_patient_id_organization_id_unique" unique ("patient_id", "organization_id");`,
    );

    this.addSql(
      `create table "patient_identifiers" ("id" serial primary key, "patient_id" int not null, "system" varchar(255) not null, "value" varchar(255) not null);`,
    );
    this.addSql(`create index "patient_identifiers_patient_id_index" on "patient_identifiers" ("patient_id");`);
    this.addSql(
      `alter table "patient_identifiers" add constraint "patient_identifiers_system_value_unique" unique ("system", "value");`,
    );

    this.addSql(
      `create table "observations" ("id" bigserial primary key, "subject_patient_id" int not null, "codeable_concept_id" int not null, "data_source_id" int not null, "status" text check ("status" in ('registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown')) not null default 'final', "omh" jsonb not null, "effective_time" timestamptz not null, "last_updated" timestamptz not null default now());`,
    );
    this.addSql(`create index "observations_data_source_id_index" on "observations" ("data_source_id");`);
    this.addSql(`create index "observations_last_updated_idx" on "observations" ("last_updated", "id");`);
    this.addSql(
      `create index "observations_code_time_idx" on "observations" ("codeable_concept_id", "effective_time");`,
    );
    this.addSql(
      `create index "observations_subject_code_time_idx" on "observations" ("subject_patient_id", "codeable_concept_id", "effective_time");`,
    );
    this.addSql(
      `create index "observations_subject_code_id_idx" on "observations" ("subject_patient_id", "codeable_concept_id", "id");`,
    );

    this.addSql(
      `create table "observation_identifiers" ("id" bigserial primary key, "observation_id" bigint not null, "system" varchar(255) not null, "value" varchar(255) not null);`,
    );
    this.addSql(
      `create index "observation_identifiers_observation_id_index" on "observation_identifiers" ("observation_id");`,
    );
    this.addSql(
      `alter table "observation_identifiers" add constraint "observation_identifiers_system_value_unique" unique ("system", "value");`,
    );

    this.addSql(
      `alter table "data_source_supported_scopes" add constraint "data_source_supported_scopes_data_source_id_foreign" foreign key ("data_source_id") references "data_sources" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "data_source_supported_scopes" add constraint "data_source_supported_scopes_codeable_concept_id_foreign" foreign key ("codeable_concept_id") references "codeable_concepts" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "organizations" add constraint "organizations_part_of_id_foreign" foreign key ("part_of_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "studies" add constraint "studies_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "study_data_sources" add constraint "study_data_sources_study_id_foreign" foreign key ("study_id") references "studies" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "study_data_sources" add constraint "study_data_sources_data_source_id_foreign" foreign key ("data_source_id") references "data_sources" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "study_scope_requests" add constraint "study_scope_requests_study_id_foreign" foreign key ("study_id") references "studies" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "study_scope_requests" add constraint "study_scope_requests_codeable_concept_id_foreign" foreign key ("codeable_concept_id") references "codeable_concepts" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "practitioners" add constraint "practitioners_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "practitioner_organizations" add constraint "practitioner_organizations_practitioner_id_foreign" foreign key ("practitioner_id") references "practitioners" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "practitioner_organizations" add constraint "practitioner_organizations_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "patients" add constraint "patients_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "study_patients" add constraint "study_patients_study_id_foreign" foreign key ("study_id") references "studies" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "study_patients" add constraint "study_patients_patient_id_foreign" foreign key ("patient_id") references "patients" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "study_patient_scope_consents" add constraint "study_patient_scope_consents_study_patient_id_foreign" foreign key ("study_patient_id") references "study_patients" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "study_patient_scope_consents" add constraint "study_patient_scope_consents_codeable_concept_id_foreign" foreign key ("codeable_concept_id") references "codeable_concepts" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "patient_organizations" add constraint "patient_organizations_patient_id_foreign" foreign key ("patient_id") references "patients" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "patient_organizations" add constraint "patient_organizations_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "patient_identifiers" add constraint "patient_identifiers_patient_id_foreign" foreign key ("patient_id") references "patients" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "observations" add constraint "observations_subject_patient_id_foreign" foreign key ("subject_patient_id") references "patients" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "observations" add constraint "observations_codeable_concept_id_foreign" foreign key ("codeable_concept_id") references "codeable_concepts" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "observations" add constraint "observations_data_source_id_foreign" foreign key ("data_source_id") references "data_sources" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "observation_identifiers" add constraint "observation_identifiers_observation_id_foreign" foreign key ("observation_id") references "observations" ("id") on update cascade on delete cascade;`,
    );
    // ID ranges of the public contract: Patient/40001, Observation/60001, ...
    for (const [table, start] of [
      ['users', 10001],
      ['organizations', 20001],
      ['studies', 30001],
      ['patients', 40001],
      ['codeable_concepts', 50001],
      ['observations', 60001],
      ['data_sources', 70001],
    ] as const) {
      this.addSql(`alter sequence "${table}_id_seq" start with ${start} restart with ${start};`);
    }
  }
}
