import { Arg, Query, Resolver } from 'type-graphql';
import { OMH_SCHEMAS, omhSchemaNamed } from '../../omh/catalog.js';
import { NotFoundError } from '../../src/errors.js';
import { OmhSchema } from '../types/omh-schema.js';

@Resolver(() => OmhSchema)
export class OmhSchemaResolver {
  @Query(() => [OmhSchema], {
    description: 'the Open mHealth and IEEE 1752.1 schemas uploads are validated with, by name',
  })
  omhSchemas() {
    return OMH_SCHEMAS;
  }

  @Query(() => OmhSchema, { description: 'one schema by name, e.g. omh:heart-rate:2.0 (NOT_FOUND when there is none)' })
  omhSchema(@Arg('name') name: string) {
    const found = omhSchemaNamed(name);
    if (!found) throw new NotFoundError('OmhSchema', JSON.stringify(name.slice(0, 100)));
    return found;
  }
}
