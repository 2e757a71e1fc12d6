/** The one authorization policy: predicates for single decisions, SQL scopes for lists, the token's scopes. */
export * from './capabilities.js';
export * from './logins.js';
export * from './rules.js';
export * from './scope.js';
export * from './token.js';
export * from './token-scopes.js';
export * from './viewer.js';
