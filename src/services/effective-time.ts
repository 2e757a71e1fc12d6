import { InvalidError } from '../errors.js';

const PATH = '/body/effective_time_frame';
const RFC3339 =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?<fraction>\.\d+)?)?(?:Z|(?<sign>[+-])(?<offsetHour>\d{2}):(?<offsetMinute>\d{2}))$/i;
const UNIT_MS: Record<string, number> = {
  ps: 1e-9,
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  sec: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  wk: 604_800_000,
  Mo: 2_629_746_000,
  yr: 31_556_952_000,
};
// PostgreSQL has no year 0 (and JavaScript no year past 275760): keep effective times to years 1 to 9999.
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!);

/** An RFC 3339 date-time with an offset (seconds optional); impossible dates and times are refused, not rolled over. */
export function instant(value: unknown, path: string): Date {
  const parts = typeof value === 'string' ? RFC3339.exec(value)?.groups : undefined;
  if (!parts) throw new InvalidError(`${path} must be an RFC 3339 date-time with a time zone`, path);
  const n = (name: string) => Number(parts[name] ?? 0);
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(n) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const real =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60 && // 60: a leap second, counted as the next minute's first
    n('offsetHour') <= 23 &&
    n('offsetMinute') <= 59;
  if (!real) throw new InvalidError(`${path} is not a real date-time: ${String(value)}`, path);
  const offsetMs = (parts.sign === '-' ? -1 : 1) * (n('offsetHour') * 60 + n('offsetMinute')) * 60_000;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Math.floor(n('fraction') * 1000));
  return inRange(new Date(utc.getTime() - offsetMs), path);
}

function inRange(time: Date, path: string): Date {
  const ms = time.getTime();
  if (!(ms >= EARLIEST && ms <= LATEST)) throw new InvalidError(`${path} lies outside the years 1 to 9999`, path);
  return time;
}

function durationMs(value: unknown, path: string): number {
  const { value: amount, unit } = (value !== null && typeof value === 'object' ? value : {}) as {
    value?: unknown;
    unit?: unknown;
  };
  if (
    typeof amount !== 'number' ||
    !Number.isFinite(amount) ||
    amount < 0 ||
    typeof unit !== 'string' ||
    !Object.hasOwn(UNIT_MS, unit)
  ) {
    throw new InvalidError(`${path} must be {value ≥ 0, unit: ${Object.keys(UNIT_MS).join('|')}}`, path);
  }
  return amount * UNIT_MS[unit]!;
}

/**
 * When an Open mHealth data point happened: `effective_time_frame.date_time`, or the start of its
 * `time_interval` (given as start + end, start + duration, or end + duration).
 */
export function effectiveTimeOf(omh: Record<string, unknown>): Date {
  const body = omh.body;
  const frame =
    body !== null && typeof body === 'object'
      ? (body as { effective_time_frame?: unknown }).effective_time_frame
      : undefined;
  if (frame === null || typeof frame !== 'object') throw new InvalidError(`${PATH} is required`, PATH);
  const { date_time, time_interval } = frame as { date_time?: unknown; time_interval?: unknown };
  if (date_time !== undefined) return instant(date_time, `${PATH}/date_time`);
  if (time_interval === null || typeof time_interval !== 'object') {
    throw new InvalidError(`${PATH} needs date_time or time_interval`, PATH);
  }
  const at = `${PATH}/time_interval`;
  const interval = time_interval as Record<string, unknown>;
  if (interval.start_date_time !== undefined) {
    const start = instant(interval.start_date_time, `${at}/start_date_time`);
    if (interval.end_date_time !== undefined) {
      const end = instant(interval.end_date_time, `${at}/end_date_time`);
      if (end < start) throw new InvalidError(`${at} ends before it starts`, at);
    } else if (interval.duration !== undefined) {
      inRange(new Date(start.getTime() + durationMs(interval.duration, `${at}/duration`)), at);
    }
    return start;
  }
  if (interval.end_date_time !== undefined && interval.duration !== undefined) {
    const end = instant(interval.end_date_time, `${at}/end_date_time`);
    return inRange(new Date(end.getTime() - durationMs(interval.duration, `${at}/duration`)), at);
  }
  throw new InvalidError(`${at} needs start_date_time, or end_date_time with duration`, at);
}
