import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed/demo.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('empty');
});
afterAll(() => db?.drop());

const q = <T>(sql: string, params: unknown[] = []) => db.orm.em.getConnection().execute<T[]>(sql, params);

async function tableCounts() {
  const tables = ['users', 'organizations', 'studies', 'patients', 'observations', 'study_patient_scope_consents'];
  return Object.fromEntries(
    await Promise.all(
      tables.map(async (t) => [t, Number((await q<{ n: string }>(`select count(*) as n from ${t}`))[0]!.n)]),
    ),
  );
}

describe('demo seed', () => {
  it('fills an empty database with the contract ids', async () => {
    const result = await seedDemo(db.orm, 'http://localhost:3000');
    expect(result).toMatchObject({ seeded: true });

    const users = await q<{ id: number; email: string; is_superuser: boolean }>(
      'select id, email, is_superuser from users order by id',
    );
    expect(users.slice(0, 6).map((u) => [u.id, u.email])).toEqual([
      [10001, 'sam@example.com'],
      [10002, 'mary@example.com'],
      [10003, 'megan@example.com'],
      [10004, 'victor@example.com'],
      [10005, 'tom@example.com'],
      [10006, 'mark@example.com'],
    ]);
    expect(users.filter((u) => u.is_superuser).map((u) => u.email)).toEqual(['sam@example.com']);

    const orgs = await q<{ id: number; name: string; part_of_id: number | null }>(
      'select id, name, part_of_id from organizations order by id',
    );
    expect(orgs.map((o) => [o.id, o.part_of_id])).toEqual([
      [20001, null],
      [20002, 20001],
      [20003, 20002],
      [20004, null],
      [20005, 20004],
      [20006, 20005],
      [20007, 20006],
      [20008, 20006],
    ]);
    const studies = await q<{ id: number; name: string }>('select id, name from studies order by id');
    expect(studies.map((s) => [s.id, s.name])).toEqual([
      [30001, 'BIDS Study on BP & HR'],
      [30002, 'BIDS Study on BP'],
      [30003, 'Cardio Study on RR'],
      [30004, 'Moslehi Study on BT'],
      [30005, 'Olgin Study on O2'],
    ]);
    const patients = await q<{ id: number; email: string }>('select id, email from patients order by id');
    expect(patients.map((p) => [p.id, p.email])).toEqual([
      [40001, 'peter@example.com'],
      [40002, 'pamela@example.com'],
      [40003, 'percy@example.com'],
      [40004, 'paul@example.com'],
      [40005, 'pat@example.com'],
    ]);
    const sources = await q<{ id: number; name: string }>('select id, name from data_sources order by id');
    expect(sources.map((s) => [s.id, s.name])).toEqual([
      [70001, 'iHealth'],
      [70002, 'Dexcom'],
      [70003, 'CareX'],
      [70004, 'Oura'],
    ]);
    const [firstCode] = await q<{ id: number; coding_code: string }>(
      'select id, coding_code from codeable_concepts order by id limit 1',
    );
    expect(firstCode).toEqual({ id: 50001, coding_code: 'omh:blood-glucose:4.0' });
    const [firstObservation] = await q<{ id: string }>('select min(id) as id from observations');
    expect(Number(firstObservation!.id)).toBe(60001);
  });

  it('records peter’s consent for BIDS Study on BP as requested but unanswered', async () => {
    const rows = await q<{ study_id: number; codeable_concept_id: number; consented: boolean | null }>(
      `select sp.study_id, sr.codeable_concept_id, c.consented
         from study_patients sp
         join study_scope_requests sr on sr.study_id = sp.study_id
         left join study_patient_scope_consents c on c.study_patient_id = sp.id and c.codeable_concept_id = sr.codeable_concept_id
        where sp.patient_id = 40001 order by 1, 2`,
    );
    expect(rows).toEqual([
      { study_id: 30001, codeable_concept_id: 50002, consented: true },
      { study_id: 30001, codeable_concept_id: 50004, consented: true },
      { study_id: 30002, codeable_concept_id: 50002, consented: null },
    ]);
  });

  it('gives every consented scope valid-looking observations and none to unconsented ones', async () => {
    const rows = await q<{ patient: number; code: string; n: string }>(
      `select o.subject_patient_id as patient, c.coding_code as code, count(*) as n
         from observations o join codeable_concepts c on c.id = o.codeable_concept_id group by 1, 2 order by 1, 2`,
    );
    expect(rows.map((r) => `${r.patient} ${r.code}`)).toEqual([
      '40001 omh:blood-pressure:4.0',
      '40001 omh:heart-rate:2.0',
      '40002 omh:blood-pressure:4.0',
      '40002 omh:heart-rate:2.0',
      '40003 omh:body-temperature:4.0',
      '40004 omh:oxygen-saturation:2.0',
      '40005 omh:oxygen-saturation:2.0',
      '40005 omh:respiratory-rate:2.0',
    ]);
    for (const r of rows) expect(Number(r.n)).toBeGreaterThan(4);
    const [sample] = await q<{ omh: { header: { schema_id: { name: string } } }; code: string }>(
      `select o.omh, c.coding_code as code from observations o join codeable_concepts c on c.id = o.codeable_concept_id limit 1`,
    );
    expect(sample!.code).toContain(`omh:${sample!.omh.header.schema_id.name}:`);
  });

  it('is idempotent: seeding again changes nothing', async () => {
    const before = await tableCounts();
    expect(await seedDemo(db.orm, 'http://localhost:3000')).toEqual({
      seeded: false,
      reason: 'the database already has organizations',
    });
    expect(await tableCounts()).toEqual(before);
  });

  it('leaves the sequences past the seeded ids', async () => {
    const [org] = await q<{ id: number }>(
      `insert into organizations (name, type) values ('New', 'other') returning id`,
    );
    expect(org!.id).toBe(20009);
    const [user] = await q<{ id: number }>(
      `insert into users (email, kind) values ('new@example.com', 'patient') returning id`,
    );
    expect(user!.id).toBe(10012);
  });
});
