import type { ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import { signOut } from '../auth.ts';
import { flatten, type OrgTreeNode, useViewer } from '../viewer.tsx';

function OrgTree({ nodes }: { nodes: OrgTreeNode[] }) {
  return (
    <ul>
      {nodes.map((n) => (
        <li key={n.id}>
          <NavLink to={`/organizations/${n.id}`} end>
            {n.name}
          </NavLink>
          {n.children.length > 0 && <OrgTree nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

function OrgSwitcher() {
  const { forest } = useViewer();
  const navigate = useNavigate();
  const current = /^\/organizations\/(\d+)/.exec(useLocation().pathname)?.[1] ?? '';
  const all = flatten(forest);
  if (all.length === 0) return null;
  return (
    <label className="switcher">
      <span className="visually-hidden">Organization</span>
      <select
        aria-label="Switch organization"
        value={current}
        onChange={(e) => e.target.value && navigate(`/organizations/${e.target.value}`)}
      >
        <option value="">Choose an organization…</option>
        {all.map((o) => (
          <option key={o.id} value={o.id}>
            {'\u00a0\u00a0'.repeat(o.depth)}
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { me, can, forest } = useViewer();
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          Health Exchange Gateway
        </Link>
        <OrgSwitcher />
        <nav aria-label="Main">
          <NavLink to="/observations">Observations</NavLink>
          <NavLink to="/catalog">Data sources &amp; codes</NavLink>
          {can.manageClients && <NavLink to="/clients">Clients</NavLink>}
          {can.managePractitionerAccounts && <NavLink to="/practitioners">Practitioners</NavLink>}
          {can.readAuditTrail && <NavLink to="/audit">Audit</NavLink>}
        </nav>
        <span className="who" data-testid="current-user">
          {me.firstName} {me.lastName} ({me.email})
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <aside className="sidebar" aria-label="Organizations">
        <h2>Organizations</h2>
        {forest.length ? <OrgTree nodes={forest} /> : <p className="muted">You belong to no organization yet.</p>}
      </aside>
      <main className="content">{children}</main>
    </div>
  );
}
