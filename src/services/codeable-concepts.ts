import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { CodeableConcept } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthenticatedError } from '../errors.js';
import { canEditCatalog, canViewCatalog } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { name, parseInput, uri } from './input.js';
import { inTransaction } from './persist.js';

/** The global catalog of codings (e.g. the Open mHealth schemas): read by anyone signed in, kept by super users. */

const code = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const createInput = z.object({ codingSystem: uri, codingCode: code, text: name });
const updateInput = z.object({ text: name.optional() });

export function assertCanViewCatalog(ctx: ServiceContext): void {
  if (!canViewCatalog(ctx.viewer)) throw new UnauthenticatedError('Sign in to read the catalog');
}

export function assertCanEditCatalog(ctx: ServiceContext): void {
  if (!canEditCatalog(ctx.viewer)) throw new ForbiddenError('Only a super user may edit the catalog');
}

const duplicate = (system: string, value: string) => `The coding ${system}|${value} already exists`;

export async function listCodeableConcepts(ctx: ServiceContext): Promise<CodeableConcept[]> {
  assertCanViewCatalog(ctx);
  return ctx.em.find(CodeableConcept, {}, { orderBy: { id: 'asc' } });
}

export async function getCodeableConcept(ctx: ServiceContext, codeableConceptId: number): Promise<CodeableConcept> {
  assertCanViewCatalog(ctx);
  const concept = await ctx.em.findOne(CodeableConcept, codeableConceptId);
  if (!concept) throw new NotFoundError('Codeable concept', codeableConceptId);
  return concept;
}

/** The concept with this coding, or null. Exact match: codings are case-sensitive. */
export function findCodeableConceptByCoding(
  em: EntityManager,
  codingSystem: string,
  codingCode: string,
): Promise<CodeableConcept | null> {
  return em.findOne(CodeableConcept, { codingSystem, codingCode });
}

export async function createCodeableConcept(ctx: ServiceContext, input: z.input<typeof createInput>) {
  const data = parseInput(createInput, input);
  assertCanEditCatalog(ctx);
  const conflict = duplicate(data.codingSystem, data.codingCode);
  if (await findCodeableConceptByCoding(ctx.em, data.codingSystem, data.codingCode)) throw new ConflictError(conflict);
  return inTransaction(
    ctx.em,
    async (em) => {
      const concept = em.create(CodeableConcept, data);
      await em.flush();
      return concept;
    },
    conflict,
  );
}

/** Only the display text changes: the coding identifies the concept wherever it was used. */
export async function updateCodeableConcept(
  ctx: ServiceContext,
  codeableConceptId: number,
  input: z.input<typeof updateInput>,
) {
  const data = parseInput(updateInput, input);
  assertCanEditCatalog(ctx);
  const concept = await getCodeableConcept(ctx, codeableConceptId);
  const { text } = data;
  if (text === undefined) throw new InvalidError('Nothing to update');
  return inTransaction(ctx.em, async (em) => {
    concept.text = text;
    await em.flush();
    return concept;
  });
}

/** Batch read for loaders (the catalog is public to anyone signed in). */
export async function codeableConceptsByIds(
  em: EntityManager,
  ids: readonly number[],
): Promise<Map<number, CodeableConcept>> {
  const rows = await em.find(CodeableConcept, { id: { $in: [...ids] } });
  return new Map(rows.map((c) => [c.id, c]));
}

/** The ids among `ids` that name no codeable concept, in the order given. */
export async function missingCodeableConceptIds(em: EntityManager, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = await codeableConceptsByIds(em, ids);
  return ids.filter((id) => !found.has(id));
}
