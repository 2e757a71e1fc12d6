import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors.js';
import { countObservations, listObservations, type ObservationRow } from '../src/services/observation-search.js';
import type { TestDatabase } from './support/database.js';
import { heartRate } from './support/omh.js';
import { setUpStudyWorld, type World } from './support/study-world.js';

/**
 * Pages of a study of many patients: the search reads its pairs and rows in chunks of patients (100, then 400,
 * …), and a page may span chunks. 250 patients join study A; each consents to blood pressure, every third of
 * the last 130 also to heart rate (a search for it finds nothing in the first chunk), except the 21st to the 95th, who consent to nothing (a chunk may hold no pairs at all), and
 * each has one reading of both on each of two days, so that a page of 1000 spans the first two chunks and the
 * unconsented readings must never show.
 */
let db: TestDatabase;
let w: World;
const PATIENTS = 250;
const visible: { id: number; patient: number; code: number; time: string }[] = [];
let hiddenIds: number[] = [];

beforeAll(async () => {
  ({ db, world: w } = await setUpStudyWorld());
  const sql = db.orm.em.getConnection();
  const patients = await sql.execute<{ id: number }[]>(
    `with created as (
       insert into patients (name_family, name_given, email)
       select 'Many', 'Patient ' || i, 'many-' || i || '@example.org' from generate_series(1, ?) as i returning id
     ), linked as (insert into patient_organizations (patient_id, organization_id) select id, ? from created)
     select id from created order by id`,
    [PATIENTS, w.org.a],
  );
  const ids = patients.map((p) => p.id);
  const consentsNothing = (index: number) => index >= 20 && index < 95;
  const consentsHeartRate = (index: number) => index % 3 === 0 && index >= 120;
  await sql.execute(
    `with enrolled as (
       insert into study_patients (study_id, patient_id) select ?, unnest(?::int[]) returning id, patient_id
     )
     insert into study_patient_scope_consents (study_patient_id, codeable_concept_id, consented, consented_time)
     select id, ?, true, now() from enrolled where not patient_id = any(?::int[])
     union all
     select id, ?, true, now() from enrolled where patient_id = any(?::int[])`,
    [
      w.study.a,
      `{${ids}}`,
      w.code.bp,
      `{${ids.filter((_, i) => consentsNothing(i))}}`,
      w.code.hr,
      `{${ids.filter((_, i) => consentsHeartRate(i))}}`,
    ],
  );
  const readings = ids.flatMap((patient, i) =>
    ['2026-11-02T08:00:00.000Z', '2026-11-01T08:00:00.000Z'].flatMap((time) => [
      { patient, code: w.code.bp, time, shown: !consentsNothing(i) },
      { patient, code: w.code.hr, time, shown: consentsHeartRate(i) },
    ]),
  );
  const stored = await sql.execute<{ id: string }[]>(
    `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, omh, effective_time)
     select patient, code, ?, omh, time from jsonb_to_recordset(?::jsonb)
       as r(patient int, code int, omh jsonb, time timestamptz) returning id`,
    [w.source.cuff, JSON.stringify(readings.map((r) => ({ ...r, omh: heartRate(60, r.time) })))],
  );
  readings.forEach((reading, i) => {
    const id = Number(stored[i]!.id);
    if (reading.shown) visible.push({ id, patient: reading.patient, code: reading.code, time: reading.time });
    else hiddenIds.push(id);
  });
  visible.sort((a, b) => a.patient - b.patient || a.code - b.code || a.time.localeCompare(b.time) || a.id - b.id);
  hiddenIds = hiddenIds.sort((a, b) => a - b);
});
afterAll(() => db?.drop());

const inStudy = () => ({ studyId: w.study.a, from: new Date('2026-11-01T00:00:00Z') });
const ids = (rows: ObservationRow[]) => rows.map((row) => row.id);

describe('pages of a study of many patients', () => {
  it('answers a page of 1000 that spans chunks of patients, in list order, consented rows only', async () => {
    const page = await listObservations(w.ctx('manager'), inStudy(), { first: 1000 });
    expect(visible.length).toBe(438); // 175 × 2 blood pressures + 44 × 2 heart rates
    expect(ids(page.nodes)).toEqual(visible.map((row) => row.id));
    expect(page.hasNextPage).toBe(false);
    expect(ids(page.nodes).filter((id) => hiddenIds.includes(id))).toEqual([]);
    expect(await countObservations(w.ctx('manager'), inStudy())).toBe(visible.length);
  });

  it('walks pages that end inside a chunk and across chunks, each row once', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await listObservations(w.ctx('manager'), inStudy(), { first: 173, after });
      seen.push(...ids(page.nodes));
      after = page.hasNextPage ? page.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(Math.ceil(visible.length / 173));
    expect(seen).toEqual(visible.map((row) => row.id));
  });

  it('goes on past a chunk of patients with no pairs for the code searched', async () => {
    const heartRate = { system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' };
    const page = await listObservations(w.ctx('manager'), { ...inStudy(), coding: heartRate }, { first: 1000 });
    const expected = visible.filter((row) => row.code === w.code.hr).map((row) => row.id);
    expect(expected.length).toBe(88);
    expect(ids(page.nodes)).toEqual(expected);
  });

  it('finds one patient of the study beyond the first chunks, and none of those who consented to nothing', async () => {
    const patients = [...new Set(visible.map((row) => row.patient))];
    const late = patients.at(-1)!;
    const page = await listObservations(w.ctx('manager'), { ...inStudy(), patientId: late }, { first: 1000 });
    expect(ids(page.nodes)).toEqual(visible.filter((row) => row.patient === late).map((row) => row.id));
    const silent = patients[20]! - 1; // enrolled, consented to nothing
    const none = await listObservations(w.ctx('manager'), { ...inStudy(), patientId: silent }, { first: 1000 });
    expect(none.nodes).toEqual([]);
    expect(await countObservations(w.ctx('manager'), { ...inStudy(), patientId: late })).toBe(page.nodes.length);
  });

  it('shows nothing of the study to a practitioner of another organization', async () => {
    await expect(listObservations(w.ctx('otherManager'), inStudy(), { first: 1000 })).rejects.toThrow(NotFoundError);
    const own = await listObservations(
      w.ctx('otherManager'),
      { from: new Date('2026-11-01T00:00:00Z') },
      { first: 1000 },
    );
    expect(ids(own.nodes).filter((id) => visible.some((row) => row.id === id))).toEqual([]);
  });
});
