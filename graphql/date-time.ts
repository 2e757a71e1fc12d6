import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/**
 * ISO 8601 at UTC with milliseconds, as `Date.prototype.toISOString` writes it, with each field in its range
 * (a day past the month's end, such as February 30, would pass: no timestamp PostgreSQL writes has one).
 */
const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * graphql-scalars' DateTimeISO (type-graphql's scalar for Date), except that a string already in the form it
 * writes is passed on as is. Observation pages carry their two timestamps as such text, 2000 a page: making
 * Dates of them only to print them again cost about 1 ms a page.
 */
export const DateTimeISO = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  serialize: (value) =>
    typeof value === 'string' && CANONICAL.test(value) ? value : GraphQLDateTimeISO.serialize(value),
});
