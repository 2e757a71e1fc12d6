import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { Empty, ErrorNote, Field, Section } from './ui.tsx';

const AddDataSource = graphql(`
  mutation AddStudyDataSource($studyId: ID!, $dataSourceId: ID!) {
    addStudyDataSource(studyId: $studyId, dataSourceId: $dataSourceId) {
      id
      dataSources {
        id
        name
      }
    }
  }
`);
const RemoveDataSource = graphql(`
  mutation RemoveStudyDataSource($studyId: ID!, $dataSourceId: ID!) {
    removeStudyDataSource(studyId: $studyId, dataSourceId: $dataSourceId) {
      id
      dataSources {
        id
        name
      }
    }
  }
`);
const AddScope = graphql(`
  mutation AddStudyScopeRequest($studyId: ID!, $codeableConceptId: ID!) {
    addStudyScopeRequest(studyId: $studyId, codeableConceptId: $codeableConceptId) {
      id
      scopeRequests {
        id
        text
        codingCode
      }
    }
  }
`);
const RemoveScope = graphql(`
  mutation RemoveStudyScopeRequest($studyId: ID!, $codeableConceptId: ID!) {
    removeStudyScopeRequest(studyId: $studyId, codeableConceptId: $codeableConceptId) {
      id
      scopeRequests {
        id
        text
        codingCode
      }
    }
  }
`);

interface Named {
  id: string;
  name: string;
}
interface Concept {
  id: string;
  text: string;
  codingCode: string;
}

/** A list with remove buttons and an "add one of the others" picker. */
function PickList<T extends { id: string }>(props: {
  items: readonly T[];
  options: readonly T[];
  label: (item: T) => string;
  noun: string;
  editable: boolean;
  onAdd: (id: string) => void;
  onRemove: (id: string) => void;
}) {
  const [choice, setChoice] = useState('');
  const present = new Set(props.items.map((i) => i.id));
  const others = props.options.filter((o) => !present.has(o.id));
  return (
    <>
      {props.items.length === 0 ? (
        <Empty>No {props.noun}s yet.</Empty>
      ) : (
        <ul className="chips">
          {props.items.map((item) => (
            <li key={item.id}>
              {props.label(item)}
              {props.editable && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove ${props.label(item)}`}
                  onClick={() => props.onRemove(item.id)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.editable && others.length > 0 && (
        <div className="inline-form">
          <Field label={`Add ${props.noun}`}>
            {(id) => (
              <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)}>
                <option value="">Choose…</option>
                {others.map((o) => (
                  <option key={o.id} value={o.id}>
                    {props.label(o)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            disabled={!choice}
            onClick={() => {
              props.onAdd(choice);
              setChoice('');
            }}
          >
            Add
          </button>
        </div>
      )}
    </>
  );
}

export function StudySetup(props: {
  studyId: string;
  editable: boolean;
  dataSources: readonly Named[];
  scopeRequests: readonly Concept[];
  catalog: { dataSources: readonly Named[]; codeableConcepts: readonly Concept[] };
}) {
  const { studyId, editable } = props;
  const [addedSource, addSource] = useMutation(AddDataSource);
  const [removedSource, removeSource] = useMutation(RemoveDataSource);
  const [addedScope, addScope] = useMutation(AddScope);
  const [removedScope, removeScope] = useMutation(RemoveScope);
  const conceptLabel = (c: Concept) => `${c.text} (${c.codingCode})`;
  return (
    <div className="columns">
      <Section title="Data sources">
        <PickList
          items={props.dataSources}
          options={props.catalog.dataSources}
          label={(d) => d.name}
          noun="data source"
          editable={editable}
          onAdd={(dataSourceId) => void addSource({ studyId, dataSourceId })}
          onRemove={(dataSourceId) => void removeSource({ studyId, dataSourceId })}
        />
        <ErrorNote error={addedSource.error ?? removedSource.error} />
      </Section>
      <Section title="Scope requests">
        <PickList
          items={props.scopeRequests}
          options={props.catalog.codeableConcepts}
          label={conceptLabel}
          noun="scope"
          editable={editable}
          onAdd={(codeableConceptId) => void addScope({ studyId, codeableConceptId })}
          onRemove={(codeableConceptId) => void removeScope({ studyId, codeableConceptId })}
        />
        <ErrorNote error={addedScope.error ?? removedScope.error} />
      </Section>
    </div>
  );
}
