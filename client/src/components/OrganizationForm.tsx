import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { ErrorNote, Field } from './ui.tsx';

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
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];

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

/** A new organization under `partOfId` (or top-level, for super users). */
export function CreateOrganizationForm({
  partOfId,
  onCreated,
}: {
  partOfId?: string;
  onCreated?: (id: string) => void;
}) {
  const [name, setName] = useState('');
  const [type, setType] = useState<OrganizationType>('DEPT');
  const [result, create] = useMutation(CreateOrganization);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { data } = await create({ input: { name: name.trim(), type, partOfId } });
    if (data) {
      setName('');
      onCreated?.(data.createOrganization.id);
    }
  };
  return (
    <form onSubmit={submit} className="inline-form" aria-label="New organization">
      <Field label="Name">
        {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />}
      </Field>
      <Field label="Type">
        {(id) => (
          <select id={id} value={type} onChange={(e) => setType(e.target.value as OrganizationType)}>
            {ORGANIZATION_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" disabled={result.fetching || !name.trim()}>
        Create organization
      </button>
      <ErrorNote error={result.error} />
    </form>
  );
}
