import { afterAll, beforeAll, expect, it } from 'vitest';
import { observationOrder, observationsAfter } from '../src/services/observation-order.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * `_sort=-date` (GraphQL `order: TIME_DESC`): a page of one patient and code is one backward range of
 * observations_subject_code_time_id_idx, with no sort, in a table large enough for the planner to choose freely.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('seeded');
  // the demo rows 300 times over, a minute apart: tens of thousands of rows, most of them other pairs'
  await db.orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time, last_updated)
       select o.subject_patient_id, o.codeable_concept_id, o.data_source_id, o.status, o.omh,
              o.effective_time + (g || ' minutes')::interval, o.last_updated
         from observations o, generate_series(1, 300) g`,
    );
  await db.orm.em.fork().getConnection().execute('analyze observations');
}, 120_000);
afterAll(() => db?.drop());

it('reads a descending page of one patient and code as one backward index range', async () => {
  const connection = db.orm.em.fork().getConnection();
  const [heartRate] = await connection.execute<{ id: number }[]>(
    `select id from codeable_concepts where coding_code = 'omh:heart-rate:2.0'`,
  );
  const codeId = Number(heartRate!.id);
  // the service's page query: the pair on the leading columns, the keyset bound, the order, limit size + 1
  const key = { subjectPatientId: 40001, codeableConceptId: codeId, effectiveTime: '2100-01-01T00:00:00.000Z', id: 1 };
  const after = observationsAfter(key, 'o', 'desc');
  const [row] = await connection.execute<{ 'QUERY PLAN': unknown }[]>(
    `explain (analyze, format json) select o.id from observations o
       where (o.codeable_concept_id = ? and o.subject_patient_id = any(?::int[])) and (${after.sql})
       order by ${observationOrder('o', 'desc')} limit 101`,
    [codeId, '{40001}', ...after.params],
  );
  const plan = JSON.stringify(row!['QUERY PLAN']);
  expect(plan).toMatch(/"Node Type":"Index (Only )?Scan"/);
  expect(plan).toContain('"Scan Direction":"Backward"');
  expect(plan).toContain('"Index Name":"observations_subject_code_time_id_idx"');
  expect(plan).not.toContain('"Node Type":"Sort"');
  // the page reads its 101 rows, not the pair's thousands
  expect(plan).toContain('"Actual Rows":101');
});
