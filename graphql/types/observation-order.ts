import { registerEnumType } from 'type-graphql';
import type { ObservationDirection } from '../../src/services/observation-order.js';

/** The orders of `observations`: the list index read forwards, or backwards within one patient and code. */
export const ObservationOrder: Record<string, ObservationDirection> = {
  PATIENT_CODE_TIME: 'asc',
  TIME_DESC: 'desc',
};

registerEnumType(ObservationOrder, {
  name: 'ObservationOrder',
  description: 'The order of an observation list; a cursor goes on only in the order it was read in',
  valuesConfig: {
    PATIENT_CODE_TIME: { description: 'by patient, code, effective time and id (the default)' },
    TIME_DESC: {
      description: 'latest effective time first (then id, descending); needs filter.patientId and filter.code',
    },
  },
});
