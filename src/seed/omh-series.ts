import { v5 as nameUuid } from 'uuid';

/**
 * Deterministic, realistic Open mHealth data points for the demo seed and the benchmark generator:
 * diurnal variation, noise, occasional gaps; the same seed always gives the same series.
 */

export interface SeriesOptions {
  code: string;
  start: Date;
  days: number;
  perDay: number;
  seed: number;
  /**
   * Names the series, for its points' identifiers (name-based UUIDs of the name and the point's index): unique
   * per series in a database, so that points of different series never share one. Drawn from the seeded random
   * numbers instead, they did: every seed is a position in the same 2^32 cycle, and two series' stretches of it
   * overlapped once a few hundred thousand points were generated.
   */
  name: string;
  sourceName: string;
}

export interface DataPoint {
  omh: { header: Record<string, unknown>; body: Record<string, unknown> };
  effectiveTime: Date;
  uuid: string;
}

/** A data point's identifier as the seeds store it: its uuid as a URI. */
export const uuidIdentifier = (point: DataPoint) => ({ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${point.uuid}` });

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller). */
const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** The namespace of generated data points' UUIDs: a random UUID, fixed once. */
const DATA_POINT_NAMESPACE = '37f637fa-ec4a-4704-97f4-4a70869a7633';

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A day's rhythm: lowest at 4 am, highest at 4 pm, in [-1, 1]. */
const diurnal = (time: Date) => Math.sin(((time.getUTCHours() + time.getUTCMinutes() / 60 - 10) / 24) * 2 * Math.PI);

type BodyMaker = (time: Date, random: () => number) => Record<string, unknown>;

const bodies: Record<string, BodyMaker> = {
  'omh:blood-glucose:4.0': (t, r) => ({
    blood_glucose: { unit: 'mg/dL', value: round(Math.max(55, 110 + 25 * diurnal(t) + 18 * gaussian(r))) },
  }),
  'omh:blood-pressure:4.0': (t, r) => {
    const systolic = round(118 + 8 * diurnal(t) + 6 * gaussian(r));
    return {
      systolic_blood_pressure: { value: systolic, unit: 'mmHg' },
      diastolic_blood_pressure: {
        value: round(Math.min(systolic - 25, 76 + 5 * diurnal(t) + 4 * gaussian(r))),
        unit: 'mmHg',
      },
    };
  },
  'omh:body-temperature:4.0': (t, r) => ({
    body_temperature: { value: round(97.9 + 0.5 * diurnal(t) + 0.25 * gaussian(r), 1), unit: 'F' },
    measurement_location: 'forehead',
  }),
  'omh:heart-rate:2.0': (t, r) => ({
    heart_rate: { value: round(Math.max(45, 68 + 10 * diurnal(t) + 5 * gaussian(r)), 1), unit: 'beats/min' },
  }),
  'omh:oxygen-saturation:2.0': (_t, r) => ({
    oxygen_saturation: { value: round(Math.min(100, 97 + 1.2 * gaussian(r)), 1), unit: '%' },
    measurement_method: 'pulse oximetry',
  }),
  'omh:respiratory-rate:2.0': (t, r) => ({
    respiratory_rate: {
      value: round(Math.max(8, 14 + 1.5 * diurnal(t) + 1.2 * gaussian(r)), 1),
      unit: 'breaths/min',
    },
  }),
};

export const SERIES_CODES = Object.keys(bodies);

/** `perDay` readings a day at jittered, evenly spread times; about 1 in 20 is missing (a gap). */
export function generateSeries(opts: SeriesOptions): DataPoint[] {
  const make = bodies[opts.code];
  if (!make) throw new Error(`no generator for ${opts.code}`);
  const [, name, version] = opts.code.split(':');
  const random = mulberry32(opts.seed);
  const series = nameUuid(opts.name, DATA_POINT_NAMESPACE);
  const step = (24 * 3600 * 1000) / opts.perDay;
  const points: DataPoint[] = [];
  for (let i = 0; i < opts.days * opts.perDay; i++) {
    const jitter = (random() - 0.5) * step * 0.4;
    const time = new Date(Math.round((opts.start.getTime() + i * step + step / 2 + jitter) / 60000) * 60000);
    const uuid = nameUuid(String(i), series);
    if (random() < 0.05) continue;
    const dateTime = time.toISOString().replace('.000Z', 'Z');
    points.push({
      uuid,
      effectiveTime: time,
      omh: {
        header: {
          uuid,
          schema_id: { namespace: 'omh', name, version },
          source_creation_date_time: new Date(time.getTime() + 60000).toISOString().replace('.000Z', 'Z'),
          modality: 'sensed',
          external_datasheets: [{ datasheet_type: 'manufacturer', datasheet_reference: opts.sourceName }],
        },
        body: { ...make(time, random), effective_time_frame: { date_time: dateTime } },
      },
    });
  }
  return points;
}
