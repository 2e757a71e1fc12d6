/** GraphQL selections the facade asks for, and their mapping to FHIR R5 JSON. */

export const PATIENT_FIELDS = 'id nameFamily nameGiven birthDate email phone identifiers { system value }';
export const OBSERVATION_FIELDS =
  'id status effectiveTime lastUpdated subject { id } code { codingSystem codingCode text } dataSource { id } identifiers { system value } valueAttachment { contentType data }';

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
  valueAttachment: { contentType: string; data: string };
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

export function toFhirObservation(o: ObservationNode) {
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
    valueAttachment: o.valueAttachment,
  };
}
