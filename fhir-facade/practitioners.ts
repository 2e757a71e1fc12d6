import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { runGraphQL } from './execute.js';
import { parseId } from './search-params.js';

const READ = `query ($id: ID!) { practitioner(id: $id) { id user { firstName lastName email } } }`;

interface PractitionerNode {
  id: string;
  user: { firstName: string; lastName: string; email: string };
}

/** GET /Practitioner/:id: what a practitioner's fhirUser claim points at. */
export async function readPractitioner(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const { practitioner: p } = await runGraphQL<{ practitioner: PractitionerNode }>(schema, context, READ, {
    id: parseId('id', id),
  });
  return {
    resourceType: 'Practitioner' as const,
    id: p.id,
    active: true,
    name: [{ family: p.user.lastName, given: [p.user.firstName] }],
    telecom: [{ system: 'email', value: p.user.email }],
  };
}
