/** Builders of FHIR Observations carrying Open mHealth data points, for upload tests. */
export const OMH = 'https://w3id.org/openmhealth';

let counter = 0;

function dataPoint(name: string, version: string, when: string, body: object) {
  return {
    header: {
      uuid: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
      schema_id: { namespace: 'omh', name, version },
      source_creation_date_time: '2026-11-10T08:00:00Z',
      modality: 'sensed',
    },
    body: { ...body, effective_time_frame: { date_time: when } },
  };
}

export const heartRate = (value: number, when = '2026-11-10T08:00:00Z', unit = 'beats/min') =>
  dataPoint('heart-rate', '2.0', when, { heart_rate: { value, unit } });

export const bodyTemperature = (value: number) =>
  dataPoint('body-temperature', '4.0', '2026-11-10T08:00:00Z', { body_temperature: { value, unit: 'C' } });

export const bloodPressure = (systolic: number, diastolic: number) =>
  dataPoint('blood-pressure', '4.0', '2026-11-10T08:00:00Z', {
    systolic_blood_pressure: { value: systolic, unit: 'mmHg' },
    diastolic_blood_pressure: { value: diastolic, unit: 'mmHg' },
  });

export function observation(opts: {
  patient: number;
  device?: number;
  code?: string;
  omh: unknown;
  identifier?: string;
  status?: string;
}) {
  return {
    resourceType: 'Observation',
    status: opts.status ?? 'final',
    code: { coding: [{ system: OMH, code: opts.code ?? 'omh:heart-rate:2.0' }] },
    subject: { reference: `Patient/${opts.patient}` },
    device: { reference: `Device/${opts.device ?? 70001}` },
    ...(opts.identifier ? { identifier: [{ system: 'https://app.example/ids', value: opts.identifier }] } : {}),
    valueAttachment: {
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(opts.omh)).toString('base64'),
    },
  };
}

export const bundle = (type: 'batch' | 'transaction', resources: unknown[]) => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((resource) => ({ resource, request: { method: 'POST', url: 'Observation' } })),
});
