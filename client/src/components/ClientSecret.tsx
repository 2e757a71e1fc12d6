import { useRef, useState } from 'react';
import { copyText } from '../clipboard.ts';

/** A new confidential client's secret: the server answers it once, at creation, and never again. */
export function ClientSecret(props: { name: string; clientId: string; secret: string; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  return (
    <section className="card secret" aria-label="Client secret">
      <header className="card-header">
        <h2>Client secret of {props.name}</h2>
      </header>
      <p role="status">
        Copy it now into the configuration of the app’s server (client id <code>{props.clientId}</code>): it is shown
        only this once, and the gateway cannot show it again.
      </p>
      <div className="invitation">
        <label>
          Client secret
          <input
            ref={field}
            readOnly
            value={props.secret}
            data-testid="client-secret"
            onFocus={(e) => e.target.select()}
          />
        </label>
        <button type="button" onClick={() => void copyText(props.secret, field.current).then(setCopied)}>
          {copied ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="primary" onClick={props.onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
