import { describe, expect, it } from 'vitest';
import { validateOmhDataPoint } from '../omh/validator.js';
import { type DataPoint, generateSeries, mulberry32, SERIES_CODES } from '../src/seed/omh-series.js';
import { effectiveTimeOf } from '../src/services/effective-time.js';

const START = new Date('2026-11-01T00:00:00Z');
const series = (code: string, seed = 7, days = 14, perDay = 6, name = `test/${seed}/${code}`) =>
  generateSeries({ code, start: START, days, perDay, seed, name, sourceName: 'iHealth' });

/** The measured value(s) of each code, read from the body. */
const VALUES: Record<string, (body: Record<string, any>) => number[]> = {
  'omh:blood-glucose:4.0': (b) => [b.blood_glucose.value],
  'omh:blood-pressure:4.0': (b) => [b.systolic_blood_pressure.value, b.diastolic_blood_pressure.value],
  'omh:body-temperature:4.0': (b) => [b.body_temperature.value],
  'omh:heart-rate:2.0': (b) => [b.heart_rate.value],
  'omh:oxygen-saturation:2.0': (b) => [b.oxygen_saturation.value],
  'omh:respiratory-rate:2.0': (b) => [b.respiratory_rate.value],
};

const RANGES: Record<string, [number, number][]> = {
  'omh:blood-glucose:4.0': [[50, 250]],
  'omh:blood-pressure:4.0': [
    [85, 160],
    [45, 105],
  ],
  'omh:body-temperature:4.0': [[95.5, 100.5]],
  'omh:heart-rate:2.0': [[40, 120]],
  'omh:oxygen-saturation:2.0': [[88, 100]],
  'omh:respiratory-rate:2.0': [[8, 24]],
};

const UNITS: Record<string, Record<string, string>> = {
  'omh:blood-glucose:4.0': { blood_glucose: 'mg/dL' },
  'omh:blood-pressure:4.0': { systolic_blood_pressure: 'mmHg', diastolic_blood_pressure: 'mmHg' },
  'omh:body-temperature:4.0': { body_temperature: 'F' },
  'omh:heart-rate:2.0': { heart_rate: 'beats/min' },
  'omh:oxygen-saturation:2.0': { oxygen_saturation: '%' },
  'omh:respiratory-rate:2.0': { respiratory_rate: 'breaths/min' },
};

describe('generateSeries', () => {
  it('covers the six demo codes and refuses others', () => {
    expect([...SERIES_CODES].sort()).toEqual(Object.keys(VALUES).sort());
    expect(() => series('omh:step-count:3.0')).toThrow(/no generator/);
  });

  it('is deterministic: the same seed gives the same series, another seed another one', () => {
    for (const code of SERIES_CODES) {
      expect(series(code)).toEqual(series(code));
      expect(series(code, 8)).not.toEqual(series(code));
    }
    const a = mulberry32(1);
    const b = mulberry32(1);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('names its points by the series name, not by the random numbers: distinct series never share a uuid', () => {
    const code = 'omh:blood-glucose:4.0';
    // the same random numbers under two names: the same readings, other identifiers
    const [a, b] = ['a', 'b'].map((name) => series(code, 7, 14, 6, name));
    expect(b!.map((p) => p.omh.body)).toEqual(a!.map((p) => p.omh.body));
    const named = new Set(a!.map((p) => p.uuid));
    expect(b!.filter((p) => named.has(p.uuid))).toEqual([]);
    expect(series(code, 7, 14, 6, 'a').map((p) => p.uuid)).toEqual([...named]);
  });

  it('shapes data points like the official Open mHealth examples, valid against their schemas', () => {
    for (const code of SERIES_CODES) {
      const [, name, version] = code.split(':');
      for (const point of series(code, 3, 2, 4)) {
        const { header, body } = point.omh as { header: Record<string, any>; body: Record<string, any> };
        expect(header.uuid).toBe(point.uuid);
        expect(header.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(header.schema_id).toEqual({ namespace: 'omh', name, version });
        expect(header.modality).toBe('sensed');
        expect(header.external_datasheets).toEqual([
          { datasheet_type: 'manufacturer', datasheet_reference: 'iHealth' },
        ]);
        expect(Date.parse(header.source_creation_date_time)).toBeGreaterThanOrEqual(point.effectiveTime.getTime());
        expect(body.effective_time_frame).toEqual({
          date_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        });
        expect(effectiveTimeOf(point.omh)).toEqual(point.effectiveTime);
        for (const [field, unit] of Object.entries(UNITS[code]!)) expect(body[field].unit).toBe(unit);
        if (code === 'omh:body-temperature:4.0') expect(body.measurement_location).toBe('forehead');
        expect(validateOmhDataPoint(code, point.omh)).toEqual({ valid: true });
      }
    }
  });

  it('gives plausible values that vary over the day, with occasional gaps', () => {
    for (const code of SERIES_CODES) {
      const points = series(code, 11, 30, 8);
      expect(points.length).toBeLessThan(30 * 8);
      expect(points.length).toBeGreaterThan(30 * 8 * 0.85);
      const values = points.map((p) => VALUES[code]!(p.omh.body));
      values.forEach((reading) =>
        reading.forEach((value, i) => {
          const [low, high] = RANGES[code]![i]!;
          expect(value, `${code} ${value}`).toBeGreaterThanOrEqual(low);
          expect(value, `${code} ${value}`).toBeLessThanOrEqual(high);
        }),
      );
      expect(new Set(values.map((v) => v[0])).size).toBeGreaterThan(5);
      const sorted = points.map((p) => p.effectiveTime.getTime());
      expect(sorted).toEqual([...sorted].sort((x, y) => x - y));
      expect(new Set(points.map((p) => p.uuid)).size).toBe(points.length);
    }
    const bp = series('omh:blood-pressure:4.0', 5, 60, 12);
    for (const p of bp) {
      const [systolic, diastolic] = VALUES['omh:blood-pressure:4.0']!(p.omh.body) as [number, number];
      expect(systolic).toBeGreaterThan(diastolic);
    }
    const meanAt = (points: DataPoint[], hours: number[]) => {
      const chosen = points.filter((p) => hours.includes(p.effectiveTime.getUTCHours()));
      return chosen.reduce((sum, p) => sum + (p.omh.body as any).heart_rate.value, 0) / chosen.length;
    };
    const hr = series('omh:heart-rate:2.0', 9, 60, 24);
    expect(meanAt(hr, [14, 15, 16, 17])).toBeGreaterThan(meanAt(hr, [2, 3, 4, 5]) + 5);
  });

  it('spreads readings over the requested days', () => {
    const points = series('omh:heart-rate:2.0', 2, 3, 4);
    for (const p of points) {
      expect(p.effectiveTime.getTime()).toBeGreaterThanOrEqual(START.getTime());
      expect(p.effectiveTime.getTime()).toBeLessThan(START.getTime() + 3 * 86_400_000);
    }
  });
});
