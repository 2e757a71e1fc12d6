import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { Empty, ErrorNote, Field, Section } from './ui.tsx';

const Create = graphql(`
  mutation CreateCodeableConcept($input: CreateCodeableConceptInput!) {
    createCodeableConcept(input: $input) {
      id
      text
      codingSystem
      codingCode
    }
  }
`);
const Update = graphql(`
  mutation UpdateCodeableConcept($id: ID!, $input: UpdateCodeableConceptInput!) {
    updateCodeableConcept(id: $id, input: $input) {
      id
      text
    }
  }
`);

interface Concept {
  id: string;
  text: string;
  codingSystem: string;
  codingCode: string;
}

const empty = { codingSystem: 'https://w3id.org/openmhealth', codingCode: '', text: '' };

export function CodeableConcepts({ concepts, editable }: { concepts: readonly Concept[]; editable: boolean }) {
  const [draft, setDraft] = useState(empty);
  const [created, create] = useMutation(Create);
  const [updated, update] = useMutation(Update);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create({
      input: { codingSystem: draft.codingSystem.trim(), codingCode: draft.codingCode.trim(), text: draft.text.trim() },
    });
    if (!r.error) setDraft(empty);
  };
  return (
    <Section title="Codeable concepts (scopes)">
      {concepts.length === 0 ? (
        <Empty>No codes.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Text</th>
              <th>System</th>
              <th>Code</th>
            </tr>
          </thead>
          <tbody>
            {concepts.map((c) => (
              <tr key={c.id}>
                <td>
                  {editable ? (
                    <input
                      aria-label={`Text of ${c.codingCode}`}
                      defaultValue={c.text}
                      onBlur={(e) =>
                        e.target.value.trim() !== c.text &&
                        void update({ id: c.id, input: { text: e.target.value.trim() } })
                      }
                    />
                  ) : (
                    c.text
                  )}
                </td>
                <td>{c.codingSystem}</td>
                <td>
                  <code>{c.codingCode}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={updated.error} />
      {editable && (
        <form className="inline-form" onSubmit={submit} aria-label="New codeable concept">
          <Field label="System">
            {(id) => (
              <input
                id={id}
                type="url"
                value={draft.codingSystem}
                required
                onChange={(e) => setDraft({ ...draft, codingSystem: e.target.value })}
              />
            )}
          </Field>
          <Field label="Code">
            {(id) => (
              <input
                id={id}
                value={draft.codingCode}
                required
                placeholder="omh:step-count:3.0"
                onChange={(e) => setDraft({ ...draft, codingCode: e.target.value })}
              />
            )}
          </Field>
          <Field label="Text">
            {(id) => (
              <input
                id={id}
                value={draft.text}
                required
                onChange={(e) => setDraft({ ...draft, text: e.target.value })}
              />
            )}
          </Field>
          <button type="submit" disabled={created.fetching}>
            Create code
          </button>
          <ErrorNote error={created.error} />
        </form>
      )}
    </Section>
  );
}
