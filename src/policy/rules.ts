import type { Role } from '../db/entities/index.js';
import type { Viewer } from './viewer.js';

/**
 * The role table of ARCHITECTURE.md section 3 as pure predicates over facts the caller has loaded.
 * Roles are per organization and never inherited from a parent organization.
 */

const RANK: Record<Role, number> = { viewer: 1, member: 2, manager: 3 };

export function hasRole(viewer: Viewer, organizationId: number, atLeast: Role): boolean {
  const role = viewer.roles.get(organizationId);
  return role !== undefined && RANK[role] >= RANK[atLeast];
}

function anyOrgRole(viewer: Viewer, organizationIds: readonly number[], atLeast: Role): boolean {
  return organizationIds.some((id) => hasRole(viewer, id, atLeast));
}

export const isAuthenticated = (viewer: Viewer): boolean => viewer.userId !== null;

/** A login's own profiles (practitioner, patient record) are reachable through it by that login alone. */
export const isOwnLogin = (viewer: Viewer, userId: number): boolean =>
  viewer.userId !== null && viewer.userId === userId;

export const canCreateTopLevelOrganization = (viewer: Viewer): boolean => viewer.isSuperuser;

/** Edit the organization, add/remove/change its practitioners, create its sub-organizations. */
export const canEditOrganization = (viewer: Viewer, organizationId: number): boolean =>
  viewer.isSuperuser || hasRole(viewer, organizationId, 'manager');

/** Deleting removes the whole subtree, so it takes a manager of the parent (or a super user). */
export const canDeleteOrganization = (viewer: Viewer, org: { partOfId: number | null }): boolean =>
  viewer.isSuperuser || (org.partOfId !== null && hasRole(viewer, org.partOfId, 'manager'));

/** Create/edit/delete the organization's patients and studies, enroll patients, invite them. */
export const canEditOrganizationContent = (viewer: Viewer, organizationId: number): boolean =>
  viewer.isSuperuser || hasRole(viewer, organizationId, 'member');

export const canViewOrganization = (viewer: Viewer, organizationId: number): boolean =>
  viewer.isSuperuser || hasRole(viewer, organizationId, 'viewer');

/** Data sources and codeable concepts are a global catalog kept by super users. */
export const canEditCatalog = (viewer: Viewer): boolean => viewer.isSuperuser;

/** Third-party OAuth clients (dashboards) are registered by super users. */
export const canRegisterClients = (viewer: Viewer): boolean => viewer.isSuperuser;

/** Anyone signed in may read the catalog (a patient app needs to know the codes it uploads). */
export const canViewCatalog = (viewer: Viewer): boolean => isAuthenticated(viewer);

export interface PatientFacts {
  id: number;
  organizationIds: readonly number[];
}

export const isSelf = (viewer: Viewer, patientId: number): boolean =>
  viewer.patientId !== null && viewer.patientId === patientId;

export const canViewPatient = (viewer: Viewer, patient: PatientFacts): boolean =>
  viewer.isSuperuser || isSelf(viewer, patient.id) || anyOrgRole(viewer, patient.organizationIds, 'viewer');

/** A patient edits their own record; practitioners edit through any organization they are a member of. */
export const canEditPatient = (viewer: Viewer, patient: PatientFacts): boolean =>
  viewer.isSuperuser || isSelf(viewer, patient.id) || anyOrgRole(viewer, patient.organizationIds, 'member');

/** Deleting the record (not just unlinking it from one organization) takes rights in all its organizations. */
export const canDeletePatient = (viewer: Viewer, patient: PatientFacts): boolean =>
  viewer.isSuperuser ||
  (patient.organizationIds.length > 0 && patient.organizationIds.every((id) => hasRole(viewer, id, 'member')));

export interface StudyFacts {
  organizationId: number;
  /** whether the viewer's own patient record is enrolled in the study */
  viewerIsEnrolled: boolean;
}

export const canViewStudy = (viewer: Viewer, study: StudyFacts): boolean =>
  canViewOrganization(viewer, study.organizationId) || study.viewerIsEnrolled;

export const canEditStudy = (viewer: Viewer, study: { organizationId: number }): boolean =>
  canEditOrganizationContent(viewer, study.organizationId);

/** Consent is the patient's own act: nobody else answers for them. */
export const canAnswerConsents = (viewer: Viewer, patientId: number): boolean => isSelf(viewer, patientId);

/**
 * Upload for a patient: the patient themself, or a practitioner who may edit the patient; either way only
 * codes the patient consented to share with at least one study (`consentedCodeIds`, from the database).
 */
export function canUploadObservation(
  viewer: Viewer,
  patient: PatientFacts,
  codeId: number,
  consentedCodeIds: ReadonlySet<number>,
): boolean {
  const mayWriteFor =
    isSelf(viewer, patient.id) || viewer.isSuperuser || anyOrgRole(viewer, patient.organizationIds, 'member');
  return mayWriteFor && consentedCodeIds.has(codeId);
}

/** A token of a study's app (Client) uploads only from the app's data sources; other tokens are not limited. */
export const mayUploadFromDataSource = (viewer: Viewer, dataSourceId: number): boolean =>
  !viewer.tokenClient?.app || viewer.tokenClient.app.dataSourceIds.has(dataSourceId);

/** Super users manage the clients (apps); every practitioner may see them, to pick one for a study. */
export const canViewClients = (viewer: Viewer): boolean => viewer.isSuperuser || viewer.practitionerId !== null;

/**
 * JupyterHealth's global lookup finds a patient of any organization by their exact email, so that a practitioner
 * the patient gave it to can add them to their own organization. Whoever may add patients to an organization (a
 * member or manager of one) may look up; nobody else (viewers, patients) may.
 */
export const canLookUpPatientsByEmail = (viewer: Viewer): boolean =>
  viewer.isSuperuser || [...viewer.roles.values()].some((role) => RANK[role] >= RANK.member);

/**
 * What a lookup by exact email shows of the patient it finds: the record to whoever may see it (`record`); to any
 * other member or manager only what adding them needs and the email already told them: the id and the names
 * (`match`, never birth date, phone, identifiers, organizations or login); to anyone else nothing (null).
 */
export function patientLookupView(viewer: Viewer, patient: PatientFacts): 'record' | 'match' | null {
  if (canViewPatient(viewer, patient)) return 'record';
  return canLookUpPatientsByEmail(viewer) ? 'match' : null;
}

/**
 * Adding an existing patient to an organization takes member rights there, and either the right to edit the
 * patient (through one of their organizations) or, JupyterHealth's global add, naming the patient by their exact
 * email as well as their id (`namedByEmail`): the email is what the patient handed over, while ids can be counted
 * through, and adding a record to one's organization shows it whole and lets one invite the patient.
 */
export const canAddPatientToOrganization = (
  viewer: Viewer,
  patient: PatientFacts,
  organizationId: number,
  namedByEmail: boolean,
): boolean => canEditOrganizationContent(viewer, organizationId) && (canEditPatient(viewer, patient) || namedByEmail);

/** Inviting a patient (minting their app's sign-in code) is editing them through one of their organizations. */
export const canInvitePatient = (viewer: Viewer, patient: PatientFacts): boolean =>
  viewer.isSuperuser || anyOrgRole(viewer, patient.organizationIds, 'member');

/** A practitioner is visible to themself, to super users, and to anyone holding a role in one of their organizations. */
export const canViewPractitioner = (viewer: Viewer, practitioner: { id: number; organizationIds: readonly number[] }) =>
  viewer.isSuperuser ||
  viewer.practitionerId === practitioner.id ||
  anyOrgRole(viewer, practitioner.organizationIds, 'viewer');

/** A practitioner's role in an organization is shown to whoever may see the organization (its people list). */
export const canViewPractitionerRole = (viewer: Viewer, role: { organizationId: number }): boolean =>
  canViewOrganization(viewer, role.organizationId);

/**
 * The practitioner accounts themselves (list all, create, edit, disable, delete, make super user): super users. A
 * manager only adds existing practitioners to their organization and changes their roles there.
 */
export const canManagePractitionerAccounts = (viewer: Viewer): boolean => viewer.isSuperuser;

/** The audit trail as a whole (everyone's accesses): super users. */
export const canReadAuditTrail = (viewer: Viewer): boolean => viewer.isSuperuser;

/**
 * Who read or changed a patient's data (their access log): the patient themself, the managers of one of the
 * patient's organizations (who answer for that organization's people), and super users; members and viewers,
 * whose own reads are in it, do not.
 */
export const canViewPatientAccessLog = (viewer: Viewer, patient: PatientFacts): boolean =>
  viewer.isSuperuser || isSelf(viewer, patient.id) || anyOrgRole(viewer, patient.organizationIds, 'manager');
