import { ForbiddenError } from '../errors.js';
import { type Interaction, type ResourceType, ruleCovers, type ScopeRule } from './token-scopes.js';
import type { Viewer } from './viewer.js';

/**
 * Token scopes narrow, never widen: a request may do what the user's roles and consents allow AND the token's
 * granted scopes cover. `patient/` scopes count only for a viewer with a patient context (a patient login, whose
 * context is their own record); `user/` scopes count for everyone.
 */

/** A granted scope, with its `?code=` codings resolved to codeable concept ids (unknown codings: none). */
export interface GrantedRule extends ScopeRule {
  readonly codeIds: ReadonlySet<number> | null;
}

/** A resource type, or `*` for what is no FHIR resource (registered clients, the code catalog): wildcard scopes only. */
export type ScopeTarget = ResourceType | '*';

const applicable = (viewer: Viewer, resource: ScopeTarget, interaction: Interaction) =>
  viewer.scopes.filter(
    (rule) => (rule.context === 'user' || viewer.patientId !== null) && ruleCovers(rule, resource, interaction),
  );

export const tokenAllows = (viewer: Viewer, resource: ScopeTarget, interaction: Interaction): boolean =>
  applicable(viewer, resource, interaction).length > 0;

/**
 * The observation codes the token allows for an interaction: null for any code, else the ids its `?code=` scopes
 * name (empty: none).
 */
export function tokenObservationCodeIds(viewer: Viewer, interaction: Interaction): ReadonlySet<number> | null {
  const rules = applicable(viewer, 'Observation', interaction);
  if (rules.some((rule) => rule.codeIds === null)) return null;
  return new Set(rules.flatMap((rule) => [...rule.codeIds!]));
}

const VERBS: Record<Interaction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** The scope a request lacks, in the context the viewer has. */
export const missingScope = (viewer: Viewer, resource: ScopeTarget, interaction: Interaction) =>
  `${viewer.patientId !== null && viewer.practitionerId === null ? 'patient' : 'user'}/${resource}.${interaction}`;

export function scopeError(viewer: Viewer, resource: ScopeTarget, interaction: Interaction): ForbiddenError {
  const granted = viewer.scopes.map((rule) => rule.text).join(' ') || 'none';
  return new ForbiddenError(
    `The access token does not allow this: to ${VERBS[interaction]} ${resource === '*' ? 'this' : resource} it needs the scope ` +
      `${missingScope(viewer, resource, interaction)} (or a wider one, e.g. ${missingScope(viewer, resource, interaction).replace(/\.\w$/, '.cruds')}); granted: ${granted.slice(0, 300)}`,
  );
}

/** Throws the FORBIDDEN naming the missing scope unless the token allows the interaction. */
export function requireToken(viewer: Viewer, resource: ScopeTarget, interaction: Interaction): void {
  if (!tokenAllows(viewer, resource, interaction)) throw scopeError(viewer, resource, interaction);
}

/** Throws FORBIDDEN unless the token's Observation scopes for `interaction` cover this code (`?code=` scopes). */
export function requireObservationCode(viewer: Viewer, interaction: Interaction, codeId: number, code: string): void {
  const ids = tokenObservationCodeIds(viewer, interaction);
  if (ids !== null && !ids.has(codeId)) {
    throw new ForbiddenError(
      `The access token does not allow this: its Observation scopes (${VERBS[interaction]}) do not cover the code ${code}`,
    );
  }
}
