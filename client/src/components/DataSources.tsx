import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { DangerButton, Empty, ErrorNote, Field, Section } from './ui.tsx';

const TYPES = ['DEVICE', 'MEDICAL_DEVICE', 'PATIENT_APP', 'PERSONAL_DEVICE'] as const;
type DataSourceType = (typeof TYPES)[number];

const Fields = graphql(`
  fragment DataSourceFields on DataSource {
    id
    name
    type
    supportedScopes {
      id
      text
    }
  }
`);
const Create = graphql(
  `
    mutation CreateDataSource($input: CreateDataSourceInput!) {
      createDataSource(input: $input) {
        ...DataSourceFields
      }
    }
  `,
  [Fields],
);
const AddScope = graphql(
  `
    mutation AddDataSourceScope($dataSourceId: ID!, $codeableConceptId: ID!) {
      addDataSourceScope(dataSourceId: $dataSourceId, codeableConceptId: $codeableConceptId) {
        ...DataSourceFields
      }
    }
  `,
  [Fields],
);
const RemoveScope = graphql(
  `
    mutation RemoveDataSourceScope($dataSourceId: ID!, $codeableConceptId: ID!) {
      removeDataSourceScope(dataSourceId: $dataSourceId, codeableConceptId: $codeableConceptId) {
        ...DataSourceFields
      }
    }
  `,
  [Fields],
);
const Delete = graphql(`
  mutation DeleteDataSource($id: ID!) {
    deleteDataSource(id: $id)
  }
`);

interface DataSource {
  id: string;
  name: string;
  type: DataSourceType;
  supportedScopes: readonly { id: string; text: string }[];
}

function AddScopePicker(props: {
  source: DataSource;
  concepts: readonly { id: string; text: string }[];
  onAdd: (id: string) => void;
}) {
  const present = new Set(props.source.supportedScopes.map((s) => s.id));
  const others = props.concepts.filter((c) => !present.has(c.id));
  if (others.length === 0) return null;
  return (
    <select
      aria-label={`Add a scope to ${props.source.name}`}
      value=""
      onChange={(e) => e.target.value && props.onAdd(e.target.value)}
    >
      <option value="">Add scope…</option>
      {others.map((c) => (
        <option key={c.id} value={c.id}>
          {c.text}
        </option>
      ))}
    </select>
  );
}

export function DataSources(props: {
  dataSources: readonly DataSource[];
  concepts: readonly { id: string; text: string }[];
  editable: boolean;
}) {
  const [draft, setDraft] = useState<{ name: string; type: DataSourceType }>({ name: '', type: 'PERSONAL_DEVICE' });
  const [created, create] = useMutation(Create);
  const [added, add] = useMutation(AddScope);
  const [removed, remove] = useMutation(RemoveScope);
  const [deleted, del] = useMutation(Delete);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create({ input: { name: draft.name.trim(), type: draft.type } });
    if (!r.error) setDraft({ ...draft, name: '' });
  };
  return (
    <Section title="Data sources">
      {props.dataSources.length === 0 ? (
        <Empty>No data sources.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Supported scopes</th>
              {props.editable && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {props.dataSources.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{d.type}</td>
                <td>
                  <ul className="chips">
                    {d.supportedScopes.map((s) => (
                      <li key={s.id}>
                        {s.text}
                        {props.editable && (
                          <button
                            type="button"
                            className="link"
                            aria-label={`Remove ${s.text} from ${d.name}`}
                            onClick={() => void remove({ dataSourceId: d.id, codeableConceptId: s.id })}
                          >
                            ×
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                  {props.editable && (
                    <AddScopePicker
                      source={d}
                      concepts={props.concepts}
                      onAdd={(id) => void add({ dataSourceId: d.id, codeableConceptId: id })}
                    />
                  )}
                </td>
                {props.editable && (
                  <td>
                    <DangerButton
                      label="Delete"
                      confirm={`Delete the data source ${d.name}?`}
                      onClick={() => void del({ id: d.id })}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={added.error ?? removed.error ?? deleted.error} />
      {props.editable && (
        <form className="inline-form" onSubmit={submit} aria-label="New data source">
          <Field label="Name">
            {(id) => (
              <input
                id={id}
                value={draft.name}
                required
                maxLength={200}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              />
            )}
          </Field>
          <Field label="Type">
            {(id) => (
              <select
                id={id}
                value={draft.type}
                onChange={(e) => setDraft({ ...draft, type: e.target.value as DataSourceType })}
              >
                {TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={created.fetching}>
            Create data source
          </button>
          <ErrorNote error={created.error} />
        </form>
      )}
    </Section>
  );
}
