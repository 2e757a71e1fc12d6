import type { Viewer } from './viewer.js';

/**
 * Logins and patient records never mix: a patient record is bound only to a patient login, and the clients
 * that serve patients (the patient app redeeming invitations) issue tokens only to patient logins. Otherwise a
 * member who creates a "patient" with a colleague's email and invites it would sign in as that colleague.
 */
export type LoginFacts = Pick<Viewer, 'userId' | 'kind' | 'isSuperuser' | 'practitionerId' | 'patientId'>;

const isPlainPatientLogin = (login: LoginFacts) =>
  login.userId !== null && login.kind === 'patient' && !login.isSuperuser && login.practitionerId === null;

/** Whether this login may be bound to patient record `patientId`: a patient login bound to no other record. */
export const canBindToPatientRecord = (login: LoginFacts, patientId: number | null): boolean =>
  isPlainPatientLogin(login) && (login.patientId === null || login.patientId === patientId);

/** Whether a patient-serving client may issue tokens to this login: a patient login with its record. */
export const mayUsePatientClient = (login: LoginFacts): boolean =>
  isPlainPatientLogin(login) && login.patientId !== null;
