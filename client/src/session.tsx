import type { User } from 'oidc-client-ts';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { userManager } from './auth.ts';

/** undefined while the stored session is being read; null when signed out. */
const SessionContext = createContext<User | null | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    const events = userManager.events;
    const loaded = (u: User) => setUser(u);
    const unloaded = () => setUser(null);
    events.addUserLoaded(loaded);
    events.addUserUnloaded(unloaded);
    events.addUserSignedOut(unloaded);
    events.addSilentRenewError(unloaded);
    void userManager.getUser().then((u) => setUser(u && !u.expired ? u : null));
    return () => {
      events.removeUserLoaded(loaded);
      events.removeUserUnloaded(unloaded);
      events.removeUserSignedOut(unloaded);
      events.removeSilentRenewError(unloaded);
    };
  }, []);
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
