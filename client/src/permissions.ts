/**
 * Which controls to show, mirroring the server's policy (src/policy/rules.ts). Only a convenience: the server
 * decides every request again.
 */
type Role = 'MANAGER' | 'MEMBER' | 'VIEWER' | null | undefined;

export interface Viewer {
  isSuperuser: boolean;
}

export const canManage = (viewer: Viewer, role: Role) => viewer.isSuperuser || role === 'MANAGER';
export const canEditContent = (viewer: Viewer, role: Role) =>
  viewer.isSuperuser || role === 'MANAGER' || role === 'MEMBER';
export const canEditCatalog = (viewer: Viewer) => viewer.isSuperuser;
