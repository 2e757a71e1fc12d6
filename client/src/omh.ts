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

/** A FHIR Quantity's measurement, named `name`; null when it has no numeric value. */
function quantity(name: string, q: unknown): Measurement | null {
  if (!q || typeof q !== 'object' || typeof (q as Json).value !== 'number') return null;
  const { value, unit, code } = q as { value: number; unit?: unknown; code?: unknown };
  return { name, value, unit: typeof unit === 'string' ? unit : typeof code === 'string' ? code : '' };
}

/** A CodeableConcept for people: its text, else its first coding's display or code. */
function conceptName(concept: unknown): string {
  const c = (concept ?? {}) as { text?: unknown; coding?: { display?: unknown; code?: unknown }[] };
  const first = c.coding?.[0];
  return String(c.text ?? first?.display ?? first?.code ?? 'value');
}

/** The measurements of an R5 Observation other than Open mHealth: its valueQuantity and its components'. */
function resourceMeasurements(resource: Json): Measurement[] {
  const components = Array.isArray(resource.component) ? (resource.component as Json[]) : [];
  return [
    quantity(conceptName(resource.code), resource.valueQuantity),
    ...components.map((c) => quantity(conceptName(c.code), c.valueQuantity)),
  ].filter((m): m is Measurement => m !== null);
}

/** An observation's measurements: of its Open mHealth data point, or of its FHIR resource. */
export function observationMeasurements(o: { omh: Json | null; resource: Json | null }): Measurement[] {
  if (o.omh) return measurements(o.omh);
  return o.resource ? resourceMeasurements(o.resource) : [];
}

export function describeObservation(o: { omh: Json | null; resource: Json | null }): string {
  if (o.omh) return describe(o.omh);
  const values = observationMeasurements(o).map((m) => `${m.name} ${m.value}${m.unit ? ` ${m.unit}` : ''}`);
  return values.join(', ') || 'no numeric value';
}
