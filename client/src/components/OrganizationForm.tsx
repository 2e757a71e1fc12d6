import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { ErrorNote, Field, SavedNote } from './ui.tsx';

export const ORGANIZATION_TYPES = [
  'EDU',
  'PROV',
  'DEPT',
  'TEAM',
  'LABORATORY',
  'GOVT',
  'INS',
  'PAY',
  'RELI',
  'CRS',
  'CG',
  'BUS',
  'OTHER',
] as const;
type OrganizationType = (typeof ORGANIZATION_TYPES)[number];
interface OrganizationValues {
  name: string;
  type: OrganizationType;
}

const CreateOrganization = graphql(`
  mutation CreateOrganization($input: CreateOrganizationInput!) {
    createOrganization(input: $input) {
      id
      name
      type
      viewerRole
    }
  }
`);

const UpdateOrganization = graphql(`
  mutation UpdateOrganization($id: ID!, $input: UpdateOrganizationInput!) {
    updateOrganization(id: $id, input: $input) {
      id
      name
      type
    }
  }
`);

function OrganizationFields({
  values,
  onChange,
}: {
  values: OrganizationValues;
  onChange: (v: OrganizationValues) => void;
}) {
  return (
    <>
      <Field label="Name">
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
      <Field label="Type">
        {(id) => (
          <select
            id={id}
            value={values.type}
            onChange={(e) => onChange({ ...values, type: e.target.value as OrganizationType })}
          >
            {ORGANIZATION_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}

/** A new organization under `partOfId` (or top-level, for super users). */
export function CreateOrganizationForm({
  partOfId,
  onCreated,
}: {
  partOfId?: string;
  onCreated?: (id: string) => void;
}) {
  const [values, setValues] = useState<OrganizationValues>({ name: '', type: 'DEPT' });
  const [result, create] = useMutation(CreateOrganization);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { data } = await create({ input: { name: values.name.trim(), type: values.type, partOfId } });
    if (data) {
      setValues({ ...values, name: '' });
      onCreated?.(data.createOrganization.id);
    }
  };
  return (
    <form onSubmit={submit} className="inline-form" aria-label="New organization">
      <OrganizationFields values={values} onChange={setValues} />
      <button type="submit" disabled={result.fetching || !values.name.trim()}>
        Create organization
      </button>
      <ErrorNote error={result.error} />
    </form>
  );
}

export function EditOrganizationForm({ id, ...initial }: { id: string } & OrganizationValues) {
  const [values, setValues] = useState<OrganizationValues>(initial);
  const [result, update] = useMutation(UpdateOrganization);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void update({ id, input: { name: values.name.trim(), type: values.type } });
  };
  return (
    <form onSubmit={submit} className="inline-form" aria-label="Edit organization">
      <OrganizationFields values={values} onChange={setValues} />
      <button type="submit" disabled={result.fetching}>
        Save
      </button>
      <SavedNote result={result} />
      <ErrorNote error={result.error} />
    </form>
  );
}
