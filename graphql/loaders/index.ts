import DataLoader from 'dataloader';
import type { ObservationRow } from '../../src/services/observation-search.js';
import type {
  Client,
  CodeableConcept,
  DataSource,
  Organization,
  Patient,
  PatientIdentifier,
  Practitioner,
  Study,
  User,
} from '../../src/db/entities/index.js';
import type { ServiceContext } from '../../src/services/context.js';
import { childrenByParentIds, organizationsByIds, organizersOfStudies } from '../../src/services/organizations.js';
import { codeableConceptsByIds } from '../../src/services/codeable-concepts.js';
import { consentsOfPatients } from '../../src/services/consents-batch.js';
import * as nested from '../../src/services/nested-lists.js';
import { storedObservations } from '../../src/services/observation-ingest.js';
import * as observations from '../../src/services/observation-search.js';
import { cursorById, type Page } from '../../src/services/paging.js';
import { dataSourcesByIds, dataSourceSupportedScopes } from '../../src/services/data-sources.js';
import { clientDataSources, studyClients } from '../../src/services/clients.js';
import { studiesByIds, studyDataSources, studyScopeRequests } from '../../src/services/studies.js';
import { consentCountsOfStudies, type StudyConsentCounts } from '../../src/services/study-consent-counts.js';
import {
  identifiersByPatientIds,
  organizationIdsByPatientIds,
  patientsByIds,
  patientsByUserIds,
} from '../../src/services/patients.js';
import { type OrganizationPractitioner, practitionersByOrganizationIds } from '../../src/services/practitioners.js';
import { practitionersByIds, usersByIds } from '../../src/services/users.js';
import { requireToken } from '../../src/policy/token.js';
import type { Interaction, ResourceType } from '../../src/policy/token-scopes.js';
import { SettledLoader } from './settled-loader.js';

/** A loader whose batch function returns a map; missing keys load as `fallback`. */
function mapLoader<V>(batch: (ids: readonly number[]) => Promise<Map<number, V>>, fallback: V) {
  return new SettledLoader<number, V>(async (ids) => {
    const found = await batch(ids);
    return ids.map((id) => found.get(id) ?? fallback);
  });
}

/** First pages of a nested list, batched per page size: load(parentId, first). */
function pageLoader<T extends { id: number }>(
  pages: (ids: readonly number[], first: number) => Promise<Map<number, Page<T>>>,
) {
  const bySize = new Map<number, DataLoader<number, Page<T>>>();
  return (parentId: number, first: number) => {
    let loader = bySize.get(first);
    if (!loader) {
      loader = mapLoader<Page<T>>((ids) => pages(ids, first), {
        nodes: [],
        hasNextPage: false,
        endCursor: null,
        cursorOf: cursorById,
      });
      bySize.set(first, loader);
    }
    return loader.load(parentId);
  };
}

/** A loader keyed by entity (batched by id), for batch reads that need the rows themselves. */
function entityLoader<E extends { id: number }, V>(batch: (rows: readonly E[]) => Promise<Map<number, V>>) {
  return new DataLoader<E, V, number>(
    async (rows) => {
      const found = await batch(rows);
      return rows.map((row) => found.get(row.id) ?? new Error(`nothing loaded for ${row.id}`));
    },
    { cacheKeyFn: (row) => row.id },
  );
}

/**
 * One set per request: every relation a field can fan out over is batched here (no N+1). The relations of an
 * observation page's nodes check the token's scope here (`guard`), not with a shield rule on each of 1000 fields.
 */
export function createLoaders(ctx: ServiceContext) {
  const guard =
    <V>(resource: ResourceType, interaction: Interaction, batch: (ids: readonly number[]) => Promise<Map<number, V>>) =>
    (ids: readonly number[]) => {
      requireToken(ctx.viewer, resource, interaction);
      return batch(ids);
    };
  return {
    organization: mapLoader<Organization | null>((ids) => organizationsByIds(ctx, ids), null),
    organizationChildren: mapLoader<Organization[]>((ids) => childrenByParentIds(ctx, ids), []),
    user: mapLoader<User | null>((ids) => usersByIds(ctx.em, ids), null),
    practitioner: mapLoader<Practitioner | null>((ids) => practitionersByIds(ctx.em, ids), null),
    patient: mapLoader<Patient | null>(
      guard('Patient', 'r', (ids) => patientsByIds(ctx, ids)),
      null,
    ),
    patientIdentifiers: mapLoader<PatientIdentifier[]>((ids) => identifiersByPatientIds(ctx.em, ids), []),
    patientOrganizationIds: mapLoader<number[]>((ids) => organizationIdsByPatientIds(ctx, ids), []),
    study: mapLoader<Study | null>((ids) => studiesByIds(ctx, ids), null),
    studyOrganizer: mapLoader<Pick<Organization, 'id' | 'name' | 'type'> | null>(
      (ids) => organizersOfStudies(ctx, ids),
      null,
    ),
    studyDataSources: mapLoader<DataSource[]>((ids) => studyDataSources(ctx.em, ids), []),
    studyClients: mapLoader<Client[]>((ids) => studyClients(ctx.em, ids), []),
    clientDataSources: mapLoader<DataSource[]>((ids) => clientDataSources(ctx.em, ids), []),
    studyScopeRequests: mapLoader<CodeableConcept[]>((ids) => studyScopeRequests(ctx.em, ids), []),
    studyConsentCounts: mapLoader<StudyConsentCounts>((ids) => consentCountsOfStudies(ctx, ids), {
      enrolled: 0,
      fullyAnswered: 0,
      pending: 0,
      scopes: [],
    }),
    codeableConcept: mapLoader<CodeableConcept | null>((ids) => codeableConceptsByIds(ctx.em, ids), null),
    organizationStudies: pageLoader((ids, first) => nested.studyPagesByOrganization(ctx, ids, first)),
    organizationStudyCount: mapLoader((ids) => nested.studyCountsByOrganization(ctx, ids), 0),
    organizationPatients: pageLoader((ids, first) => nested.patientPagesByOrganization(ctx, ids, first)),
    organizationPatientCount: mapLoader((ids) => nested.patientCountsByOrganization(ctx, ids), 0),
    studyPatients: pageLoader((ids, first) => nested.patientPagesByStudy(ctx, ids, first)),
    studyPatientCount: mapLoader((ids) => nested.patientCountsByStudy(ctx, ids), 0),
    patientConsents: entityLoader((patients: readonly Patient[]) => consentsOfPatients(ctx, patients)),
    patientObservations: pageLoader((ids, first) => observations.observationPagesByPatient(ctx, ids, first)),
    patientObservationCount: mapLoader((ids) => observations.observationCountsByPatient(ctx, ids), 0),
    /** only behind an upload's answer: what the uploader just stored */
    storedObservation: mapLoader<ObservationRow | null>((ids) => storedObservations(ctx.em, ids), null),
    dataSource: mapLoader<DataSource | null>(
      guard('Device', 'r', (ids) => dataSourcesByIds(ctx.em, ids)),
      null,
    ),
    patientStudies: mapLoader<Study[]>((ids) => nested.studiesByPatient(ctx, ids), []),
    organizationPractitioners: mapLoader<OrganizationPractitioner[]>(
      (ids) => practitionersByOrganizationIds(ctx, ids),
      [],
    ),
    patientByUser: mapLoader<Patient | null>((ids) => patientsByUserIds(ctx, ids), null),
    dataSourceScopes: mapLoader<CodeableConcept[]>((ids) => dataSourceSupportedScopes(ctx.em, ids), []),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
