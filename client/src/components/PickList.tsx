import { useState } from 'react';
import { Empty, Field } from './ui.tsx';

/** A list with remove buttons and an "add one of the others" picker. */
export function PickList<T extends { id: string }>(props: {
  items: readonly T[];
  options: readonly T[];
  label: (item: T) => string;
  noun: string;
  /** the remove button's accessible name (default: Remove <label>) */
  removeLabel?: (item: T) => string;
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
                  aria-label={props.removeLabel?.(item) ?? `Remove ${props.label(item)}`}
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
