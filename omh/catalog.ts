import { schemas } from './schemas/index.js';

/** The project's schemas by name, `<namespace>:<name>:<version>` as Open mHealth codes write them. */
export interface OmhSchemaEntry {
  /** e.g. `omh:heart-rate:2.0`, `ieee:unit-value:1.0` */
  name: string;
  namespace: 'omh' | 'ieee';
  version: string;
  schema: object;
}

const ID =
  /^https:\/\/w3id\.org\/(?:openmhealth\/schemas\/(omh)|(ieee)\/ieee-1752-schema)\/([a-z0-9-]+)-(\d+\.\d+)\.json$/;

function entryOf(schema: object): OmhSchemaEntry {
  const id = String((schema as { $id?: unknown }).$id);
  const match = ID.exec(id);
  if (!match) throw new Error(`omh/schemas: unexpected $id ${id}`);
  const namespace = (match[1] ?? match[2]) as 'omh' | 'ieee';
  return { name: `${namespace}:${match[3]}:${match[4]}`, namespace, version: match[4]!, schema };
}

/** Every schema of omh/schemas, by name. */
export const OMH_SCHEMAS: readonly OmhSchemaEntry[] = schemas.map(entryOf).sort((a, b) => a.name.localeCompare(b.name));

const byName = new Map(OMH_SCHEMAS.map((entry) => [entry.name, entry]));

export const omhSchemaNamed = (name: string): OmhSchemaEntry | undefined => byName.get(name);
