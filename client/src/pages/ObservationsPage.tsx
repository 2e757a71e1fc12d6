import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ObservationCharts } from '../components/ObservationCharts.tsx';
import { ObservationFilters, type FilterValues } from '../components/ObservationFilters.tsx';
import { ObservationTable } from '../components/ObservationTable.tsx';
import { ErrorNote, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';

const PAGE_SIZE = 50;

const CodesQuery = graphql(`
  query Codes {
    codeableConcepts {
      id
      text
      codingSystem
      codingCode
    }
  }
`);

/** The GraphQL filter of the URL's filter values (dates are whole days, `to` inclusive). */
function toFilter(f: FilterValues, codes: readonly { id: string; codingSystem: string; codingCode: string }[]) {
  const code = codes.find((c) => c.id === f.code);
  const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    studyId: f.study || undefined,
    patientId: f.patient || undefined,
    code: code ? { system: code.codingSystem, code: code.codingCode } : undefined,
    from: f.from ? `${f.from}T00:00:00.000Z` : undefined,
    before: f.to ? dayAfter(f.to) : undefined,
  };
}

export function ObservationsPage() {
  const [params, setParams] = useSearchParams();
  const values: FilterValues = {
    study: params.get('study') ?? '',
    patient: params.get('patient') ?? '',
    code: params.get('code') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  // cursors of the pages before the current one, for "Previous"; reset whenever the filter changes
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data: codes, error: codesError }] = useQuery({ query: CodesQuery });
  if (!codes) return codesError ? <ErrorNote error={codesError} /> : <Loading />;
  const filter = toFilter(values, codes.codeableConcepts);
  const apply = (next: FilterValues) => {
    setCursors([null]);
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));
  };
  return (
    <>
      <h1>Observations</h1>
      <ObservationFilters key={params.toString()} values={values} codes={codes.codeableConcepts} onApply={apply} />
      <Section title="Table">
        <ObservationTable
          filter={filter}
          first={PAGE_SIZE}
          after={cursors[cursors.length - 1] ?? null}
          page={cursors.length}
          onNext={(cursor) => setCursors([...cursors, cursor])}
          onPrevious={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
        />
      </Section>
      <Section title="Charts">
        {filter.patientId ? (
          <ObservationCharts filter={filter} />
        ) : (
          <p className="muted">Choose a patient to chart their series.</p>
        )}
      </Section>
    </>
  );
}
