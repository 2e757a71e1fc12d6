import { type FormEvent, useState } from 'react';
import { Field } from './ui.tsx';

export interface PatientValues {
  nameGiven: string;
  nameFamily: string;
  email: string;
  birthDate: string;
  phone: string;
}

export const emptyPatient: PatientValues = { nameGiven: '', nameFamily: '', email: '', birthDate: '', phone: '' };

/** Trimmed values; optional fields left empty become null (cleared). */
export function patientInput(v: PatientValues) {
  return {
    nameGiven: v.nameGiven.trim(),
    nameFamily: v.nameFamily.trim(),
    email: v.email.trim(),
    birthDate: v.birthDate || null,
    phone: v.phone.trim() || null,
  };
}

export function PatientForm(props: {
  initial: PatientValues;
  submitLabel: string;
  busy: boolean;
  onSubmit: (values: PatientValues) => Promise<boolean>;
}) {
  const [v, setV] = useState(props.initial);
  const set = (key: keyof PatientValues) => (e: { target: { value: string } }) => setV({ ...v, [key]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ((await props.onSubmit(v)) && props.initial === emptyPatient) setV(emptyPatient);
  };
  return (
    <form onSubmit={submit} className="stacked-form" aria-label={props.submitLabel}>
      <div className="row">
        <Field label="Given name">
          {(id) => <input id={id} value={v.nameGiven} required maxLength={100} onChange={set('nameGiven')} />}
        </Field>
        <Field label="Family name">
          {(id) => <input id={id} value={v.nameFamily} required maxLength={100} onChange={set('nameFamily')} />}
        </Field>
      </div>
      <div className="row">
        <Field label="Email">
          {(id) => <input id={id} type="email" value={v.email} required onChange={set('email')} />}
        </Field>
        <Field label="Birth date">
          {(id) => <input id={id} type="date" value={v.birthDate} onChange={set('birthDate')} />}
        </Field>
        <Field label="Phone">{(id) => <input id={id} type="tel" value={v.phone} onChange={set('phone')} />}</Field>
      </div>
      <button type="submit" disabled={props.busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}
