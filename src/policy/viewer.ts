import type { EntityManager } from '@mikro-orm/postgresql';
import { Patient, Practitioner, PractitionerOrganization, type Role, User } from '../db/entities/index.js';

/** Who is asking: loaded once per request and handed to every policy check and service. */
export interface Viewer {
  readonly userId: number | null;
  readonly isSuperuser: boolean;
  readonly practitionerId: number | null;
  readonly patientId: number | null;
  /** organization id → the practitioner's role there (roles do not inherit down the tree) */
  readonly roles: ReadonlyMap<number, Role>;
}

export const ANONYMOUS: Viewer = Object.freeze({
  userId: null,
  isSuperuser: false,
  practitionerId: null,
  patientId: null,
  roles: new Map(),
});

/** Builds the viewer for a user id; an unknown (e.g. deleted) user is anonymous. */
export async function loadViewer(em: EntityManager, userId: number): Promise<Viewer> {
  const user = await em.findOne(User, userId);
  if (!user) return ANONYMOUS;
  const [practitioner, patient] = await Promise.all([
    em.findOne(Practitioner, { user: userId }),
    em.findOne(Patient, { user: userId }),
  ]);
  const memberships = practitioner ? await em.find(PractitionerOrganization, { practitioner: practitioner.id }) : [];
  return {
    userId: user.id,
    isSuperuser: user.isSuperuser,
    practitionerId: practitioner?.id ?? null,
    patientId: patient?.id ?? null,
    roles: new Map(memberships.map((m) => [m.organization.id, m.role])),
  };
}
