import { allow } from 'graphql-shield';
import { isSignedIn } from './common.js';

/**
 * Bulk exports are their requester's alone (the policy's ownsExport, checked by the services); what one holds is
 * decided when it runs, by the same scopes as a search (exportTypes and each type's own rules).
 */
export const bulkExportRules = {
  Query: { bulkExport: isSignedIn, bulkExportFile: isSignedIn, bulkExportFileChunk: isSignedIn },
  Mutation: { startBulkExport: isSignedIn, cancelBulkExport: isSignedIn },
  BulkExport: allow,
  BulkExportFile: allow,
  BulkExportTypeCount: allow,
  BulkExportError: allow,
};
