import { InvalidError } from '../errors.js';

const PATH = '/body/effective_time_frame';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
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

function instant(value: unknown, path: string): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    throw new InvalidError(`${path} must be an RFC 3339 date-time with a time zone`, path);
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new InvalidError(`${path} is not a real date-time`, path);
  return time;
}

function durationMs(value: unknown, path: string): number {
  const { value: amount, unit } = (value ?? {}) as { value?: unknown; unit?: unknown };
  if (typeof amount !== 'number' || amount < 0 || typeof unit !== 'string' || !(unit in UNIT_MS)) {
    throw new InvalidError(`${path} must be {value ≥ 0, unit: ${Object.keys(UNIT_MS).join('|')}}`, path);
  }
  return amount * UNIT_MS[unit]!;
}

/**
 * When an Open mHealth data point happened: `effective_time_frame.date_time`, or the start of its
 * `time_interval` (given as start, start + duration, end + duration, or start + end).
 */
export function effectiveTimeOf(omh: Record<string, unknown>): Date {
  const frame = (omh.body as { effective_time_frame?: Record<string, unknown> } | undefined)?.effective_time_frame;
  if (!frame || typeof frame !== 'object') throw new InvalidError(`${PATH} is required`, PATH);
  if (frame.date_time !== undefined) return instant(frame.date_time, `${PATH}/date_time`);
  const interval = frame.time_interval as Record<string, unknown> | undefined;
  if (!interval || typeof interval !== 'object') {
    throw new InvalidError(`${PATH} needs date_time or time_interval`, PATH);
  }
  const at = `${PATH}/time_interval`;
  if (interval.start_date_time !== undefined) return instant(interval.start_date_time, `${at}/start_date_time`);
  if (interval.end_date_time !== undefined && interval.duration !== undefined) {
    const end = instant(interval.end_date_time, `${at}/end_date_time`);
    return new Date(end.getTime() - durationMs(interval.duration, `${at}/duration`));
  }
  throw new InvalidError(`${at} needs start_date_time, or end_date_time with duration`, at);
}
