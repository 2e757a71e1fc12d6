import { type FormEvent, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../graphql.ts';
import { Field } from './ui.tsx';

export interface FilterValues {
  study: string;
  patient: string;
  code: string;
  from: string;
  to: string;
}

const StudyNodes = graphql(`
  fragment StudyNodes on Organization {
    studies(first: 100) {
      nodes {
        id
        name
      }
    }
  }
`);

/** Studies of the viewer's organizations and of their sub-organizations, four levels down. */
const ChoicesQuery = graphql(
  `
    query FilterChoices($studyId: ID) {
      organizations {
        id
        ...StudyNodes
        children {
          id
          ...StudyNodes
          children {
            id
            ...StudyNodes
            children {
              id
              ...StudyNodes
              children {
                id
                ...StudyNodes
              }
            }
          }
        }
      }
      patients(studyId: $studyId, first: 1000) {
        nodes {
          id
          nameGiven
          nameFamily
        }
      }
    }
  `,
  [StudyNodes],
);

type OrgWithStudies = {
  studies: { nodes: readonly { id: string; name: string }[] };
  children?: readonly OrgWithStudies[];
};

function allStudies(orgs: readonly OrgWithStudies[]): { id: string; name: string }[] {
  const byId = new Map<string, { id: string; name: string }>();
  const walk = (o: OrgWithStudies) => {
    o.studies.nodes.forEach((s) => byId.set(s.id, s));
    o.children?.forEach(walk);
  };
  orgs.forEach(walk);
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function ObservationFilters(props: {
  values: FilterValues;
  codes: readonly { id: string; text: string }[];
  onApply: (values: FilterValues) => void;
}) {
  const [v, setV] = useState(props.values);
  const [{ data }] = useQuery({ query: ChoicesQuery, variables: { studyId: v.study || null } });
  const set = (key: keyof FilterValues) => (e: { target: { value: string } }) => setV({ ...v, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onApply(v);
  };
  const invalidRange = v.from && v.to && v.from > v.to;
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter observations">
      <Field label="Study">
        {(id) => (
          <select id={id} value={v.study} onChange={(e) => setV({ ...v, study: e.target.value, patient: '' })}>
            <option value="">All studies</option>
            {allStudies(data?.organizations ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Patient">
        {(id) => (
          <select id={id} value={v.patient} onChange={set('patient')}>
            <option value="">All patients</option>
            {(data?.patients.nodes ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.nameGiven} {p.nameFamily}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Code">
        {(id) => (
          <select id={id} value={v.code} onChange={set('code')}>
            <option value="">All codes</option>
            {props.codes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.text}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="From">{(id) => <input id={id} type="date" value={v.from} onChange={set('from')} />}</Field>
      <Field label="To">{(id) => <input id={id} type="date" value={v.to} onChange={set('to')} />}</Field>
      <button type="submit" className="primary" disabled={Boolean(invalidRange)}>
        Apply filters
      </button>
      {invalidRange && (
        <p className="error" role="alert">
          The start date is after the end date.
        </p>
      )}
    </form>
  );
}
