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

/**
 * Whether an identity provider's assertion of this login's email may sign it in: a practitioner login only. A
 * patient login never (logins never mix), a super user neither: the IdP's word must not reach the rights of
 * everything; super users sign in with their password.
 */
export const mayUseSingleSignOn = (login: LoginFacts): boolean =>
  login.userId !== null &&
  login.kind === 'practitioner' &&
  !login.isSuperuser &&
  login.practitionerId !== null &&
  login.patientId === null;
