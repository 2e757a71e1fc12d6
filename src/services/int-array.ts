/** A PostgreSQL array literal of ids: one bind parameter however many ids, and a constant the planner can estimate. */
export const intArray = (ids: readonly number[]) => `{${ids.join(',')}}`;
