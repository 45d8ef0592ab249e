/**
 * React context carrying the app API, so components deep in the tree reach it without
 * props threading. Runs in: the renderer.
 */
import { createContext, useContext } from 'react';
import type { ServedirApi } from '../../electron/ipc-contract';

export const ApiContext = createContext<ServedirApi | null>(null);

/** The app API; throws if used outside <ApiContext.Provider> (a bug, not a user error). */
export function useApi(): ServedirApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi() outside ApiContext');
  return api;
}
