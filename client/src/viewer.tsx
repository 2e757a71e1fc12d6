import { createContext, type ReactNode, useContext } from 'react';
import { useQuery } from 'urql';
import { signIn, userManager } from './auth.ts';
import { ErrorNote, Loading } from './components/ui.tsx';
import { graphql, type ResultOf } from './graphql.ts';

const OrgNode = graphql(`
  fragment OrgNode on Organization {
    id
    name
    type
    viewerRole
  }
`);

export const ViewerQuery = graphql(
  `
    query Viewer {
      me {
        id
        email
        firstName
        lastName
        isSuperuser
        kind
        patient {
          id
        }
      }
      viewerCan {
        createTopLevelOrganization
        editDataSources
        editCodes
        registerClients
        manageClients
        readAuditTrail
        managePractitionerAccounts
      }
      organizations {
        ...OrgNode
        children {
          ...OrgNode
          children {
            ...OrgNode
            children {
              ...OrgNode
              children {
                ...OrgNode
              }
            }
          }
        }
      }
    }
  `,
  [OrgNode],
);

export type ViewerData = ResultOf<typeof ViewerQuery>;
export type Me = NonNullable<ViewerData['me']>;

/** A node of the organization tree as the sidebar and the switcher show it. */
export interface OrgTreeNode {
  id: string;
  name: string;
  depth: number;
  children: OrgTreeNode[];
}

type RawNode = { id: string; name: string; children?: readonly RawNode[] };

/**
 * The viewer's organizations as a forest: an organization that also appears inside another's subtree is
 * shown there, not twice.
 */
export function organizationForest(organizations: readonly RawNode[]): OrgTreeNode[] {
  const nested = new Set<string>();
  const collect = (n: RawNode) => n.children?.forEach((c) => (nested.add(c.id), collect(c)));
  organizations.forEach(collect);
  const build = (n: RawNode, depth: number): OrgTreeNode => ({
    id: n.id,
    name: n.name,
    depth,
    children: (n.children ?? []).map((c) => build(c, depth + 1)),
  });
  return organizations.filter((o) => !nested.has(o.id)).map((o) => build(o, 0));
}

export function flatten(forest: OrgTreeNode[]): OrgTreeNode[] {
  return forest.flatMap((n) => [n, ...flatten(n.children)]);
}

/** The stored tokens no longer work (expired refresh token, ended session): sign in again. */
function SessionEnded() {
  return (
    <main className="centered">
      <h1>Your session has ended</h1>
      <p>
        <button type="button" className="primary" onClick={() => void userManager.removeUser().then(() => signIn())}>
          Sign in again
        </button>
      </p>
    </main>
  );
}

interface ViewerContextValue {
  me: Me;
  /** what the server's policy lets the viewer do anywhere (roles and the session's token) */
  can: ViewerData['viewerCan'];
  forest: OrgTreeNode[];
}

const ViewerContext = createContext<ViewerContextValue | null>(null);

export function ViewerProvider({ children }: { children: ReactNode }) {
  const [{ data, fetching, error }] = useQuery({ query: ViewerQuery });
  if (fetching && !data) return <Loading what="Loading your account" />;
  if (error) return <ErrorNote error={error} />;
  if (!data?.me) return <SessionEnded />;
  return (
    <ViewerContext.Provider
      value={{ me: data.me, can: data.viewerCan, forest: organizationForest(data.organizations) }}
    >
      {children}
    </ViewerContext.Provider>
  );
}

export function useViewer(): ViewerContextValue {
  const value = useContext(ViewerContext);
  if (!value) throw new Error('useViewer outside ViewerProvider');
  return value;
}
