import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import { intArray } from '../services/int-array.js';
import { INSERT_IDENTIFIERS } from '../services/observation-ingest.js';
import { generateSeries, uuidIdentifier } from './omh-series.js';

/**
 * Synthetic device data at any size, for benchmarks: one study in BIDS, patients enrolled and consented, and
 * for each patient a continuous glucose monitor's series (Dexcom, a reading every 5 minutes: 90% of the
 * points) next to an iHealth heart rate (hourly) and blood pressure (three a day) series, all with diurnal
 * patterns, noise and gaps. Deterministic from the seed and resumable: series already complete are skipped.
 */
export const CGM_PER_DAY = 288;
export const POINTS_PER_PATIENT = 2000;
const BIDS = 20003;
const CHUNK = 5000;

const SERIES = [
  {
    code: 'omh:blood-glucose:4.0',
    codeId: 50001,
    sourceId: 70002,
    sourceName: 'Dexcom',
    perDay: CGM_PER_DAY,
    share: 0.9,
  },
  { code: 'omh:heart-rate:2.0', codeId: 50004, sourceId: 70001, sourceName: 'iHealth', perDay: 24, share: 0.08 },
  { code: 'omh:blood-pressure:4.0', codeId: 50002, sourceId: 70001, sourceName: 'iHealth', perDay: 3, share: 0.02 },
] as const;
const CODE_IDS = SERIES.map((s) => s.codeId);
const SOURCE_IDS = [...new Set(SERIES.map((s) => s.sourceId))];

/** How many points of each series one patient gets: the shares of `perPatient`, the first taking the rest. */
function seriesCounts(perPatient: number): number[] {
  const others = SERIES.slice(1).map((s) => Math.floor(perPatient * s.share));
  return [perPatient - others.reduce((a, b) => a + b, 0), ...others];
}

export interface SyntheticPlan {
  studyId: number;
  patientIds: number[];
}

async function one<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T> {
  const [row] = await em.getConnection().execute<T[]>(sql, params);
  return row as T;
}

/** The study and its patients (created on first use) for a data set of `observations` points. */
export async function syntheticStudy(orm: Orm, observations: number, seed: number): Promise<SyntheticPlan> {
  const em = orm.em.fork();
  const name = `Synthetic CGM study (seed ${seed})`;
  const study =
    (await one<{ id: number } | undefined>(em, 'select id from studies where name = ?', [name])) ??
    (await one<{ id: number }>(
      em,
      'insert into studies (organization_id, name, description) values (?, ?, ?) returning id',
      [BIDS, name, 'Generated continuous glucose monitor, heart rate and blood pressure data for benchmarks'],
    ));
  await em.getConnection().execute(
    `insert into study_scope_requests (study_id, codeable_concept_id) select ?, unnest(?::int[]) on conflict do nothing;
     insert into study_data_sources (study_id, data_source_id) select ?, unnest(?::int[]) on conflict do nothing`,
    [study.id, intArray(CODE_IDS), study.id, intArray(SOURCE_IDS)],
  );
  const wanted = Math.max(19, Math.ceil(observations / POINTS_PER_PATIENT));
  await em.getConnection().execute(
    `with wanted as (select ? || '-' || i as tag, i from generate_series(1, ?) as i),
     created as (
       insert into patients (name_family, name_given, email)
       select 'Synthetic', 'CGM ' || w.tag, 'cgm-' || w.tag || '@example.org' from wanted w
       on conflict (lower(email)) do nothing returning id
     ),
     linked as (insert into patient_organizations (patient_id, organization_id) select id, ? from created returning patient_id)
     insert into study_patients (study_id, patient_id) select ?, patient_id from linked`,
    [seed, wanted, BIDS, study.id],
  );
  await em.getConnection().execute(
    `insert into study_patient_scope_consents (study_patient_id, codeable_concept_id, consented, consented_time)
     select sp.id, code, true, now() from study_patients sp cross join unnest(?::int[]) as code
      where sp.study_id = ? on conflict do nothing`,
    [intArray(CODE_IDS), study.id],
  );
  const patients = await em
    .getConnection()
    .execute<{ id: number }[]>(
      `select p.id from patients p join study_patients sp on sp.patient_id = p.id where sp.study_id = ? order by p.id limit ?`,
      [study.id, wanted],
    );
  return { studyId: study.id, patientIds: patients.map((p) => p.id) };
}

/**
 * Inserts the missing points of every planned patient's series, in chunks of one statement each, then vacuums
 * and analyzes the database, as after any bulk load: otherwise autovacuum does it a minute later, in the middle
 * of whatever runs next, and until then the planner lacks statistics for the new patients and identifiers.
 */
export async function fillObservations(
  orm: Orm,
  plan: SyntheticPlan,
  total: number,
  seed: number,
  progress: (done: number) => void = () => {},
): Promise<number> {
  const em = orm.em.fork();
  const counts = seriesCounts(Math.ceil(total / plan.patientIds.length));
  const stored = await em.getConnection().execute<{ patient_id: number; code_id: number; n: string }[]>(
    `select subject_patient_id as patient_id, codeable_concept_id as code_id, count(*) as n from observations
      where codeable_concept_id = any(?::int[]) and subject_patient_id = any(?::int[]) group by 1, 2`,
    [intArray(CODE_IDS), intArray(plan.patientIds)],
  );
  const have = new Map(stored.map((c) => [`${c.patient_id}/${c.code_id}`, Number(c.n)]));
  let done = stored.reduce((sum, c) => sum + Number(c.n), 0);
  progress(done);
  let rows: unknown[] = [];
  const flush = async () => {
    if (!rows.length) return;
    await em.getConnection().execute(
      `with r as (
         select * from jsonb_to_recordset(?::jsonb)
           as r(patient_id int, code_id int, source_id int, omh jsonb, effective_time timestamptz, identifiers json)
       ), o as (
         insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time, identifiers)
         select patient_id, code_id, source_id, 'final', omh, effective_time, identifiers from r returning id, identifiers
       )
       ${INSERT_IDENTIFIERS('o')}`,
      [JSON.stringify(rows)],
    );
    done += rows.length;
    progress(done);
    rows = [];
  };
  for (const [index, patientId] of plan.patientIds.entries()) {
    for (const [s, series] of SERIES.entries()) {
      const wanted = counts[s]!;
      const already = have.get(`${patientId}/${series.codeId}`) ?? 0;
      if (already >= wanted) continue;
      // the series is regenerated whole (deterministic) and only its missing tail is inserted
      const points = generateSeries({
        code: series.code,
        start: new Date(Date.UTC(2026, 0, 1)),
        days: Math.ceil((wanted * 1.06) / series.perDay),
        perDay: series.perDay,
        seed: seed * 1_000_003 + index + s * 100_000_007,
        name: `synthetic/${seed}/${index}/${series.code}`,
        sourceName: series.sourceName,
      }).slice(already, wanted);
      for (const point of points) {
        rows.push({
          patient_id: patientId,
          code_id: series.codeId,
          source_id: series.sourceId,
          omh: point.omh,
          effective_time: point.effectiveTime.toISOString(),
          identifiers: [uuidIdentifier(point)],
        });
        if (rows.length >= CHUNK) await flush();
      }
    }
  }
  await flush();
  await em.getConnection().execute('vacuum (analyze)');
  return done;
}
