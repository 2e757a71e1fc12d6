import { GraphQLJSONObject } from 'graphql-scalars';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import type { Patient as PatientEntity } from '../../src/db/entities/index.js';
import { InvalidError } from '../../src/errors.js';
import { findCodeableConceptByCoding } from '../../src/services/codeable-concepts.js';
import * as search from '../../src/services/observation-search.js';
import type { ObservationDirection } from '../../src/services/observation-order.js';
import type { ObservationRow } from '../../src/services/observation-search.js';
import { nestedConnection, toConnection } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { pageCost } from '../cost.js';
import { toId, toIds } from '../ids.js';
import type { Loaders } from '../loaders/index.js';
import { selectedFields, selectsOnlyId } from '../selection.js';
import { CodeableConcept, DataSource } from '../types/catalog.js';
import { ObservationOrder } from '../types/observation-order.js';
import { Attachment, Observation, ObservationConnection, ObservationFilter } from '../types/observation.js';
import { type ConnectionValue, PageArgs } from '../types/paging.js';
import { Identifier, Patient } from '../types/patient.js';

export function toFilter(filter: ObservationFilter): search.ObservationFilter {
  if (filter.ids && filter.ids.length > 1000) {
    throw new InvalidError('filter.ids: must name at most 1000 observations', 'filter.ids');
  }
  return {
    studyId: filter.studyId ? toId(filter.studyId, 'filter.studyId') : null,
    patientId: filter.patientId ? toId(filter.patientId, 'filter.patientId') : null,
    patientIdentifier: filter.patientIdentifier ?? null,
    organizationId: filter.organizationId ? toId(filter.organizationId, 'filter.organizationId') : null,
    ids: filter.ids ? toIds(filter.ids, 'filter.ids') : null,
    dataSourceId: filter.dataSourceId ? toId(filter.dataSourceId, 'filter.dataSourceId') : null,
    coding: filter.code ?? null,
    statuses: filter.status?.length ? filter.status : null,
    category: filter.category ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
    before: filter.before ?? null,
    lastUpdatedFrom: filter.lastUpdatedFrom ?? null,
    lastUpdatedBefore: filter.lastUpdatedBefore ?? null,
  };
}

@Resolver(() => Observation)
export class ObservationResolver {
  @Query(() => Observation)
  observation(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return search.getObservation(ctx.services, toId(id));
  }

  @Query(() => ObservationConnection, {
    complexity: pageCost,
    description:
      'observations the viewer may see (consent-gated), narrowed by the filter, ordered by patient, code, effective time and id (or `order`)',
  })
  async observations(
    @Arg('filter', () => ObservationFilter) filter: ObservationFilter,
    @Args() page: PageArgs,
    @Arg('order', () => ObservationOrder, { defaultValue: 'asc' }) order: ObservationDirection,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const criteria = toFilter(filter);
    if (criteria.coding && selectedFields(info, 'nodes').has('code')) primeConcept(ctx, criteria.coding);
    return toConnection(await search.listObservations(ctx.services, criteria, page, order), () =>
      search.countObservations(ctx.services, criteria),
    );
  }

  // the relations resolve from loaders that a page has usually filled already (ObservationConnection.nodes)

  @FieldResolver(() => Patient)
  subject(@Root() observation: ObservationRow, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    const id = observation.subjectPatientId;
    // the reference is all that was asked for (FHIR's subject, say): no need to read the patient
    if (selectsOnlyId(selectedFields(info))) return { id };
    // a patient the viewer may not see is still the subject: its id alone
    const patient = ctx.loaders.patient.now(id);
    return patient instanceof Promise ? patient.then((found) => found ?? { id }) : (patient ?? { id });
  }

  @FieldResolver(() => CodeableConcept)
  code(@Root() observation: ObservationRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.codeableConcept.now(observation.codeableConceptId);
  }

  @FieldResolver(() => DataSource)
  dataSource(@Root() observation: ObservationRow, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    const id = observation.dataSourceId;
    // the reference is all that was asked for (FHIR's device): no need to read the data source
    if (selectsOnlyId(selectedFields(info))) return { id };
    return ctx.loaders.dataSource.now(id);
  }

  @FieldResolver(() => [Identifier])
  identifiers(@Root() observation: ObservationRow): { system: string; value: string }[] {
    return JSON.parse(observation.identifiersJson);
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description: 'the Open mHealth data point (header and body); null for an observation other than Open mHealth',
  })
  omh(@Root() observation: ObservationRow): Record<string, unknown> | null {
    return observation.omhJson === null ? null : JSON.parse(observation.omhJson);
  }

  @FieldResolver(() => Attachment, {
    nullable: true,
    description: 'the Open mHealth data point as FHIR carries it (base64 JSON); null for other observations',
  })
  valueAttachment(@Root() observation: ObservationRow): Attachment | null {
    if (observation.omhJson === null) return null;
    return { contentType: 'application/json', data: Buffer.from(observation.omhJson).toString('base64') };
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'an observation other than Open mHealth: the R5 Observation as uploaded, less its id and the meta the gateway writes (null for Open mHealth ones)',
  })
  resource(@Root() observation: ObservationRow): Record<string, unknown> | null {
    return observation.resourceJson === null ? null : JSON.parse(observation.resourceJson);
  }
}

@Resolver(() => Patient)
export class PatientObservationsResolver {
  @FieldResolver(() => ObservationConnection, {
    complexity: pageCost,
    description: 'the patient’s observations the viewer may see, ordered by code, effective time and id',
  })
  observations(@Root() patient: PatientEntity, @Args() page: PageArgs, @Ctx() ctx: GraphQLContext) {
    return nestedConnection(page, {
      firstPage: (first) => ctx.loaders.patientObservations(patient.id, first),
      page: () => search.listObservations(ctx.services, { patientId: patient.id }, page),
      count: () => ctx.loaders.patientObservationCount.load(patient.id),
    });
  }
}

@Resolver(() => ObservationConnection)
export class ObservationConnectionResolver {
  @FieldResolver(() => [Observation])
  async nodes(
    @Root() connection: ConnectionValue<ObservationRow>,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ObservationRow[]> {
    const nodes = await connection.nodes;
    await loadRelations(ctx.loaders, nodes, info);
    return nodes;
  }
}

/**
 * A page of one code holds that concept alone: it is read while the page is rather than after it, one round
 * trip less. Only a head start: should it not have arrived (or failed), the page's nodes load it as usual.
 */
function primeConcept(ctx: GraphQLContext, coding: { system: string; code: string }) {
  findCodeableConceptByCoding(ctx.services.em, coding.system, coding.code).then(
    (concept) => concept && ctx.loaders.codeableConcept.prime(concept.id, concept),
    () => {},
  );
}

/**
 * Loads the relations a page selects for all its nodes at once, one batch per relation; not those of which only
 * the id is asked for, which the row holds.
 */
function loadRelations(loaders: Loaders, nodes: ObservationRow[], info: GraphQLResolveInfo) {
  const fields = selectedFields(info);
  const needs = (relation: string) => fields.has(relation) && !selectsOnlyId(selectedFields(info, relation));
  return Promise.all([
    needs('subject') && loaders.patient.loadAll(nodes.map((o) => o.subjectPatientId)),
    needs('code') && loaders.codeableConcept.loadAll(nodes.map((o) => o.codeableConceptId)),
    needs('dataSource') && loaders.dataSource.loadAll(nodes.map((o) => o.dataSourceId)),
  ]);
}
