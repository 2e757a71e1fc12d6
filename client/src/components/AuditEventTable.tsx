import { Link } from 'react-router';
import { graphql, type ResultOf } from '../graphql.ts';
import { Empty } from './ui.tsx';

export const AuditEventRow = graphql(`
  fragment AuditEventRow on AuditEvent {
    id
    recordedAt
    user {
      id
      email
    }
    userId
    clientId
    face
    address
    operation
    action
    resourceType
    patientIds
    rowCount
    outcome
    errorCode
  }
`);

type Row = ResultOf<typeof AuditEventRow>;

const OUTCOME_LABEL: Record<Row['outcome'], string> = { ALLOWED: 'allowed', DENIED: 'denied', ERROR: 'error' };

/** Audit events as a table: when, who (and with which app), what, whose data, how many rows, how it ended. */
export function AuditEventTable(props: { rows: readonly Row[]; label: string; showPatients?: boolean }) {
  const { rows, label, showPatients = true } = props;
  if (rows.length === 0) return <Empty>No access recorded for these filters.</Empty>;
  return (
    <table className="audit-events" aria-label={label}>
      <thead>
        <tr>
          <th>Time</th>
          <th>Who</th>
          <th>What</th>
          {showPatients && <th>Patients</th>}
          <th>Rows</th>
          <th>Outcome</th>
          <th>From</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => (
          <tr key={e.id}>
            <td>
              <time dateTime={e.recordedAt}>{new Date(e.recordedAt).toLocaleString()}</time>
            </td>
            <td>
              {e.user?.email ?? (e.userId ? `user ${e.userId}` : 'anonymous')}
              {e.clientId && <span className="muted"> via {e.clientId}</span>}
            </td>
            <td>
              {e.action.toLowerCase()} {e.resourceType} <span className="muted">({e.operation})</span>
            </td>
            {showPatients && (
              <td>
                {e.patientIds.slice(0, 5).map((id) => (
                  <Link key={id} to={`/patients/${id}`}>
                    {id}{' '}
                  </Link>
                ))}
                {e.patientIds.length > 5 && <span className="muted">+{e.patientIds.length - 5}</span>}
              </td>
            )}
            <td>{e.rowCount ?? '—'}</td>
            <td className={`outcome-${OUTCOME_LABEL[e.outcome]}`}>
              {OUTCOME_LABEL[e.outcome]}
              {e.errorCode && <span className="muted"> ({e.errorCode})</span>}
            </td>
            <td>
              {e.face}
              {e.address && <span className="muted"> {e.address}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Previous / Next over keyset cursors. */
export function Pager(props: { onPrevious?: () => void; next: string | null; onNext: (cursor: string) => void }) {
  return (
    <div className="pager">
      <button type="button" onClick={props.onPrevious} disabled={!props.onPrevious}>
        Previous
      </button>
      <button type="button" disabled={!props.next} onClick={() => props.next && props.onNext(props.next)}>
        Next
      </button>
    </div>
  );
}
