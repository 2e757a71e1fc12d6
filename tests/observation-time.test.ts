import { describe, expect, it } from 'vitest';
import { InvalidError } from '../src/errors.js';
import { effectiveTimeOf } from '../src/services/effective-time.js';

const at = (effective_time_frame: unknown) => ({ header: {}, body: { effective_time_frame } });
const iso = (omh: Record<string, unknown>) => effectiveTimeOf(omh).toISOString();

function rejection(omh: Record<string, unknown>): InvalidError {
  try {
    effectiveTimeOf(omh);
  } catch (error) {
    if (error instanceof InvalidError) return error;
    throw error;
  }
  throw new Error('expected an InvalidError');
}

describe('effectiveTimeOf', () => {
  it('reads date_time, honouring offsets and fractions', () => {
    expect(iso(at({ date_time: '2026-11-10T08:00:00Z' }))).toBe('2026-11-10T08:00:00.000Z');
    expect(iso(at({ date_time: '2026-11-10T08:00:00-07:00' }))).toBe('2026-11-10T15:00:00.000Z');
    expect(iso(at({ date_time: '2026-11-10T08:00:00.25+05:30' }))).toBe('2026-11-10T02:30:00.250Z');
    expect(iso(at({ date_time: '2026-11-10t08:00:00z' }))).toBe('2026-11-10T08:00:00.000Z');
    expect(iso(at({ date_time: '2024-02-29T00:00:00Z' }))).toBe('2024-02-29T00:00:00.000Z');
  });

  it('takes the start of a time interval, however it is given', () => {
    const start = '2026-11-10T06:00:00Z';
    const end = '2026-11-10T07:30:00+01:00';
    expect(iso(at({ time_interval: { start_date_time: start, end_date_time: end } }))).toBe('2026-11-10T06:00:00.000Z');
    expect(iso(at({ time_interval: { start_date_time: start, duration: { value: 8, unit: 'h' } } }))).toBe(
      '2026-11-10T06:00:00.000Z',
    );
    expect(iso(at({ time_interval: { end_date_time: end, duration: { value: 90, unit: 'min' } } }))).toBe(
      '2026-11-10T05:00:00.000Z',
    );
    expect(iso(at({ time_interval: { end_date_time: end, duration: { value: 2, unit: 'wk' } } }))).toBe(
      '2026-10-27T06:30:00.000Z',
    );
    expect(iso(at({ time_interval: { end_date_time: end, duration: { value: 1500, unit: 'ms' } } }))).toBe(
      '2026-11-10T06:29:58.500Z',
    );
    expect(iso(at({ time_interval: { end_date_time: end, duration: { value: 0, unit: 'sec' } } }))).toBe(
      '2026-11-10T06:30:00.000Z',
    );
  });

  it('rejects a missing or shapeless time frame, naming /body/effective_time_frame', () => {
    for (const omh of [{}, { body: null }, { body: 'x' }, { body: {} }, at(null), at('2026-11-10T08:00:00Z'), at({})]) {
      const error = rejection(omh as Record<string, unknown>);
      expect(error.path).toMatch(/^\/body\/effective_time_frame/);
    }
    expect(rejection(at({ time_interval: {} })).path).toBe('/body/effective_time_frame/time_interval');
    expect(rejection(at({ time_interval: { end_date_time: '2026-11-10T08:00:00Z' } })).path).toBe(
      '/body/effective_time_frame/time_interval',
    );
  });

  it('rejects date-times that are not RFC 3339 or not real', () => {
    const garbage = [
      'yesterday',
      '',
      42,
      null,
      '2026-11-10',
      '2026-11-10T08:00:00', // no offset: ambiguous
      '2026-11-10 08:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-11-10T24:00:00Z',
      '2026-11-10T08:60:00Z',
      '2026-11-10T08:00:61Z',
      '2026-11-10T08:00:00+24:00',
      '2026-11-10T08:00:00+05:60',
      '0000-01-01T00:00:00Z',
      '+002026-11-10T08:00:00Z',
      '2026-11-10T08:00:00Zjunk',
    ];
    for (const date_time of garbage) {
      expect(rejection(at({ date_time })).path, String(date_time)).toBe('/body/effective_time_frame/date_time');
    }
  });

  it('rejects bad durations, intervals that end before they start, and times outside years 1 to 9999', () => {
    const end = '2026-11-10T08:00:00Z';
    const durations = [{ value: -1, unit: 'h' }, { value: 1, unit: 'hours' }, { value: '1', unit: 'h' }, 5, null];
    for (const duration of durations) {
      expect(rejection(at({ time_interval: { end_date_time: end, duration } })).path).toBe(
        '/body/effective_time_frame/time_interval/duration',
      );
    }
    expect(rejection(at({ time_interval: { start_date_time: end, end_date_time: '2026-11-10T07:00:00Z' } })).path).toBe(
      '/body/effective_time_frame/time_interval',
    );
    for (const duration of [
      { value: 1e300, unit: 'yr' },
      { value: 3000, unit: 'yr' },
    ]) {
      expect(rejection(at({ time_interval: { end_date_time: end, duration } })).path).toBe(
        '/body/effective_time_frame/time_interval',
      );
    }
  });
});
