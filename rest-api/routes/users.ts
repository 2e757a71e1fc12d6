import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { RestError } from '../errors.js';
import { runGraphQL } from '../execute.js';
import type { Route } from '../route.js';
import {
  ORGANIZATION_FIELDS,
  type OrganizationNode,
  organizationSchema,
  PATIENT_FIELDS,
  type PatientNode,
  patientSchema,
  toOrganization,
  toPatient,
} from '../shapes.js';

const ME = `{ me { id email firstName lastName isSuperuser kind practitioner { id } } }`;
const OWN_PATIENT = `{ me { patient { ${PATIENT_FIELDS} } } }`;
const ORGANIZATIONS = `{ organizations { ${ORGANIZATION_FIELDS} } }`;

interface Me {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  isSuperuser: boolean;
  kind: 'PATIENT' | 'PRACTITIONER';
  practitioner: { id: string } | null;
}

/**
 * The practitioner's organizations for the profile, when the token may search them; the profile itself answers
 * any token (a notebook token for heart rate alone still learns who it is), so a refusal leaves them out.
 */
async function organizationsIfGranted(schema: GraphQLSchema, context: GraphQLContext) {
  try {
    const { organizations } = await runGraphQL<{ organizations: OrganizationNode[] }>(schema, context, ORGANIZATIONS);
    return { organizations: organizations.map((o) => toOrganization(o)) };
  } catch (error) {
    if (error instanceof RestError && error.status === 403) return {};
    throw error;
  }
}

export const userRoutes: Route[] = [
  {
    method: 'get',
    path: '/users/profile',
    tag: 'users',
    summary:
      'the signed-in user, with their patient record (read under the token’s Patient scope) or their practitioner profile (no scope needed, as for GraphQL’s `me`) and its organizations (when the token may search organizations; also GET /users/organizations)',
    response: {
      type: 'object',
      required: ['id', 'email', 'firstName', 'lastName', 'userType', 'isSuperuser', 'patient', 'practitioner'],
      properties: {
        id: { type: 'integer' },
        email: { type: 'string' },
        firstName: { type: 'string' },
        lastName: { type: 'string' },
        userType: { type: 'string', enum: ['patient', 'practitioner'] },
        isSuperuser: { type: 'boolean' },
        patient: { oneOf: [patientSchema, { type: 'null' }] },
        practitioner: {
          oneOf: [
            {
              type: 'object',
              required: ['id', 'jheUserId'],
              properties: {
                id: { type: 'integer' },
                jheUserId: { type: 'integer' },
                organizations: {
                  type: 'array',
                  items: organizationSchema,
                  description: 'present when the token may search organizations',
                },
              },
            },
            { type: 'null' },
          ],
        },
      },
    },
    handle: async ({ schema, context }) => {
      const { me } = await runGraphQL<{ me: Me }>(schema, context, ME);
      const user = {
        id: Number(me.id),
        email: me.email,
        firstName: me.firstName,
        lastName: me.lastName,
        userType: me.kind.toLowerCase(),
        isSuperuser: me.isSuperuser,
      };
      if (me.kind === 'PATIENT') {
        const own = await runGraphQL<{ me: { patient: PatientNode | null } }>(schema, context, OWN_PATIENT);
        return { ...user, patient: own.me.patient ? toPatient(own.me.patient) : null, practitioner: null };
      }
      const practitioner = me.practitioner && {
        id: Number(me.practitioner.id),
        jheUserId: Number(me.id),
        ...(await organizationsIfGranted(schema, context)),
      };
      return { ...user, patient: null, practitioner };
    },
  },
  {
    method: 'get',
    path: '/users/organizations',
    tag: 'users',
    summary: 'the organizations the signed-in practitioner belongs to (super users: the top-level ones)',
    response: { type: 'array', items: organizationSchema },
    handle: async ({ schema, context }) => {
      const { organizations } = await runGraphQL<{ organizations: OrganizationNode[] }>(schema, context, ORGANIZATIONS);
      return organizations.map((o) => toOrganization(o));
    },
  },
];
