import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { CodeableConceptResolver, DataSourceResolver } from './resolvers/catalog.js';
import { ClientResolver } from './resolvers/client.js';
import { PatientConsentsResolver, StudyConsentsResolver } from './resolvers/consent.js';
import { ObservationResolver, PatientObservationsResolver } from './resolvers/observation.js';
import { ObservationUploadResolver } from './resolvers/observation-upload.js';
import { OrganizationResolver } from './resolvers/organization.js';
import { PatientResolver } from './resolvers/patient.js';
import { StudyResolver } from './resolvers/study.js';
import { PractitionerResolver, UserResolver } from './resolvers/user.js';
import { permissions } from './rules/index.js';

const resolvers = [
  ClientResolver,
  CodeableConceptResolver,
  DataSourceResolver,
  ObservationResolver,
  ObservationUploadResolver,
  OrganizationResolver,
  PatientResolver,
  PatientConsentsResolver,
  PatientObservationsResolver,
  PractitionerResolver,
  StudyResolver,
  StudyConsentsResolver,
  UserResolver,
] as const;

/** The schema as the resolvers declare it, without permissions (for printing the SDL). */
export function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false });
}

/** The executable schema: resolvers behind the graphql-shield permissions. */
export async function buildExecutableSchema(): Promise<GraphQLSchema> {
  return applyMiddleware(await buildBareSchema(), permissions);
}

/** The committed SDL, `graphql/schema.graphql`, is this text. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildBareSchema()))}\n`;
}
