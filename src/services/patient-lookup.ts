import { Patient } from '../db/entities/index.js';
import { ForbiddenError } from '../errors.js';
import { canLookUpPatientsByEmail, patientLookupView } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { email, parseInput } from './input.js';
import { organizationIdsByPatientIds } from './patient-organizations.js';

/**
 * A patient found by exact email, and how much of them the viewer may see (policy patientLookupView): `record`
 * the whole record, `match` only the id and names.
 */
export interface PatientMatch {
  patient: Patient;
  view: 'record' | 'match';
}

/**
 * JupyterHealth's global lookup: the patient whose email is exactly `address` (compared lower-cased and trimmed,
 * as emails are stored), in whichever organization, for a member or manager who wants to add them to their own
 * (FORBIDDEN for anyone else). Emails are unique among patients, so there is one at most.
 */
export async function lookUpPatientsByEmail(ctx: ServiceContext, address: string): Promise<PatientMatch[]> {
  if (!canLookUpPatientsByEmail(ctx.viewer)) {
    throw new ForbiddenError('Only members and managers of an organization may look patients up by email');
  }
  const exact = parseInput(email, address);
  const rows = await ctx.em
    .createQueryBuilder(Patient, 'p')
    .where('lower(p.email) = ?', [exact])
    .orderBy({ id: 'asc' })
    .limit(10)
    .getResult();
  const organizations = await organizationIdsByPatientIds(
    ctx,
    rows.map((p) => p.id),
  );
  return rows.flatMap((patient) => {
    const view = patientLookupView(ctx.viewer, {
      id: patient.id,
      organizationIds: organizations.get(patient.id) ?? [],
    });
    return view ? [{ patient, view }] : [];
  });
}
