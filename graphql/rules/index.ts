import { GraphQLError } from 'graphql';
import { deny, type IRules, shield } from 'graphql-shield';
import { auditRules } from './audit.js';
import { bulkExportRules } from './bulk-export.js';
import { catalogRules } from './catalog.js';
import { clientRules } from './client.js';
import { consentRules } from './consent.js';
import { observationRules } from './observation.js';
import { organizationRules } from './organization.js';
import { patientRules } from './patient.js';
import { withTokenScopes } from './scopes.js';
import { studyRules } from './study.js';
import { userRules } from './user.js';

const domains = [
  auditRules,
  bulkExportRules,
  catalogRules,
  clientRules,
  consentRules,
  observationRules,
  organizationRules,
  patientRules,
  studyRules,
  userRules,
] as Record<string, Record<string, unknown> | unknown>[];

/** Merges the per-domain rule maps: each type's field rules come from exactly one domain file. */
function merge(maps: typeof domains): IRules {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [type, rules] of Object.entries(map)) {
      const existing = merged[type];
      merged[type] =
        existing && typeof existing === 'object' && typeof rules === 'object' ? { ...existing, ...rules } : rules;
    }
  }
  return merged as IRules;
}

/**
 * Every type's rule, or its fields' rules, each then checked against the token's scopes; what is not named
 * here falls back to deny.
 */
export const ruleTree = withTokenScopes(merge(domains) as Record<string, unknown>);

export const permissions = shield(ruleTree, {
  fallbackRule: deny,
  fallbackError: () => new GraphQLError('You are not allowed to do this', { extensions: { code: 'FORBIDDEN' } }),
  allowExternalErrors: true,
});
