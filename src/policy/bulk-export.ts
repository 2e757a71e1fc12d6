import { InvalidError } from '../errors.js';
import { requireToken, tokenAllows } from './token.js';
import type { ResourceType } from './token-scopes.js';
import type { Viewer } from './viewer.js';

/** What a study's export (Group/[id]/$export) and a patients' export (Patient/$export) may hold, in file order. */
export const EXPORT_TYPES = {
  group: ['Group', 'Patient', 'Device', 'Observation'],
  patient: ['Patient', 'Device', 'Observation'],
} as const satisfies Record<string, readonly ResourceType[]>;
export type ExportKind = keyof typeof EXPORT_TYPES;
export type ExportType = (typeof EXPORT_TYPES)['group'][number];

/**
 * The resource types an export holds: the ones asked for (`_type`), each of which the token must allow to search,
 * or by default every type of the kind the token allows. The rows of each are what the viewer may see when the
 * job runs, as for a search.
 */
export function exportTypes(viewer: Viewer, kind: ExportKind, requested: readonly string[] | null): ExportType[] {
  const supported: readonly string[] = EXPORT_TYPES[kind];
  if (requested === null) {
    const allowed = EXPORT_TYPES[kind].filter((type) => tokenAllows(viewer, type, 's'));
    if (allowed.length === 0) requireToken(viewer, 'Patient', 's');
    return allowed;
  }
  for (const type of requested) {
    if (!supported.includes(type)) {
      throw new InvalidError(`_type: ${type} is not exported here; the types are ${supported.join(', ')}`, '_type');
    }
    requireToken(viewer, type as ResourceType, 's');
  }
  return EXPORT_TYPES[kind].filter((type) => requested.includes(type));
}

/** An export, its status and its files are its requester's alone (other users: as if it did not exist). */
export const ownsExport = (viewer: Viewer, requesterUserId: number): boolean =>
  viewer.userId !== null && viewer.userId === requesterUserId;
