import { allow, rule } from 'graphql-shield';
import { canEditOrganization } from '../../src/policy/rules.js';
import type { GraphQLContext } from '../context.js';
import { isSignedIn } from './common.js';

const idArg = (args: Record<string, unknown>) => Number(args.id);

const managesOrganization = rule({ cache: 'strict' })((_parent, args, ctx: GraphQLContext) =>
  canEditOrganization(ctx.viewer, idArg(args)),
);

const managesOrganizationArg = rule({ cache: 'strict' })((_parent, args, ctx: GraphQLContext) =>
  canEditOrganization(ctx.viewer, Number(args.organizationId)),
);

export const organizationRules = {
  Query: {
    organization: isSignedIn,
    organizations: isSignedIn,
    visibleOrganizations: isSignedIn,
    // the services scope them (practitionerRoleScope)
    practitionerRole: isSignedIn,
    practitionerRoles: isSignedIn,
  },
  Mutation: {
    // creating (top-level vs. sub-organization) and deleting (manager of the parent) are decided by the service
    createOrganization: isSignedIn,
    updateOrganization: managesOrganization,
    deleteOrganization: isSignedIn,
    addPractitionerToOrganization: managesOrganizationArg,
    changePractitionerRole: managesOrganizationArg,
    removePractitionerFromOrganization: managesOrganizationArg,
  },
  OrganizationPractitioner: allow,
  OrganizationPractitionerConnection: allow,
  OrganizationPractitionerEdge: allow,
  Organization: allow,
  OrganizationConnection: allow,
  OrganizationEdge: allow,
  // who runs a study: shown with the study, which the services have already scoped
  OrganizationSummary: allow,
};
