import { allow } from 'graphql-shield';
import { registersClients } from './common.js';

export const clientRules = {
  Mutation: { registerClient: registersClients },
  RegisteredClient: allow,
};
