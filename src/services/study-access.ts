import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSource, type Study } from '../db/entities/index.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { canEditStudy } from '../policy/index.js';
import { missingCodeableConceptIds } from './codeable-concepts.js';
import type { ServiceContext } from './context.js';
import { visibleStudy } from './facts.js';

/** Shared checks of the study services. */

/** The study, if the viewer may see it (else NotFound) and edit it (else Forbidden). */
export async function editableStudy(ctx: ServiceContext, studyId: number): Promise<Study> {
  const study = await visibleStudy(ctx, studyId);
  if (!canEditStudy(ctx.viewer, { organizationId: study.organization.id })) {
    throw new ForbiddenError('Only a member or manager of the study’s organization may change it');
  }
  return study;
}

/** NotFound for the first id that names no catalog entry (data sources and concepts are public to members). */
export async function assertCatalogEntriesExist(
  em: EntityManager,
  ids: { dataSourceIds?: readonly number[]; codeableConceptIds?: readonly number[] },
): Promise<void> {
  const dataSourceIds = ids.dataSourceIds ?? [];
  if (dataSourceIds.length > 0) {
    const found = new Set((await em.find(DataSource, { id: { $in: [...dataSourceIds] } })).map((d) => d.id));
    const missing = dataSourceIds.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError('Data source', missing);
  }
  const [missingConcept] = await missingCodeableConceptIds(em, ids.codeableConceptIds ?? []);
  if (missingConcept !== undefined) throw new NotFoundError('Codeable concept', missingConcept);
}
