import { useState } from 'react';
import { useFreshQuery } from '../fresh-query.ts';
import { graphql } from '../graphql.ts';
import { AuditEventRow, AuditEventTable, Pager } from './AuditEventTable.tsx';
import { ErrorNote, Loading, Section } from './ui.tsx';

const PAGE_SIZE = 20;

const AccessLogQuery = graphql(
  `
    query PatientAccessLog($id: ID!, $first: Int, $after: String) {
      patient(id: $id) {
        id
        accessLog(first: $first, after: $after) {
          totalCount
          pageInfo {
            endCursor
            hasNextPage
          }
          nodes {
            ...AuditEventRow
          }
        }
      }
    }
  `,
  [AuditEventRow],
);

/** Who read or changed this patient's data (for the patient's managers and super users), newest first. */
export function PatientAccessLog({ patientId }: { patientId: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }] = useFreshQuery({
    query: AccessLogQuery,
    variables: { id: patientId, first: PAGE_SIZE, after: cursors[cursors.length - 1] ?? null },
    requestPolicy: 'network-only',
  });
  return (
    <Section title="Who read this patient’s data">
      {fetching && !data ? (
        <Loading what="Loading the access log" />
      ) : !data ? (
        <ErrorNote error={error} />
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {data.patient.accessLog.totalCount} access{data.patient.accessLog.totalCount === 1 ? '' : 'es'} recorded
          </p>
          <AuditEventTable rows={data.patient.accessLog.nodes} label="Access log" showPatients={false} />
          <Pager
            onPrevious={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
            next={data.patient.accessLog.pageInfo.hasNextPage ? data.patient.accessLog.pageInfo.endCursor : null}
            onNext={(cursor) => setCursors([...cursors, cursor])}
          />
        </>
      )}
    </Section>
  );
}
