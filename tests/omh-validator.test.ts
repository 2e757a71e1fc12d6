import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_OMH_CODES, validateOmhDataPoint } from '../omh/validator.js';

const FIXTURES = 'tests/fixtures/omh/valid';
const header = (name: string, version: string) => ({
  uuid: '3f1a7d9e-2b4c-4e8f-9a1b-2c3d4e5f6a7b',
  schema_id: { namespace: 'omh', name, version },
  source_creation_date_time: '2026-11-01T08:00:00-08:00',
  modality: 'sensed',
});
const at = { date_time: '2026-11-01T07:59:00-08:00' };
const during = { time_interval: { start_date_time: '2026-11-01T00:00:00Z', end_date_time: '2026-11-01T07:00:00Z' } };

/** For every supported code: a valid body of our own, and bad ones with the path the error must name. */
const CASES: Record<string, { valid: object; invalid: [object, string][] }> = {
  'omh:blood-glucose:4.0': {
    valid: {
      blood_glucose: { value: 110, unit: 'mg/dL' },
      effective_time_frame: at,
      temporal_relationship_to_meal: 'fasting',
    },
    invalid: [
      [{ blood_glucose: { value: 110, unit: 'mg' }, effective_time_frame: at }, '/body/blood_glucose/unit'],
      [{ blood_glucose: { value: -1, unit: 'mg/dL' }, effective_time_frame: at }, '/body/blood_glucose/value'],
    ],
  },
  'omh:blood-pressure:4.0': {
    valid: {
      systolic_blood_pressure: { value: 120, unit: 'mmHg' },
      diastolic_blood_pressure: { value: 80, unit: 'mmHg' },
      effective_time_frame: at,
    },
    invalid: [
      [
        { systolic_blood_pressure: { value: 120, unit: 'mmHg' }, effective_time_frame: at },
        '/body/diastolic_blood_pressure',
      ],
    ],
  },
  'omh:body-temperature:4.0': {
    valid: { body_temperature: { value: 37.1, unit: 'C' }, measurement_location: 'oral', effective_time_frame: at },
    invalid: [
      [
        { body_temperature: { value: 37.1, unit: 'C' }, measurement_location: 'ear', effective_time_frame: at },
        '/body/measurement_location',
      ],
    ],
  },
  'omh:heart-rate:2.0': {
    valid: { heart_rate: { value: 60, unit: 'beats/min' }, effective_time_frame: at },
    invalid: [
      [{ heart_rate: { value: '60', unit: 'beats/min' }, effective_time_frame: at }, '/body/heart_rate/value'],
      [
        { heart_rate: { value: 60, unit: 'beats/min' }, effective_time_frame: { date_time: 'yesterday' } },
        '/body/effective_time_frame/date_time',
      ],
    ],
  },
  'omh:oxygen-saturation:2.0': {
    valid: {
      oxygen_saturation: { value: 97, unit: '%' },
      measurement_method: 'pulse oximetry',
      effective_time_frame: at,
    },
    invalid: [
      [{ oxygen_saturation: { value: 101, unit: '%' }, effective_time_frame: at }, '/body/oxygen_saturation/value'],
    ],
  },
  'omh:respiratory-rate:2.0': {
    valid: { respiratory_rate: { value: 14, unit: 'breaths/min' }, effective_time_frame: at },
    invalid: [[{ respiratory_rate: { value: 14, unit: 'breaths/min' } }, '/body/effective_time_frame']],
  },
  'omh:rr-interval:1.0': {
    valid: { rr_interval: { value: 820, unit: 'ms' }, effective_time_frame: at },
    invalid: [[{ rr_interval: { value: 820, unit: 'beats' }, effective_time_frame: at }, '/body/rr_interval/unit']],
  },
  'omh:body-weight:3.0': {
    valid: { body_weight: { value: 70.5, unit: 'kg' }, effective_time_frame: at },
    invalid: [[{ body_weight: { value: 70.5, unit: 'stone' }, effective_time_frame: at }, '/body/body_weight/unit']],
  },
  'omh:physical-activity:1.2': {
    valid: {
      activity_name: 'walking',
      distance: { value: 1.2, unit: 'km' },
      reported_activity_intensity: 'moderate',
      effective_time_frame: during,
    },
    invalid: [
      [
        { activity_name: 'walking', reported_activity_intensity: 'extreme', effective_time_frame: during },
        '/body/reported_activity_intensity',
      ],
    ],
  },
  'omh:step-count:3.0': {
    valid: { step_count: { value: 5400, unit: 'steps' }, effective_time_frame: during },
    invalid: [[{ step_count: 5400, effective_time_frame: during }, '/body/step_count']],
  },
  'omh:sleep-episode:1.1': {
    valid: {
      is_main_sleep: true,
      number_of_awakenings: 2,
      total_sleep_time: { value: 410, unit: 'min' },
      effective_time_frame: during,
    },
    invalid: [[{ number_of_awakenings: -2, effective_time_frame: during }, '/body/number_of_awakenings']],
  },
  'omh:sleep-duration:2.0': {
    valid: { sleep_duration: { value: 7, unit: 'h' }, effective_time_frame: during },
    invalid: [
      [{ sleep_duration: { value: 7, unit: 'hours' }, effective_time_frame: during }, '/body/sleep_duration/unit'],
    ],
  },
};

const dataPoint = (code: string, body: object) => {
  const [, name, version] = code.split(':');
  return { header: header(name!, version!), body };
};

describe('Open mHealth validation', () => {
  it('accepts every official example data point', () => {
    const files = readdirSync(FIXTURES);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const point = JSON.parse(readFileSync(`${FIXTURES}/${file}`, 'utf8'));
      const code = `omh:${point.header.schema_id.name}:${point.header.schema_id.version}`;
      expect(validateOmhDataPoint(code, point), file).toEqual({ valid: true });
    }
  });

  it('covers every supported code with a valid and an invalid body', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SUPPORTED_OMH_CODES].sort());
    for (const [code, { valid, invalid }] of Object.entries(CASES)) {
      expect(validateOmhDataPoint(code, dataPoint(code, valid)), code).toEqual({ valid: true });
      for (const [body, path] of invalid) {
        const result = validateOmhDataPoint(code, dataPoint(code, body));
        expect(result.valid, `${code} ${JSON.stringify(body)}`).toBe(false);
        if (!result.valid) expect(result.errors[0]?.path, code).toBe(path);
      }
    }
  });

  it('names allowed values in unit errors', () => {
    const result = validateOmhDataPoint(
      'omh:heart-rate:2.0',
      dataPoint('omh:heart-rate:2.0', { heart_rate: { value: 60, unit: 'bpm' }, effective_time_frame: at }),
    );
    expect(result).toEqual({
      valid: false,
      errors: [{ path: '/body/heart_rate/unit', message: 'must be one of: beats/min' }],
    });
  });

  it('requires the header’s schema_id to agree with the coding', () => {
    const point = dataPoint('omh:heart-rate:2.0', CASES['omh:heart-rate:2.0']!.valid);
    const result = validateOmhDataPoint('omh:blood-pressure:4.0', point);
    expect(result.valid).toBe(false);
    if (!result.valid) {
      expect(result.errors[0]).toEqual({
        path: '/header/schema_id',
        message: 'must be omh blood-pressure 4.0 to match the coding omh:blood-pressure:4.0 (got omh heart-rate 2.0)',
      });
    }
  });

  it('refuses unknown codes, missing headers and non-objects', () => {
    expect(validateOmhDataPoint('omh:mood:1.0', {}).valid).toBe(false);
    const noHeader = validateOmhDataPoint('omh:heart-rate:2.0', { body: CASES['omh:heart-rate:2.0']!.valid });
    expect(noHeader).toEqual({ valid: false, errors: [{ path: '/header', message: 'is required' }] });
    expect(validateOmhDataPoint('omh:heart-rate:2.0', 'text').valid).toBe(false);
    expect(validateOmhDataPoint('omh:heart-rate:2.0', null).valid).toBe(false);
    const badUuid = { ...dataPoint('omh:heart-rate:2.0', CASES['omh:heart-rate:2.0']!.valid) };
    badUuid.header = { ...badUuid.header, uuid: 'not-a-uuid' };
    expect(validateOmhDataPoint('omh:heart-rate:2.0', badUuid)).toEqual({
      valid: false,
      errors: [{ path: '/header/uuid', message: 'must be a valid uuid' }],
    });
  });
});
