import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { AuditEventRow, AuditEventTable, Pager } from '../components/AuditEventTable.tsx';
import { ErrorNote, Field, Loading, Section } from '../components/ui.tsx';
import { useFreshQuery } from '../fresh-query.ts';
import { graphql } from '../graphql.ts';
import { useViewer } from '../viewer.tsx';

const PAGE_SIZE = 50;

const AuditQuery = graphql(
  `
    query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {
      auditEvents(filter: $filter, first: $first, after: $after) {
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
  `,
  [AuditEventRow],
);

const FIELDS = ['user', 'patient', 'from', 'to', 'outcome'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;

const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
const isId = (v: string) => /^\d{1,9}$/.test(v);

function AuditFilters({ values, onApply }: { values: Filters; onApply: (v: Filters) => void }) {
  const [v, setV] = useState(values);
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setV({ ...v, [key]: e.target.value.trim() });
  const invalid = (v.user && !isId(v.user)) || (v.patient && !isId(v.patient)) || (v.from && v.to && v.from > v.to);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!invalid) onApply(v);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter audit events">
      <Field label="User id">
        {(id) => <input id={id} inputMode="numeric" value={v.user} onChange={set('user')} />}
      </Field>
      <Field label="Patient id">
        {(id) => <input id={id} inputMode="numeric" value={v.patient} onChange={set('patient')} />}
      </Field>
      <Field label="From">{(id) => <input id={id} type="date" value={v.from} onChange={set('from')} />}</Field>
      <Field label="To">{(id) => <input id={id} type="date" value={v.to} onChange={set('to')} />}</Field>
      <Field label="Outcome">
        {(id) => (
          <select id={id} value={v.outcome} onChange={set('outcome')}>
            <option value="">Any outcome</option>
            <option value="ALLOWED">Allowed</option>
            <option value="DENIED">Denied</option>
            <option value="ERROR">Error</option>
          </select>
        )}
      </Field>
      <button type="submit" className="primary" disabled={Boolean(invalid)}>
        Apply filters
      </button>
      {invalid && (
        <p className="error" role="alert">
          Ids are numbers, and the start date must not be after the end date.
        </p>
      )}
    </form>
  );
}

/** The audit trail (super users): every read and write of patient data, newest first. */
export function AuditPage() {
  const { can } = useViewer();
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as Filters;
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filter = {
    userId: values.user || undefined,
    patientId: values.patient || undefined,
    from: values.from ? `${values.from}T00:00:00.000Z` : undefined,
    before: values.to ? dayAfter(values.to) : undefined,
    outcome: (values.outcome || undefined) as 'ALLOWED' | 'DENIED' | 'ERROR' | undefined,
  };
  const [{ data, fetching, error }] = useFreshQuery({
    query: AuditQuery,
    variables: { filter, first: PAGE_SIZE, after: cursors[cursors.length - 1] ?? null },
    requestPolicy: 'network-only',
    pause: !can.readAuditTrail,
  });
  if (!can.readAuditTrail) return <p className="error">Only super users may read the audit trail.</p>;
  const apply = (next: Filters) => {
    setCursors([null]);
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));
  };
  return (
    <>
      <h1>Audit trail</h1>
      <AuditFilters key={params.toString()} values={values} onApply={apply} />
      <Section title="Accesses to patient data">
        {fetching && !data ? (
          <Loading what="Loading audit events" />
        ) : !data ? (
          <ErrorNote error={error} />
        ) : (
          <>
            <p className="muted" aria-live="polite">
              {data.auditEvents.totalCount} {data.auditEvents.totalCount === 1 ? 'event matches' : 'events match'}; page{' '}
              {cursors.length}
            </p>
            <AuditEventTable rows={data.auditEvents.nodes} label="Audit events" />
            <Pager
              onPrevious={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
              next={data.auditEvents.pageInfo.hasNextPage ? data.auditEvents.pageInfo.endCursor : null}
              onNext={(cursor) => setCursors([...cursors, cursor])}
            />
          </>
        )}
      </Section>
    </>
  );
}
