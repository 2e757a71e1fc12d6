import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { Empty, ErrorNote, Field, Section } from './ui.tsx';

const AddIdentifier = graphql(`
  mutation AddPatientIdentifier($patientId: ID!, $identifier: IdentifierInput!) {
    addPatientIdentifier(patientId: $patientId, identifier: $identifier) {
      id
      identifiers {
        system
        value
      }
    }
  }
`);
const RemoveIdentifier = graphql(`
  mutation RemovePatientIdentifier($patientId: ID!, $identifier: IdentifierInput!) {
    removePatientIdentifier(patientId: $patientId, identifier: $identifier) {
      id
      identifiers {
        system
        value
      }
    }
  }
`);

type Identifier = { system: string; value: string };

export function Identifiers(props: { patientId: string; identifiers: readonly Identifier[]; editable: boolean }) {
  const { patientId, editable } = props;
  const [draft, setDraft] = useState<Identifier>({ system: '', value: '' });
  const [added, add] = useMutation(AddIdentifier);
  const [removed, remove] = useMutation(RemoveIdentifier);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add({ patientId, identifier: { system: draft.system.trim(), value: draft.value.trim() } });
    if (!r.error) setDraft({ system: '', value: '' });
  };
  return (
    <Section title="Identifiers">
      {props.identifiers.length === 0 ? (
        <Empty>No identifiers.</Empty>
      ) : (
        <ul className="chips">
          {props.identifiers.map((i) => (
            <li key={`${i.system}|${i.value}`}>
              <code>
                {i.system}|{i.value}
              </code>
              {editable && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove identifier ${i.value}`}
                  onClick={() => void remove({ patientId, identifier: { system: i.system, value: i.value } })}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form onSubmit={submit} className="inline-form" aria-label="Add identifier">
          <Field label="System">
            {(id) => (
              <input
                id={id}
                type="url"
                placeholder="https://hospital.example/mrn"
                value={draft.system}
                required
                onChange={(e) => setDraft({ ...draft, system: e.target.value })}
              />
            )}
          </Field>
          <Field label="Value">
            {(id) => (
              <input
                id={id}
                value={draft.value}
                required
                onChange={(e) => setDraft({ ...draft, value: e.target.value })}
              />
            )}
          </Field>
          <button type="submit" disabled={added.fetching}>
            Add identifier
          </button>
        </form>
      )}
      <ErrorNote error={added.error ?? removed.error} />
    </Section>
  );
}
