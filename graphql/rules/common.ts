import { rule } from 'graphql-shield';
import {
  canEditCatalog,
  canManagePractitionerAccounts,
  canRegisterClients,
  isAuthenticated,
} from '../../src/policy/rules.js';
import type { GraphQLContext } from '../context.js';

/** Shield rules: each a one-line call into the policy module. Typed errors from services pass through. */
export const isSignedIn = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) =>
  isAuthenticated(ctx.viewer),
);

export const keepsCatalog = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) =>
  canEditCatalog(ctx.viewer),
);

export const registersClients = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) =>
  canRegisterClients(ctx.viewer),
);

export const managesPractitionerAccounts = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) =>
  canManagePractitionerAccounts(ctx.viewer),
);
