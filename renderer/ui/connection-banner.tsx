/**
 * Banner for web-transport trouble (lost contact, missing access key), in plain words.
 * Runs in: the renderer; renders nothing in Electron.
 */
import { useSyncExternalStore } from 'react';
import type { ConnectionMonitor, ConnectionState } from '../transport/web-client';

// useSyncExternalStore needs a stable snapshot: a fresh object per call loops forever (React #185).
const CONNECTED = { state: 'connected' as const };
const idle = { getState: () => CONNECTED, subscribe: () => () => {} };

/** The web transport's connection state ('connected' in Electron). */
export function useConnectionState(monitor: ConnectionMonitor | null): ConnectionState {
  const m = monitor ?? idle;
  return useSyncExternalStore(m.subscribe, m.getState, m.getState);
}

export function ConnectionBanner({ monitor }: { readonly monitor: ConnectionMonitor | null }) {
  const s = useConnectionState(monitor);
  if (s.state !== 'reconnecting' && s.state !== 'broken') return null;
  return (
    <div className={`conn-banner conn-${s.state}`} role="alert">
      {s.message}
    </div>
  );
}
