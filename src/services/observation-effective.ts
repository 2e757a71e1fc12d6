import { InvalidError } from '../errors.js';
import { instant } from './effective-time.js';

/** A FHIR date or dateTime: a year, a month, a day, or a time of day with its zone (seconds and fraction optional). */
const FHIR_DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$/;

/** A FHIR dateTime or instant as an instant; a partial date (2026, 2026-05, 2026-05-04) stands for its start, at UTC. */
function fhirInstant(value: unknown, path: string): Date {
  const parts = typeof value === 'string' ? FHIR_DATE_TIME.exec(value) : null;
  if (!parts) throw new InvalidError(`${path} must be a FHIR dateTime`, path);
  const [, year, month = '01', day = '01', time] = parts;
  return instant(time === undefined ? `${year}-${month}-${day}T00:00:00Z` : value, path);
}

/**
 * When an R5 Observation happened, for date search and order: effectiveDateTime or effectiveInstant, or the start
 * of effectivePeriod (its end if it has no start). effectiveTiming (a schedule) names no one time: refused.
 */
export function resourceEffectiveTime(resource: Record<string, unknown>): Date {
  if (resource.effectiveDateTime !== undefined) return fhirInstant(resource.effectiveDateTime, '/effectiveDateTime');
  if (resource.effectiveInstant !== undefined) return fhirInstant(resource.effectiveInstant, '/effectiveInstant');
  if (resource.effectiveTiming !== undefined) {
    throw new InvalidError(
      '/effectiveTiming is not supported: give effectiveDateTime, effectiveInstant or effectivePeriod',
      '/effectiveTiming',
    );
  }
  const period = resource.effectivePeriod as { start?: unknown; end?: unknown } | undefined;
  if (period?.start !== undefined) return fhirInstant(period.start, '/effectivePeriod/start');
  if (period?.end !== undefined) return fhirInstant(period.end, '/effectivePeriod/end');
  throw new InvalidError(
    '/effective[x] is required: effectiveDateTime, effectiveInstant or effectivePeriod with a start',
    '/effective[x]',
  );
}
