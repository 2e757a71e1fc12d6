import { NavLink } from 'react-router';

export function OrgTabs({ id, name }: { id: string; name: string }) {
  return (
    <>
      <h1>{name}</h1>
      <nav className="tabs" aria-label="Organization">
        <NavLink to={`/organizations/${id}`} end>
          Overview
        </NavLink>
        <NavLink to={`/organizations/${id}/studies`}>Studies</NavLink>
        <NavLink to={`/organizations/${id}/patients`}>Patients</NavLink>
      </nav>
    </>
  );
}
