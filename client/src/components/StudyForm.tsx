import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { ErrorNote, Field, SavedNote } from './ui.tsx';

interface StudyValues {
  name: string;
  description: string;
}

const CreateStudy = graphql(`
  mutation CreateStudy($input: CreateStudyInput!) {
    createStudy(input: $input) {
      id
      name
      description
    }
  }
`);

const UpdateStudy = graphql(`
  mutation UpdateStudy($id: ID!, $input: UpdateStudyInput!) {
    updateStudy(id: $id, input: $input) {
      id
      name
      description
    }
  }
`);

function StudyFields({ values, onChange }: { values: StudyValues; onChange: (v: StudyValues) => void }) {
  return (
    <>
      <Field label="Study name">
        {(id) => (
          <input
            id={id}
            value={values.name}
            required
            maxLength={200}
            onChange={(e) => onChange({ ...values, name: e.target.value })}
          />
        )}
      </Field>
      <Field label="Description">
        {(id) => (
          <textarea
            id={id}
            value={values.description}
            onChange={(e) => onChange({ ...values, description: e.target.value })}
          />
        )}
      </Field>
    </>
  );
}

/** Creates the study and opens it, where its data sources and scopes are chosen. */
export function CreateStudyForm({ organizationId }: { organizationId: string }) {
  const navigate = useNavigate();
  const [values, setValues] = useState<StudyValues>({ name: '', description: '' });
  const [result, create] = useMutation(CreateStudy);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create({
      input: { organizationId, name: values.name.trim(), description: values.description.trim() },
    });
    if (r.data) navigate(`/studies/${r.data.createStudy.id}`);
  };
  return (
    <form onSubmit={submit} className="stacked-form" aria-label="New study">
      <StudyFields values={values} onChange={setValues} />
      <button type="submit" disabled={result.fetching || !values.name.trim()}>
        Create study
      </button>
      <ErrorNote error={result.error} />
    </form>
  );
}

export function EditStudyForm({ id, ...initial }: { id: string } & StudyValues) {
  const [values, setValues] = useState<StudyValues>(initial);
  const [result, update] = useMutation(UpdateStudy);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void update({ id, input: { name: values.name.trim(), description: values.description } });
  };
  return (
    <form onSubmit={submit} className="stacked-form" aria-label="Edit study">
      <StudyFields values={values} onChange={setValues} />
      <button type="submit" disabled={result.fetching}>
        Save study
      </button>
      <SavedNote result={result} />
      <ErrorNote error={result.error} />
    </form>
  );
}
