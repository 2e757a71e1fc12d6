import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it, vi } from 'vitest';
import {
  omhSchemaCompilations,
  parseOmhCode,
  SUPPORTED_OMH_CODES,
  validateOmhDataPoint,
  type OmhValidation,
} from '../omh/validator.js';

const FIXTURES = new URL('./fixtures/omh/valid/', import.meta.url);

const header = (name: string, version: string) => ({
  uuid: '3f1a7d9e-2b4c-4e8f-9a1b-2c3d4e5f6a7b',
  schema_id: { namespace: 'omh', name, version },
  source_creation_date_time: '2026-11-01T08:00:00-08:00',
  modality: 'sensed',
});
const dataPoint = (code: string, body: unknown) => {
  const { name, version } = parseOmhCode(code)!;
  return { header: header(name, version), body };
};

const at = { date_time: '2026-11-01T07:59:00-08:00' };
const during = { time_interval: { start_date_time: '2026-11-01T00:00:00Z', end_date_time: '2026-11-01T07:00:00Z' } };
const lasting = { time_interval: { start_date_time: '2026-11-01T00:00:00Z', duration: { value: 7, unit: 'h' } } };
const ending = { time_interval: { end_date_time: '2026-11-01T07:00:00Z', duration: { value: 30, unit: 'min' } } };

/** A bad body, the JSON pointer its error must name, and (optionally) the message. */
type Invalid = [body: object, path: string, message?: string];

/** For every supported code: valid bodies of our own, and bad ones. */
const CASES: Record<string, { valid: object[]; invalid: Invalid[] }> = {
  'omh:blood-glucose:4.0': {
    valid: [
      {
        blood_glucose: { value: 6.1, unit: 'mmol/L' },
        specimen_source: 'capillary blood',
        temporal_relationship_to_meal: 'fasting',
        temporal_relationship_to_sleep: 'on waking',
        effective_time_frame: at,
      },
      { blood_glucose: { value: 110, unit: 'mg/dL' }, descriptive_statistic: 'average', effective_time_frame: during },
    ],
    invalid: [
      [
        { blood_glucose: { value: 110, unit: 'mg' }, effective_time_frame: at },
        '/body/blood_glucose/unit',
        'must be one of: mg/dL, mmol/L',
      ],
      [{ blood_glucose: { value: -1, unit: 'mg/dL' }, effective_time_frame: at }, '/body/blood_glucose/value'],
      [
        { blood_glucose: { value: 110, unit: 'mg/dL' }, specimen_source: 'plasma', effective_time_frame: at },
        '/body/specimen_source',
      ],
      [{ blood_glucose: { value: 110, unit: 'mg/dL' } }, '/body/effective_time_frame', 'is required'],
    ],
  },
  'omh:blood-pressure:4.0': {
    valid: [
      {
        systolic_blood_pressure: { value: 120, unit: 'mmHg' },
        diastolic_blood_pressure: { value: 80, unit: 'mmHg' },
        body_posture: 'sitting',
        measurement_location: 'left upper arm',
        temporal_relationship_to_physical_activity: 'at rest',
        effective_time_frame: at,
      },
    ],
    invalid: [
      [
        { systolic_blood_pressure: { value: 120, unit: 'mmHg' }, effective_time_frame: at },
        '/body/diastolic_blood_pressure',
        'is required',
      ],
      [
        {
          systolic_blood_pressure: { value: 16, unit: 'kPa' },
          diastolic_blood_pressure: { value: 80, unit: 'mmHg' },
          effective_time_frame: at,
        },
        '/body/systolic_blood_pressure/unit',
        'must be one of: mmHg',
      ],
      [
        {
          systolic_blood_pressure: { value: 120, unit: 'mmHg' },
          diastolic_blood_pressure: { value: 80, unit: 'mmHg' },
          body_posture: 'kneeling',
          effective_time_frame: at,
        },
        '/body/body_posture',
      ],
    ],
  },
  'omh:body-temperature:4.0': {
    valid: [
      { body_temperature: { value: 310.2, unit: 'K' }, effective_time_frame: at },
      {
        body_temperature: { value: 37.1, unit: 'C' },
        measurement_location: 'tympanic',
        temporal_relationship_to_sleep: 'on waking',
        effective_time_frame: at,
      },
    ],
    invalid: [
      [
        { body_temperature: { value: 37.1, unit: 'celsius' }, effective_time_frame: at },
        '/body/body_temperature/unit',
        'must be one of: K, F, C',
      ],
      [
        { body_temperature: { value: 37.1, unit: 'C' }, measurement_location: 'ear', effective_time_frame: at },
        '/body/measurement_location',
      ],
      [{ body_temperature: { unit: 'C' }, effective_time_frame: at }, '/body/body_temperature/value', 'is required'],
    ],
  },
  'omh:heart-rate:2.0': {
    valid: [
      {
        heart_rate: { value: 58, unit: 'beats/min' },
        temporal_relationship_to_physical_activity: 'at rest',
        temporal_relationship_to_sleep: 'during sleep',
        descriptive_statistic: 'minimum',
        effective_time_frame: ending,
      },
    ],
    invalid: [
      [
        { heart_rate: { value: '60', unit: 'beats/min' }, effective_time_frame: at },
        '/body/heart_rate/value',
        'must be number',
      ],
      [
        { heart_rate: { value: 60, unit: 'beats/min' }, effective_time_frame: { date_time: 'yesterday' } },
        '/body/effective_time_frame/date_time',
        'must be an RFC 3339 date-time with a time zone',
      ],
      [
        { heart_rate: { value: 60, unit: 'beats/min' }, effective_time_frame: { date_time: '2026-11-01T07:59:00' } },
        '/body/effective_time_frame/date_time',
      ],
    ],
  },
  'omh:oxygen-saturation:2.0': {
    valid: [
      {
        oxygen_saturation: { value: 97, unit: '%' },
        system: 'peripheral capillary',
        supplemental_oxygen_flow_rate: { value: 0, unit: 'L/min' },
        oxygen_therapy_mode_of_administration: 'nasal cannula',
        measurement_method: 'pulse oximetry',
        effective_time_frame: at,
      },
    ],
    invalid: [
      [
        { oxygen_saturation: { value: 101, unit: '%' }, effective_time_frame: at },
        '/body/oxygen_saturation/value',
        'must be <= 100',
      ],
      [
        {
          oxygen_saturation: { value: 97, unit: '%' },
          measurement_method: 'arterial blood gas',
          effective_time_frame: at,
        },
        '/body/measurement_method',
      ],
      [
        {
          oxygen_saturation: { value: 97, unit: '%' },
          supplemental_oxygen_flow_rate: { value: 2, unit: 'ml/min' },
          effective_time_frame: at,
        },
        '/body/supplemental_oxygen_flow_rate/unit',
      ],
    ],
  },
  'omh:respiratory-rate:2.0': {
    valid: [{ respiratory_rate: { value: 14, unit: 'breaths/min' }, effective_time_frame: lasting }],
    invalid: [
      [{ respiratory_rate: { value: 14, unit: 'breaths/min' } }, '/body/effective_time_frame', 'is required'],
      [{ respiratory_rate: { value: 14, unit: 'breaths/s' }, effective_time_frame: at }, '/body/respiratory_rate/unit'],
    ],
  },
  'omh:rr-interval:1.0': {
    valid: [{ rr_interval: { value: 820, unit: 'ms' }, descriptive_statistic: 'median', effective_time_frame: at }],
    invalid: [
      [
        { rr_interval: { value: 0.82, unit: 'sec' }, effective_time_frame: at },
        '/body/rr_interval/unit',
        'must be one of: ms',
      ],
      [{ rr_interval: { value: -5, unit: 'ms' }, effective_time_frame: at }, '/body/rr_interval/value', 'must be >= 0'],
      [{ rr_interval: { value: 820, unit: 'ms' } }, '/body/effective_time_frame', 'is required'],
    ],
  },
  'omh:body-weight:3.0': {
    valid: [
      { body_weight: { value: 70.5, unit: 'kg' }, effective_time_frame: at },
      { body_weight: { value: 155, unit: 'lb' }, descriptive_statistic: 'maximum', effective_time_frame: during },
    ],
    invalid: [
      [{ body_weight: { value: 70.5, unit: 'stone' }, effective_time_frame: at }, '/body/body_weight/unit'],
      [{ body_weight: { unit: 'kg' }, effective_time_frame: at }, '/body/body_weight/value', 'is required'],
      [
        {
          body_weight: { value: 70.5, unit: 'kg' },
          effective_time_frame: { time_interval: { start_date_time: '2026-11-01T00:00:00Z' } },
        },
        '/body/effective_time_frame/time_interval',
        'must have exactly one of: start_date_time + end_date_time, start_date_time + duration, end_date_time + duration',
      ],
    ],
  },
  'omh:physical-activity:1.2': {
    valid: [
      {
        activity_name: 'walking',
        distance: { value: 3.1, unit: 'mi' },
        kcal_burned: { value: 160, unit: 'kcal' },
        reported_activity_intensity: 'moderate',
        met_value: 3.5,
        effective_time_frame: during,
      },
      { activity_name: 'swimming', effective_time_frame: lasting },
    ],
    invalid: [
      [{ distance: { value: 1.2, unit: 'km' }, effective_time_frame: during }, '/body/activity_name', 'is required'],
      [
        { activity_name: 'walking', reported_activity_intensity: 'extreme', effective_time_frame: during },
        '/body/reported_activity_intensity',
      ],
      [
        { activity_name: 'walking', distance: { value: 1.2, unit: 'miles' }, effective_time_frame: during },
        '/body/distance/unit',
      ],
      [
        { activity_name: 'walking', kcal_burned: { value: -10, unit: 'kcal' }, effective_time_frame: during },
        '/body/kcal_burned/value',
      ],
      [{ activity_name: 'walking' }, '/body/effective_time_frame', 'is required'],
    ],
  },
  'omh:step-count:3.0': {
    valid: [
      { step_count: { value: 5400, unit: 'steps' }, effective_time_frame: during },
      {
        step_count: { value: 26000, unit: 'steps' },
        descriptive_statistic: 'maximum',
        descriptive_statistic_denominator: 'session',
        effective_time_frame: during,
      },
    ],
    invalid: [
      [{ step_count: 5400, effective_time_frame: during }, '/body/step_count', 'must be object'],
      [
        { step_count: { value: 5400, unit: 'steps' }, effective_time_frame: at },
        '/body/effective_time_frame/time_interval',
        'is required',
      ],
      [{ step_count: { value: 5400, unit: 'step' }, effective_time_frame: during }, '/body/step_count/unit'],
      [{ step_count: { value: '5400', unit: 'steps' }, effective_time_frame: during }, '/body/step_count/value'],
    ],
  },
  'omh:sleep-episode:1.1': {
    valid: [
      {
        latency_to_sleep_onset: { value: 17.5, unit: 'min' },
        latency_to_arising: { value: 5, unit: 'min' },
        total_sleep_time: { value: 410, unit: 'min' },
        wake_after_sleep_onset: { value: 30, unit: 'min' },
        number_of_awakenings: 2,
        is_main_sleep: true,
        sleep_maintenance_efficiency_percentage: { value: 94.4, unit: '%' },
        effective_time_frame: lasting,
      },
    ],
    invalid: [
      [{ number_of_awakenings: -2, effective_time_frame: during }, '/body/number_of_awakenings', 'must be >= 0'],
      [{ number_of_awakenings: 1.5, effective_time_frame: during }, '/body/number_of_awakenings', 'must be integer'],
      [{ total_sleep_time: { value: 7, unit: 'hours' }, effective_time_frame: during }, '/body/total_sleep_time/unit'],
      [{ is_main_sleep: true, effective_time_frame: at }, '/body/effective_time_frame/time_interval', 'is required'],
    ],
  },
  'omh:sleep-duration:2.0': {
    valid: [
      { sleep_duration: { value: 7.25, unit: 'h' }, effective_time_frame: during },
      { sleep_duration: { value: 435, unit: 'min' }, descriptive_statistic: 'average', effective_time_frame: ending },
    ],
    invalid: [
      [
        { sleep_duration: { value: 0.3, unit: 'd' }, effective_time_frame: during },
        '/body/sleep_duration/unit',
        'must be one of: sec, min, h',
      ],
      [{ sleep_duration: { value: -1, unit: 'h' }, effective_time_frame: during }, '/body/sleep_duration/value'],
      [{ effective_time_frame: during }, '/body/sleep_duration', 'is required'],
    ],
  },
};

const firstError = (result: OmhValidation) => (result.valid ? undefined : result.errors[0]);

describe('Open mHealth validation', () => {
  it('accepts every official example data point', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const point = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
      const code = `omh:${point.header.schema_id.name}:${point.header.schema_id.version}`;
      expect(SUPPORTED_OMH_CODES, file).toContain(code);
      expect(validateOmhDataPoint(code, point), file).toEqual({ valid: true });
    }
  });

  it('has cases for every supported code', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SUPPORTED_OMH_CODES].sort());
  });

  describe.each(Object.entries(CASES))('%s', (code, { valid, invalid }) => {
    it.each(valid.map((body, index) => [index, body]))('accepts valid body %i', (_, body) => {
      expect(validateOmhDataPoint(code, dataPoint(code, body))).toEqual({ valid: true });
    });

    it.each(invalid)('refuses %j at %s', (body, path, message) => {
      const error = firstError(validateOmhDataPoint(code, dataPoint(code, body)));
      expect(error?.path).toBe(path);
      if (message) expect(error?.message).toBe(message);
    });
  });

  it('refuses a time frame that is both a point and an interval', () => {
    const body = { heart_rate: { value: 60, unit: 'beats/min' }, effective_time_frame: { ...at, ...during } };
    expect(firstError(validateOmhDataPoint('omh:heart-rate:2.0', dataPoint('omh:heart-rate:2.0', body)))).toEqual({
      path: '/body/effective_time_frame',
      message: 'must have exactly one of: date_time, time_interval',
    });
  });

  describe('header', () => {
    const code = 'omh:heart-rate:2.0';
    const body = CASES[code]!.valid[0];
    const withHeader = (changes: Record<string, unknown>) => {
      const point = dataPoint(code, body);
      return { ...point, header: { ...point.header, ...changes } };
    };

    it.each<[string, Record<string, unknown>, string, string]>([
      ['a bad uuid', { uuid: 'not-a-uuid' }, '/header/uuid', 'must be a valid uuid'],
      ['no uuid', { uuid: undefined }, '/header/uuid', 'is required'],
      [
        'a bad creation time',
        { source_creation_date_time: '2026-13-01T00:00:00Z' },
        '/header/source_creation_date_time',
        'must be an RFC 3339 date-time with a time zone',
      ],
      ['an unknown modality', { modality: 'guessed' }, '/header/modality', 'must be one of: sensed, self-reported'],
      [
        'a datasheet without reference',
        { external_datasheets: [{ datasheet_type: 'manufacturer' }] },
        '/header/external_datasheets/0/datasheet_reference',
        'is required',
      ],
      [
        'an incomplete schema_id',
        { schema_id: { namespace: 'omh', name: 'heart-rate' } },
        '/header/schema_id/version',
        'is required',
      ],
    ])('refuses %s', (_, changes, path, message) => {
      const point = JSON.parse(JSON.stringify(withHeader(changes)));
      expect(firstError(validateOmhDataPoint(code, point))).toEqual({ path, message });
    });

    it('refuses a data point without header or body', () => {
      expect(firstError(validateOmhDataPoint(code, { body }))).toEqual({ path: '/header', message: 'is required' });
      expect(firstError(validateOmhDataPoint(code, { header: dataPoint(code, body).header }))).toEqual({
        path: '/body',
        message: 'is required',
      });
    });
  });

  describe('schema_id and code', () => {
    it('requires the header’s schema_id to agree with the code', () => {
      const point = dataPoint('omh:heart-rate:2.0', CASES['omh:heart-rate:2.0']!.valid[0]);
      expect(firstError(validateOmhDataPoint('omh:blood-pressure:4.0', point))).toEqual({
        path: '/header/schema_id',
        message:
          'must be {namespace: omh, name: blood-pressure, version: 4.0} to match the code omh:blood-pressure:4.0' +
          ' (found omh:heart-rate:2.0)',
      });
    });

    it.each([
      ['version', { namespace: 'omh', name: 'heart-rate', version: '1.0' }],
      ['namespace', { namespace: 'ieee', name: 'heart-rate', version: '2.0' }],
    ])('refuses another %s', (_, schemaId) => {
      const point = dataPoint('omh:heart-rate:2.0', CASES['omh:heart-rate:2.0']!.valid[0]);
      point.header.schema_id = schemaId;
      expect(firstError(validateOmhDataPoint('omh:heart-rate:2.0', point))?.path).toBe('/header/schema_id');
    });

    it('refuses unknown and malformed codes', () => {
      const point = dataPoint('omh:heart-rate:2.0', CASES['omh:heart-rate:2.0']!.valid[0]);
      for (const code of ['omh:mood:1.0', 'omh:heart-rate:1.0', 'heart-rate', '']) {
        const error = firstError(validateOmhDataPoint(code, point));
        expect(error?.path, code).toBe('');
        expect(error?.message, code).toContain('is not a supported Open mHealth code');
      }
    });
  });

  it.each([['text'], [null], [42], [[]], [undefined]])('refuses the non-object %j', (input) => {
    expect(firstError(validateOmhDataPoint('omh:heart-rate:2.0', input))).toEqual({
      path: '',
      message: 'must be object',
    });
  });

  it('parses codes', () => {
    expect(parseOmhCode('omh:blood-glucose:4.0')).toEqual({ name: 'blood-glucose', version: '4.0' });
    expect(parseOmhCode('omh:blood-glucose')).toBeNull();
    expect(parseOmhCode('ieee:blood-glucose:4.0')).toBeNull();
  });

  it('compiles the schemas once, however many data points it validates', () => {
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    const code = 'omh:blood-glucose:4.0';
    const good = dataPoint(code, CASES[code]!.valid[0]);
    const bad = dataPoint(code, CASES[code]!.invalid[0]![0]);
    for (let i = 0; i < 10_000; i += 1) validateOmhDataPoint(code, i % 10 === 0 ? bad : good);
    expect(compile).not.toHaveBeenCalled();
    expect(omhSchemaCompilations()).toBe(1);
    compile.mockRestore();
  });
});
