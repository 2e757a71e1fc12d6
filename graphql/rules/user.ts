import { allow } from 'graphql-shield';

export const userRules = {
  // anonymous callers get `me: null`
  Query: { me: allow },
  User: allow,
  Practitioner: allow,
};
