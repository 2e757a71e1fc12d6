/** The one authorization policy: predicates for single decisions, SQL scopes for lists. */
export * from './logins.js';
export * from './rules.js';
export * from './scope.js';
export * from './viewer.js';
