import { allow } from 'graphql-shield';
import { isSignedIn, keepsCatalog } from './common.js';

export const catalogRules = {
  Query: {
    dataSource: isSignedIn,
    dataSources: isSignedIn,
    codeableConcepts: isSignedIn,
    // the project's own JSON Schemas: reference data, no patient's, like the code catalog
    omhSchemas: isSignedIn,
    omhSchema: isSignedIn,
  },
  Mutation: {
    createDataSource: keepsCatalog,
    updateDataSource: keepsCatalog,
    addDataSourceScope: keepsCatalog,
    removeDataSourceScope: keepsCatalog,
    deleteDataSource: keepsCatalog,
    createCodeableConcept: keepsCatalog,
    updateCodeableConcept: keepsCatalog,
  },
  DataSource: allow,
  CodeableConcept: allow,
  OmhSchema: allow,
};
