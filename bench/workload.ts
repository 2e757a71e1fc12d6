import { generateSeries } from '../src/seed/omh-series.js';

/** Fresh blood glucose uploads for the synthetic patients: FHIR entries and the same rows for raw SQL. */
export function uploadWorkload(patientIds: number[], count: number, runId: string) {
  const perPatient = Math.ceil(count / patientIds.length);
  const points = patientIds.flatMap((patientId, i) =>
    generateSeries({
      code: 'omh:blood-glucose:4.0',
      start: new Date(Date.UTC(2027, 0, 1)),
      days: Math.ceil((perPatient * 1.1) / 288),
      perDay: 288,
      seed: 9_000_000 + i,
      name: `upload/${runId}/${patientId}`,
      sourceName: 'Dexcom',
    })
      .slice(0, perPatient)
      .map((p) => ({ patientId, ...p })),
  );
  return points.slice(0, count).map((p, i) => ({
    row: { patientId: p.patientId, omh: p.omh, effectiveTime: p.effectiveTime, identifier: `${runId}-${i}` },
    resource: {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:blood-glucose:4.0' }] },
      subject: { reference: `Patient/${p.patientId}` },
      device: { reference: 'Device/70002' },
      identifier: [{ system: 'https://bench.example/ids', value: `${runId}-${i}` }],
      valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(p.omh)).toString('base64') },
    },
  }));
}

export const chunks = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
