import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillObservations, syntheticStudy } from '../src/seed/synthetic.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('seeded');
});
afterAll(() => db?.drop());

const q = <T>(sql: string, params: unknown[] = []) => db.orm.em.getConnection().execute<T[]>(sql, params);

describe('synthetic device data for benchmarks', () => {
  it('creates a consenting cohort and exactly the requested points, resumably and deterministically', async () => {
    const plan = await syntheticStudy(db.orm, 3000, 7);
    expect(plan.patientIds).toHaveLength(19);
    const progress: number[] = [];
    expect(await fillObservations(db.orm, plan, 3000, 7, (n) => progress.push(n))).toBeGreaterThanOrEqual(3000);
    expect(progress.at(-1)).toBe(progress.reduce((a, b) => Math.max(a, b), 0));

    const [first] = await q<{ n: string; consented: string }>(
      `select count(*) as n, (select count(*) from study_patient_scope_consents c join study_patients sp on sp.id = c.study_patient_id
         where sp.study_id = ? and c.consented) as consented
         from observations where subject_patient_id in (select patient_id from study_patients where study_id = ?)`,
      [plan.studyId, plan.studyId],
    );
    expect(Number(first!.consented)).toBe(19 * 3);
    const before = Number(first!.n);

    // again: the same study and patients, nothing added
    const again = await syntheticStudy(db.orm, 3000, 7);
    expect(again).toEqual(plan);
    await fillObservations(db.orm, again, 3000, 7);
    const [second] = await q<{ n: string }>(
      'select count(*) as n from observations where subject_patient_id in (select patient_id from study_patients where study_id = ?)',
      [plan.studyId],
    );
    expect(Number(second!.n)).toBe(before);

    const [sample] = await q<{ unit: string; schema: string }>(
      `select omh->'body'->'blood_glucose'->>'unit' as unit, omh->'header'->'schema_id'->>'name' as schema from observations
        where subject_patient_id = ? order by id limit 1`,
      [plan.patientIds[0]],
    );
    expect(sample).toEqual({ unit: 'mg/dL', schema: 'blood-glucose' });

    // every observation, the demo's and these, carries a copy of its one identifier, the data point's uuid
    const [identifiers] = await q<{ n: string; differing: string }>(
      `select count(*) as n, count(*) filter (
         where o.identifiers::jsonb is distinct from jsonb_build_array(jsonb_build_object('system', i.system, 'value', i.value))
            or i.value <> 'urn:uuid:' || (o.omh->'header'->>'uuid')) as differing
         from observations o left join observation_identifiers i on i.observation_id = o.id`,
    );
    expect(Number(identifiers!.n)).toBeGreaterThan(3000);
    expect(Number(identifiers!.differing)).toBe(0);

    // mostly the glucose monitor, next to hourly heart rate and blood pressure three times a day
    const perCode = await q<{ code: string; n: string }>(
      `select c.coding_code as code, count(*) as n from observations o join codeable_concepts c on c.id = o.codeable_concept_id
        where o.subject_patient_id = ? group by 1 order by 2 desc`,
      [plan.patientIds[0]],
    );
    expect(perCode.map((r) => [r.code, Number(r.n)])).toEqual([
      ['omh:blood-glucose:4.0', 143],
      ['omh:heart-rate:2.0', 12],
      ['omh:blood-pressure:4.0', 3],
    ]);
  });

  it('leaves the tables it loads vacuumed and analyzed, not to autovacuum in the middle of what runs next', async () => {
    const plan = await syntheticStudy(db.orm, 6000, 8);
    const since = new Date();
    await fillObservations(db.orm, plan, 6000, 8);
    const tables = await q<{ relname: string; last_vacuum: string | null; last_analyze: string | null }>(
      `select relname, last_vacuum, last_analyze from pg_stat_user_tables
        where relname in ('observations', 'observation_identifiers', 'patients', 'study_patients') order by relname`,
    );
    expect(tables.map((t) => t.relname)).toEqual([
      'observation_identifiers',
      'observations',
      'patients',
      'study_patients',
    ]);
    for (const table of tables) {
      expect(Date.parse(table.last_vacuum!), table.relname).toBeGreaterThanOrEqual(since.getTime() - 1000);
      expect(Date.parse(table.last_analyze!), table.relname).toBeGreaterThanOrEqual(since.getTime() - 1000);
    }
  });
});
