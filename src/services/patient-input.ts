import { z } from 'zod';
import { email, id, identifier, isoDate, parseInput, personName, phone } from './input.js';

/** Input schemas shared by the patient services. */

const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Today's date where it is latest on Earth (UTC+14), so a newborn's birth date is never "in the future". */
function latestToday(): string {
  return new Date(Date.now() + 14 * 3600_000).toISOString().slice(0, 10);
}

// z.iso.date already rejects impossible dates such as 2023-02-29; ISO dates compare correctly as strings.
export const birthDate = isoDate
  .refine((value) => value >= EARLIEST_BIRTH_DATE, `must not be before ${EARLIEST_BIRTH_DATE}`)
  .refine((value) => value <= latestToday(), 'must not be in the future');

export const identifierList = z
  .array(identifier)
  .max(20, 'must have at most 20 identifiers')
  .refine(
    (list) => new Set(list.map((i) => `${i.system}|${i.value}`)).size === list.length,
    'must not repeat a system and value',
  );

export const createPatientInput = z.object({
  organizationId: id,
  nameFamily: personName,
  nameGiven: personName,
  birthDate: birthDate.nullish(),
  email,
  phone: phone.nullish(),
  identifiers: identifierList.default([]),
});
export type CreatePatientInput = z.input<typeof createPatientInput>;

/** Absent fields stay as they are; `null` clears the optional ones. */
export const updatePatientInput = z.object({
  nameFamily: personName.optional(),
  nameGiven: personName.optional(),
  birthDate: birthDate.nullish(),
  email: email.optional(),
  phone: phone.nullish(),
  /** when given, the record's identifiers become exactly these */
  identifiers: identifierList.optional(),
});
export type UpdatePatientInput = z.input<typeof updatePatientInput>;

export type IdentifierInput = z.input<typeof identifier>;
export const parseIdentifier = (input: IdentifierInput) => parseInput(identifier, input);
