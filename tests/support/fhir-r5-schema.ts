import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';

const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;

/**
 * The R5 JSON Schema's complaints about a resource of any type (null: none), to check what the facade answers
 * against the official structure. Compiled as fhir-facade/fhir-schema.ts does for Observation.
 */
export function r5SchemaErrors(resource: { resourceType: string }): ErrorObject[] | null {
  if (!ajv) {
    const schema = structuredClone(require('hl7.fhir.r5.core/openapi/fhir.schema.json')) as {
      id?: string;
      $id?: string;
      definitions: Record<string, unknown>;
    };
    delete schema.id;
    schema.$id = 'http://hl7.org/fhir/json-schema/5.0';
    schema.definitions.ResourceList = { type: 'object' };
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
    ajv.addSchema(schema);
  }
  const validate = ajv.getSchema(`http://hl7.org/fhir/json-schema/5.0#/definitions/${resource.resourceType}`);
  if (!validate) throw new Error(`the R5 schema has no ${resource.resourceType}`);
  return validate(resource) ? null : (validate.errors ?? []);
}
