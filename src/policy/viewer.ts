import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role, UserKind } from '../db/entities/index.js';

/** Who is asking: loaded once per request and handed to every policy check and service. */
export interface Viewer {
  readonly userId: number | null;
  /** the kind of login (null: anonymous) */
  readonly kind: UserKind | null;
  readonly isSuperuser: boolean;
  readonly practitionerId: number | null;
  readonly patientId: number | null;
  /** organization id → the practitioner's role there (roles do not inherit down the tree) */
  readonly roles: ReadonlyMap<number, Role>;
}

export const ANONYMOUS: Viewer = Object.freeze({
  userId: null,
  kind: null,
  isSuperuser: false,
  practitionerId: null,
  patientId: null,
  roles: new Map(),
});

const VIEWER_SQL = `select u.kind, u.is_superuser,
    (select pr.id from practitioners pr where pr.user_id = u.id) as practitioner_id,
    (select pa.id from patients pa where pa.user_id = u.id) as patient_id,
    (select coalesce(json_agg(json_build_array(po.organization_id, po.role)), '[]')
       from practitioner_organizations po join practitioners pr on pr.id = po.practitioner_id
      where pr.user_id = u.id) as roles
  from users u where u.id = ?`;

interface ViewerRow {
  kind: UserKind;
  is_superuser: boolean;
  practitioner_id: number | null;
  patient_id: number | null;
  roles: [number, Role][];
}

/** Builds the viewer for a user id in one round trip (every request does this); an unknown user is anonymous. */
export async function loadViewer(em: EntityManager, userId: number): Promise<Viewer> {
  const [row] = await em.execute<ViewerRow[]>(VIEWER_SQL, [userId]);
  if (!row) return ANONYMOUS;
  return {
    userId,
    kind: row.kind,
    isSuperuser: row.is_superuser,
    practitionerId: row.practitioner_id,
    patientId: row.patient_id,
    roles: new Map(row.roles),
  };
}
