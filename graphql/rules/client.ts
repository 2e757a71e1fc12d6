import { allow } from 'graphql-shield';
import { isSignedIn, registersClients } from './common.js';

export const clientRules = {
  Query: { clients: isSignedIn, client: isSignedIn, patientClients: isSignedIn },
  Mutation: {
    registerClient: registersClients,
    createClient: registersClients,
    updateClient: registersClients,
    deleteClient: registersClients,
    addStudyClient: isSignedIn,
    removeStudyClient: isSignedIn,
  },
  RegisteredClient: allow,
  CreatedClient: allow,
  Client: allow,
};
