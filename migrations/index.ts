import { Migration20261122191113 } from './Migration20261122191113_initial.js';
import { Migration20261122200000 } from './Migration20261122200000_oidc.js';
import { Migration20261202130000 } from './Migration20261202130000_observation_order.js';
import { Migration20261202191036 } from './Migration20261202191036_observation_identifiers.js';
import { Migration20261206211134 } from './Migration20261206211134_invitations.js';
import { Migration20261207012848 } from './Migration20261207012848_clients.js';
import { Migration20261208070000 } from './Migration20261208070000_audit_events.js';
import { Migration20261208070100 } from './Migration20261208070100_throttle_failures.js';
import { Migration20261208070200 } from './Migration20261208070200_bulk_exports.js';
import { Migration20261208074100 } from './Migration20261208074100_observation_resources.js';
import { Migration20261208074200 } from './Migration20261208074200_email_tokens.js';
import { Migration20261208074500 } from './Migration20261208074500_user_disabled.js';
import { Migration20261208075000 } from './Migration20261208075000_saml_messages.js';

/** Every migration in order; listed explicitly so the compiled server and vitest find the same ones. */
export const migrationsList = [
  { name: 'Migration20261122191113_initial', class: Migration20261122191113 },
  { name: 'Migration20261122200000_oidc', class: Migration20261122200000 },
  { name: 'Migration20261202130000_observation_order', class: Migration20261202130000 },
  { name: 'Migration20261202191036_observation_identifiers', class: Migration20261202191036 },
  { name: 'Migration20261206211134_invitations', class: Migration20261206211134 },
  { name: 'Migration20261207012848_clients', class: Migration20261207012848 },
  { name: 'Migration20261208070000_audit_events', class: Migration20261208070000 },
  { name: 'Migration20261208070100_throttle_failures', class: Migration20261208070100 },
  { name: 'Migration20261208070200_bulk_exports', class: Migration20261208070200 },
  { name: 'Migration20261208074100_observation_resources', class: Migration20261208074100 },
  { name: 'Migration20261208074200_email_tokens', class: Migration20261208074200 },
  { name: 'Migration20261208074500_user_disabled', class: Migration20261208074500 },
  { name: 'Migration20261208075000_saml_messages', class: Migration20261208075000 },
];
