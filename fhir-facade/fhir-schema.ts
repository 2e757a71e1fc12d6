/** The R5 Observation schema check lives with the upload service, which checks GraphQL uploads the same way. */
export { fhirStructureIssue, type StructureIssue } from '../src/services/fhir-observation-schema.js';
