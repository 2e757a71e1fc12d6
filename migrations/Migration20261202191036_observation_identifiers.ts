import { Migration } from '@mikro-orm/migrations';

/**
 * Each observation carries a copy of its identifiers, so that a page reads them with its rows. The
 * identifiers table stays what keeps them unique and finds an observation by one; uploads write both in one
 * statement. Observations stored before are filled in from it. `json`, not `jsonb`: it is only ever read
 * whole, and PostgreSQL writes json out as it was stored, four times faster than it prints jsonb.
 */
export class Migration20261202191036 extends Migration {
  // rewrites table: observations, every row that has identifiers gets its copy (one update)
  override async up(): Promise<void> {
    this.addSql(`alter table "observations" add column "identifiers" json not null default '[]';`);
    this.addSql(
      `update "observations" o set "identifiers" = i.identifiers
         from (select observation_id, json_agg(json_build_object('system', system, 'value', value) order by id) as identifiers
                 from "observation_identifiers" group by observation_id) i
        where i.observation_id = o.id;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "observations" drop column "identifiers";`);
  }
}
