import { Migration } from '@mikro-orm/migrations';

/**
 * Observation lists are ordered by (patient, code, effective time, id), one index range per page however
 * late in the id order a study's rows were stored. The new index replaces the two it extends and the
 * (code, time) one, which PostgreSQL's skip scan of the new one covers.
 */
export class Migration20261202130000 extends Migration {
  // locks table: observations, while the check scans it and the index builds (writes wait; reads go on)
  override async up(): Promise<void> {
    this.addSql(
      `alter table "observations" add constraint "observations_effective_time_ms_check" check (date_trunc('milliseconds', effective_time) = effective_time);`,
    );
    this.addSql(
      `create index "observations_subject_code_time_id_idx" on "observations" ("subject_patient_id", "codeable_concept_id", "effective_time", "id");`,
    );
    this.addSql(`drop index "observations_subject_code_time_idx";`);
    this.addSql(`drop index "observations_subject_code_id_idx";`);
    this.addSql(`drop index "observations_code_time_idx";`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create index "observations_code_time_idx" on "observations" ("codeable_concept_id", "effective_time");`,
    );
    this.addSql(
      `create index "observations_subject_code_id_idx" on "observations" ("subject_patient_id", "codeable_concept_id", "id");`,
    );
    this.addSql(
      `create index "observations_subject_code_time_idx" on "observations" ("subject_patient_id", "codeable_concept_id", "effective_time");`,
    );
    this.addSql(`drop index "observations_subject_code_time_id_idx";`);
    this.addSql(`alter table "observations" drop constraint "observations_effective_time_ms_check";`);
  }
}
