import { type ReactNode, useId } from 'react';
import type { CombinedError } from 'urql';
import { describeError } from '../errors.ts';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error?: CombinedError | null }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {describeError(error).map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A labelled input; the label is tied to the control for screen readers and keyboard users. */
export function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

export function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-header">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A destructive button that asks first. */
export function DangerButton({ label, confirm, onClick }: { label: string; confirm: string; onClick: () => void }) {
  return (
    <button
      type="button"
      className="danger"
      onClick={() => {
        if (window.confirm(confirm)) onClick();
      }}
    >
      {label}
    </button>
  );
}

/** Confirms a finished save to sighted and screen-reader users alike. */
export function SavedNote({ result }: { result: { data?: unknown; fetching: boolean; error?: unknown } }) {
  if (!result.data || result.fetching || result.error) return null;
  return (
    <span className="muted" role="status">
      Saved.
    </span>
  );
}
