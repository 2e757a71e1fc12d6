import 'reflect-metadata';
import { type GraphQLSchema, isObjectType, lexicographicSortSchema, printSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow } from 'graphql-shield';
import { buildSchema } from 'type-graphql';
import { DateTimeISO } from './date-time.js';
import { AuditEventResolver, PatientAccessLogResolver } from './resolvers/audit-event.js';
import { auditSchema } from './audit/wrap.js';
import { callResolversDirectly } from './direct-resolvers.js';
import { BulkExportResolver } from './resolvers/bulk-export.js';
import { CodeableConceptResolver, DataSourceResolver } from './resolvers/catalog.js';
import { ClientRegistrationResolver, ClientResolver } from './resolvers/client.js';
import { PatientConsentsResolver, StudyConsentsResolver } from './resolvers/consent.js';
import { EnrollmentConsentResolver } from './resolvers/enrollment-consent.js';
import {
  ObservationConnectionResolver,
  ObservationResolver,
  PatientObservationsResolver,
} from './resolvers/observation.js';
import { ObservationSummaryResolver } from './resolvers/observation-summary.js';
import { ObservationUploadResolver } from './resolvers/observation-upload.js';
import { OmhSchemaResolver } from './resolvers/omh-schema.js';
import { OrganizationResolver } from './resolvers/organization.js';
import { PatientInvitationResolver } from './resolvers/invitation.js';
import { PatientResolver } from './resolvers/patient.js';
import { PractitionerAccountResolver } from './resolvers/practitioner-account.js';
import { PractitionerRoleResolver } from './resolvers/practitioner-role.js';
import { StudyResolver } from './resolvers/study.js';
import { StudyConsentCountsResolver, StudyScopeCountResolver } from './resolvers/study-consent-counts.js';
import { PractitionerResolver, UserResolver } from './resolvers/user.js';
import { permissions, ruleTree } from './rules/index.js';

const resolvers = [
  AuditEventResolver,
  BulkExportResolver,
  ClientRegistrationResolver,
  ClientResolver,
  CodeableConceptResolver,
  DataSourceResolver,
  EnrollmentConsentResolver,
  ObservationConnectionResolver,
  ObservationResolver,
  ObservationSummaryResolver,
  ObservationUploadResolver,
  OmhSchemaResolver,
  OrganizationResolver,
  PatientResolver,
  PatientAccessLogResolver,
  PatientConsentsResolver,
  PatientInvitationResolver,
  PatientObservationsResolver,
  PractitionerAccountResolver,
  PractitionerResolver,
  PractitionerRoleResolver,
  StudyResolver,
  StudyConsentsResolver,
  StudyConsentCountsResolver,
  StudyScopeCountResolver,
  UserResolver,
] as const;

/**
 * The schema as the resolvers declare it, without permissions (for printing the SDL). Every object type is
 * declared with `simpleResolvers: true`: its plain fields are read as properties, without type-graphql's
 * per-field wrapper, which exists for type-graphql middlewares and auth; here graphql-shield authorizes. For
 * the same reason, simple field resolvers are called without it (callResolversDirectly).
 */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    validate: false,
    emitSchemaFile: false,
    scalarsMap: [{ type: Date, scalar: DateTimeISO }],
  });
  callResolversDirectly(schema, resolvers);
  return schema;
}

/**
 * The executable schema: resolvers behind the graphql-shield permissions. Fields whose rule is `allow` get
 * their own resolvers back: shield's wrapper would only say yes, but it makes every field asynchronous, and a
 * page of 1000 observations has some 20,000 fields. The audit trail wraps the fields that read or write patient
 * data outside the shield (`audit: false`, the bench's comparison only, leaves it out).
 */
export async function buildExecutableSchema(options: { audit?: boolean } = {}): Promise<GraphQLSchema> {
  const bare = await buildBareSchema();
  const schema = applyMiddleware(bare, permissions);
  for (const [typeName, fieldName] of alwaysAllowed(bare)) {
    const shielded = schema.getType(typeName);
    const original = bare.getType(typeName);
    if (isObjectType(shielded) && isObjectType(original)) {
      shielded.getFields()[fieldName]!.resolve = original.getFields()[fieldName]!.resolve;
    }
  }
  return options.audit === false ? schema : auditSchema(schema);
}

function* alwaysAllowed(schema: GraphQLSchema): Generator<[string, string]> {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const rule = (ruleTree as Record<string, unknown>)[type.name];
    const fieldRules = isFieldMap(rule) ? rule : undefined;
    for (const fieldName of Object.keys(type.getFields())) {
      if ((fieldRules ? (fieldRules[fieldName] ?? fieldRules['*']) : rule) === allow) yield [type.name, fieldName];
    }
  }
}

/** The committed SDL, `graphql/schema.graphql`, is this text. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildBareSchema()))}\n`;
}

/** A type's entry in the rule tree is either one rule for all its fields or a plain map of field rules. */
const isFieldMap = (rule: unknown): rule is Record<string, unknown> =>
  typeof rule === 'object' && rule !== null && Object.getPrototypeOf(rule) === Object.prototype;
