import { describe, expect, it } from 'vitest';
import { DateTimeISO } from '../graphql/date-time.js';
import { isoTimestamp } from '../src/services/observation-search.js';

describe('isoTimestamp', () => {
  it('writes PostgreSQL’s text of a UTC timestamptz as ISO 8601 with milliseconds', () => {
    expect(isoTimestamp('2026-01-03 00:05:00+00')).toBe('2026-01-03T00:05:00.000Z');
    expect(isoTimestamp('2026-01-03 00:05:00.5+00')).toBe('2026-01-03T00:05:00.500Z');
    expect(isoTimestamp('2026-01-03 00:05:00.123456+00')).toBe('2026-01-03T00:05:00.123Z');
  });

  it('reads any other offset through Date, to the same instant', () => {
    expect(isoTimestamp('2026-01-03 01:05:00+01')).toBe('2026-01-03T00:05:00.000Z');
    expect(isoTimestamp('2026-01-02 19:35:00.25-04:30')).toBe('2026-01-03T00:05:00.250Z');
  });
});

describe('DateTimeISO', () => {
  it('passes on text already in its output form, and writes everything else as graphql-scalars does', () => {
    expect(DateTimeISO.name).toBe('DateTimeISO');
    expect(DateTimeISO.serialize('2026-01-03T00:05:00.000Z')).toBe('2026-01-03T00:05:00.000Z');
    expect(DateTimeISO.serialize(new Date(Date.UTC(2026, 0, 3, 0, 5)))).toBe('2026-01-03T00:05:00.000Z');
    expect(DateTimeISO.serialize('2026-01-03T01:05:00+01:00')).toBe('2026-01-03T00:05:00.000Z');
  });

  it('refuses what is not a date-time, however close', () => {
    const outOfRange = ['2026-13-03', '2026-01-32', '2026-01-03T24', '2026-01-03T23:60', '2026-01-03T23:59:60'];
    for (const bad of ['2026-01-03', ...outOfRange.map((t) => `${t}${'2026-01-03T00:00:00.000Z'.slice(t.length)}`)])
      expect(() => DateTimeISO.serialize(bad), bad).toThrow(/DateTime/);
    for (const bad of ['yesterday', new Date(Number.NaN)]) {
      expect(() => DateTimeISO.serialize(bad)).toThrow(/DateTime/);
    }
  });
});
