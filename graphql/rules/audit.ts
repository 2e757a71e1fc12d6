import { allow, rule } from 'graphql-shield';
import { canReadAuditTrail } from '../../src/policy/rules.js';
import type { GraphQLContext } from '../context.js';

const readsAuditTrail = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) =>
  canReadAuditTrail(ctx.viewer),
);

/** The whole trail is the super users'; a patient's access log (Patient.accessLog) is checked by its service. */
export const auditRules = {
  Query: { auditEvents: readsAuditTrail },
  AuditEvent: allow,
  AuditEventConnection: allow,
  AuditEventEdge: allow,
};
