/** Reading Open mHealth data points for people: the measured quantities of the body, with their units. */
export interface Measurement {
  name: string;
  value: number;
  unit: string;
}

type Json = Record<string, unknown>;

const label = (key: string) => key.replaceAll('_', ' ');

function asMeasurement(key: string, v: unknown): Measurement | null {
  if (typeof v === 'number') return { name: label(key), value: v, unit: '' };
  if (v && typeof v === 'object' && typeof (v as Json).value === 'number') {
    const { value, unit } = v as { value: number; unit?: unknown };
    return { name: label(key), value, unit: typeof unit === 'string' ? unit : '' };
  }
  return null;
}

export function measurements(omh: Json): Measurement[] {
  const body = (omh.body ?? {}) as Json;
  return Object.entries(body).flatMap(([k, v]) => {
    const m = asMeasurement(k, v);
    return m ? [m] : [];
  });
}

/** Words that qualify the values, such as "fasting" or "sitting". */
function descriptors(omh: Json): string[] {
  const body = (omh.body ?? {}) as Json;
  return Object.entries(body)
    .filter(([k, v]) => typeof v === 'string' && k !== 'descriptive_statistic')
    .map(([, v]) => label(String(v)));
}

export function describe(omh: Json): string {
  const values = measurements(omh).map((m) => `${m.name} ${m.value}${m.unit ? ` ${m.unit}` : ''}`);
  return [values.join(', ') || 'no numeric value', ...descriptors(omh)].join(' · ');
}
