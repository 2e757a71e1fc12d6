import { Migration } from '@mikro-orm/migrations';

/**
 * Observations other than Open mHealth: a `resource` column for the uploaded FHIR R5 Observation beside `omh`,
 * exactly one of the two set. Existing rows all hold `omh` and keep it.
 */
export class Migration20261208074100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "observations" add column "resource" jsonb null;`);
    this.addSql(`alter table "observations" alter column "omh" drop not null;`);
    // not valid, then validated: the check of existing rows does not block writes meanwhile
    this.addSql(
      `alter table "observations" add constraint "observations_omh_or_resource_check" check (num_nonnulls(omh, resource) = 1) not valid;`,
    );
    this.addSql(`alter table "observations" validate constraint "observations_omh_or_resource_check";`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "observations" where "omh" is null;`);
    this.addSql(`alter table "observations" drop constraint if exists "observations_omh_or_resource_check";`);
    this.addSql(`alter table "observations" alter column "omh" set not null;`);
    this.addSql(`alter table "observations" drop column if exists "resource";`);
  }
}
