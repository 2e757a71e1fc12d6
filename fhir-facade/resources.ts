/** GraphQL selections the facade asks for, and their mapping to FHIR R5 JSON. */

export const PATIENT_FIELDS = 'id nameFamily nameGiven birthDate email phone identifiers { system value }';
export const OBSERVATION_FIELDS =
  'id status effectiveTime lastUpdated subject { id } code { codingSystem codingCode text } dataSource { id } identifiers { system value } valueAttachment { contentType data } resource';

export interface PatientNode {
  id: string;
  nameFamily: string;
  nameGiven: string;
  birthDate: string | null;
  email: string;
  phone: string | null;
  identifiers: { system: string; value: string }[];
}

export interface ObservationNode {
  id: string;
  status: string;
  effectiveTime: string;
  lastUpdated: string;
  subject: { id: string };
  code: { codingSystem: string; codingCode: string; text: string };
  dataSource: { id: string };
  identifiers: { system: string; value: string }[];
  valueAttachment: { contentType: string; data: string } | null;
  /** an observation other than Open mHealth, as stored */
  resource: Record<string, unknown> | null;
}

export function toFhirPatient(p: PatientNode) {
  return {
    resourceType: 'Patient' as const,
    id: p.id,
    ...(p.identifiers.length ? { identifier: p.identifiers } : {}),
    name: [{ family: p.nameFamily, given: [p.nameGiven] }],
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    telecom: [{ system: 'email', value: p.email }, ...(p.phone ? [{ system: 'phone', value: p.phone }] : [])],
  };
}

/** GraphQL enum names back to FHIR status codes (ENTERED_IN_ERROR → entered-in-error). */
const fhirStatus = (status: string) => status.toLowerCase().replaceAll('_', '-');

/**
 * An Observation other than Open mHealth: the stored resource with the gateway's id, meta.lastUpdated, status and
 * references (the rest as uploaded: its value[x], components, categories, display texts).
 */
function toFhirResourceObservation(o: ObservationNode, resource: Record<string, unknown>) {
  const {
    resourceType: _type,
    id: _id,
    meta,
    subject,
    device,
    ...rest
  } = resource as Record<string, Record<string, unknown> | undefined>;
  return {
    resourceType: 'Observation' as const,
    id: o.id,
    meta: { ...meta, lastUpdated: o.lastUpdated },
    ...rest,
    status: fhirStatus(o.status),
    subject: { ...subject, reference: `Patient/${o.subject.id}` },
    device: { ...device, reference: `Device/${o.dataSource.id}` },
  };
}

export function toFhirObservation(o: ObservationNode) {
  if (o.resource) return toFhirResourceObservation(o, o.resource);
  return {
    resourceType: 'Observation' as const,
    id: o.id,
    meta: { lastUpdated: o.lastUpdated },
    ...(o.identifiers.length ? { identifier: o.identifiers } : {}),
    status: fhirStatus(o.status),
    code: { coding: [{ system: o.code.codingSystem, code: o.code.codingCode, display: o.code.text }] },
    subject: { reference: `Patient/${o.subject.id}` },
    device: { reference: `Device/${o.dataSource.id}` },
    effectiveDateTime: o.effectiveTime,
    valueAttachment: o.valueAttachment!,
  };
}
