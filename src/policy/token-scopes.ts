/**
 * SMART App Launch v2 scopes, as access tokens carry them: `<context>/<resource>.<interactions>[?code=…]`, with
 * context `patient` (the token's patient alone) or `user` (whatever the user may), a FHIR resource type or `*`,
 * interactions out of `c r u d s` (create, read, update, delete, search; SMART v1's `read`, `write` and `*` are
 * read as `rs`, `cud` and `cruds`) and, for Observation, a constraint to some codes. Anything else is not a
 * scope the gateway grants: unknown parameters are never dropped silently, which would widen the scope.
 */

export const RESOURCE_TYPES = [
  'Patient',
  'Observation',
  'Organization',
  'Group',
  'Device',
  'Consent',
  'Practitioner',
  'PractitionerRole',
  'AuditEvent',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
export const INTERACTIONS: readonly Interaction[] = ['c', 'r', 'u', 'd', 's'];

export interface Coding {
  system: string;
  code: string;
}

export interface ScopeRule {
  /** the scope as granted */
  text: string;
  context: 'patient' | 'user';
  resource: ResourceType | '*';
  interactions: ReadonlySet<Interaction>;
  /** `?code=` (Observation only): the codings it is limited to; null when it is not limited */
  codings: readonly Coding[] | null;
}

/** The scope that asks for the patient context in the token response. */
export const LAUNCH_PATIENT = 'launch/patient';

const SCOPE = /^(patient|user)\/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|\*|c?r?u?d?s?)(?:\?(.+))?$/;
const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const MAX_CODINGS = 50;

function parseCodings(query: string): Coding[] | null {
  const params = new URLSearchParams(query);
  if ([...params.keys()].some((key) => key !== 'code') || params.getAll('code').length !== 1) return null;
  const values = params.get('code')!.split(',');
  if (values.length > MAX_CODINGS) return null;
  const codings: Coding[] = [];
  for (const value of values) {
    const bar = value.indexOf('|');
    const system = value.slice(0, bar);
    const code = value.slice(bar + 1);
    if (bar <= 0 || code === '' || code.includes('|')) return null;
    codings.push({ system, code });
  }
  return codings;
}

/** One SMART v2 (or v1) resource scope, or null when it is not one the gateway grants. */
export function parseScope(text: string): ScopeRule | null {
  const match = SCOPE.exec(text);
  if (!match) return null;
  const [, context, resource, permissions, query] = match;
  if (resource !== '*' && !(RESOURCE_TYPES as readonly string[]).includes(resource!)) return null;
  const letters = V1[permissions!] ?? permissions!;
  if (letters === '') return null;
  let codings: Coding[] | null = null;
  if (query !== undefined) {
    codings = resource === 'Observation' ? parseCodings(query) : null;
    if (codings === null) return null;
  }
  return {
    text,
    context: context as 'patient' | 'user',
    resource: resource as ResourceType | '*',
    interactions: new Set(letters.split('') as Interaction[]),
    codings,
  };
}

/** Whether a scope string is one the gateway's resource server grants (a resource scope or launch/patient). */
export const isResourceScope = (text: string) => text === LAUNCH_PATIENT || parseScope(text) !== null;

/** The resource scopes of a space-separated scope string; everything else in it is ignored. */
export function parseScopes(scope: string | undefined): ScopeRule[] {
  return (scope ?? '')
    .split(' ')
    .map(parseScope)
    .filter((rule): rule is ScopeRule => rule !== null);
}

/** What a rule grants on a resource type: interaction letters in order. */
export const ruleCovers = (rule: ScopeRule, resource: ResourceType | '*', interaction: Interaction) =>
  (rule.resource === '*' || rule.resource === resource) && rule.interactions.has(interaction);

/**
 * Whether `ceiling` allows everything `requested` does: the same context, its resource or `*`, no interaction
 * beyond its own, and (when it is limited to codes) only codes among its own.
 */
export function scopeCovers(ceiling: ScopeRule, requested: ScopeRule): boolean {
  if (ceiling.context !== requested.context) return false;
  if (ceiling.resource !== '*' && ceiling.resource !== requested.resource) return false;
  if ([...requested.interactions].some((letter) => !ceiling.interactions.has(letter))) return false;
  if (ceiling.codings === null) return true;
  if (requested.codings === null || requested.resource !== 'Observation') return false;
  return requested.codings.every((c) => ceiling.codings!.some((g) => g.system === c.system && g.code === c.code));
}
