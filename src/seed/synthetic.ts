import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import { generateSeries } from './omh-series.js';

/**
 * Synthetic continuous-glucose-monitor data at any size, for benchmarks: one study in BIDS asking for blood
 * glucose from Dexcom, patients enrolled and consented, a reading every 5 minutes with diurnal patterns,
 * noise and gaps. Deterministic from the seed and resumable: patients already complete are skipped.
 */
export const CGM_PER_DAY = 288;
export const POINTS_PER_PATIENT = 2000;
const BIDS = 20003;
const DEXCOM = 70002;
const BLOOD_GLUCOSE = 50001;
const CHUNK = 5000;

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
      [BIDS, name, 'Generated continuous glucose monitor data for benchmarks'],
    ));
  await em.getConnection().execute(
    `insert into study_scope_requests (study_id, codeable_concept_id) values (?, ?) on conflict do nothing;
     insert into study_data_sources (study_id, data_source_id) values (?, ?) on conflict do nothing`,
    [study.id, BLOOD_GLUCOSE, study.id, DEXCOM],
  );
  const wanted = Math.max(19, Math.ceil(observations / POINTS_PER_PATIENT));
  await em.getConnection().execute(
    `with wanted as (select ? || '-' || i as tag, i from generate_series(1, ?) as i),
     created as (
       insert into patients (name_family, name_given, email)
       select 'Synthetic', 'CGM ' || w.tag, 'cgm-' || w.tag || '@example.org' from wanted w
       on conflict (lower(email)) do nothing returning id
     ),
     linked as (insert into patient_organizations (patient_id, organization_id) select id, ? from created returning patient_id),
     enrolled as (insert into study_patients (study_id, patient_id) select ?, patient_id from linked returning id)
     insert into study_patient_scope_consents (study_patient_id, codeable_concept_id, consented, consented_time)
     select id, ?, true, now() from enrolled`,
    [seed, wanted, BIDS, study.id, BLOOD_GLUCOSE],
  );
  const patients = await em
    .getConnection()
    .execute<{ id: number }[]>(
      `select p.id from patients p join study_patients sp on sp.patient_id = p.id where sp.study_id = ? order by p.id limit ?`,
      [study.id, wanted],
    );
  return { studyId: study.id, patientIds: patients.map((p) => p.id) };
}

/** Inserts the missing points of every planned patient, in chunks of one statement each. */
export async function fillObservations(
  orm: Orm,
  plan: SyntheticPlan,
  total: number,
  seed: number,
  progress: (done: number) => void = () => {},
): Promise<number> {
  const em = orm.em.fork();
  const perPatient = Math.ceil(total / plan.patientIds.length);
  const counts = await em.getConnection().execute<{ id: number; n: string }[]>(
    `select subject_patient_id as id, count(*) as n from observations
        where codeable_concept_id = ? and subject_patient_id in (${plan.patientIds.map(() => '?').join(', ')}) group by 1`,
    [BLOOD_GLUCOSE, ...plan.patientIds],
  );
  const have = new Map(counts.map((c) => [c.id, Number(c.n)]));
  let done = [...have.values()].reduce((a, b) => a + b, 0);
  progress(done);
  let rows: unknown[] = [];
  const flush = async () => {
    if (!rows.length) return;
    await em.getConnection().execute(
      `with r as (
         select * from jsonb_to_recordset(?::jsonb) as r(patient_id int, omh jsonb, effective_time timestamptz, uuid text)
       ), o as (
         insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time)
         select patient_id, ${BLOOD_GLUCOSE}, ${DEXCOM}, 'final', omh, effective_time from r returning id, omh
       )
       insert into observation_identifiers (observation_id, system, value)
       select id, 'urn:ietf:rfc:3986', 'urn:uuid:' || (omh->'header'->>'uuid') from o`,
      [JSON.stringify(rows)],
    );
    done += rows.length;
    progress(done);
    rows = [];
  };
  for (const [index, patientId] of plan.patientIds.entries()) {
    if ((have.get(patientId) ?? 0) >= perPatient) continue;
    // the series is regenerated whole (deterministic) and only its missing tail is inserted
    const series = generateSeries({
      code: 'omh:blood-glucose:4.0',
      start: new Date(Date.UTC(2026, 0, 1)),
      days: Math.ceil((perPatient * 1.06) / CGM_PER_DAY),
      perDay: CGM_PER_DAY,
      seed: seed * 1_000_003 + index,
      sourceName: 'Dexcom',
    }).slice(have.get(patientId) ?? 0, perPatient);
    for (const point of series) {
      rows.push({
        patient_id: patientId,
        omh: point.omh,
        effective_time: point.effectiveTime.toISOString(),
        uuid: point.uuid,
      });
      if (rows.length >= CHUNK) await flush();
    }
  }
  await flush();
  return done;
}
