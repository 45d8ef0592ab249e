/**
 * Banner for web-transport trouble (lost contact, missing access key), in plain words.
 * Runs in: the renderer; renders nothing in Electron.
 */
import { useSyncExternalStore } from 'react';
import type { ConnectionMonitor } from '../transport/web-client';

// useSyncExternalStore needs a stable snapshot: a fresh object per call loops forever (React #185).
const CONNECTED = { state: 'connected' as const };
const idle = { getState: () => CONNECTED, subscribe: () => () => {} };

export function ConnectionBanner({ monitor }: { readonly monitor: ConnectionMonitor | null }) {
  const m = monitor ?? idle;
  const s = useSyncExternalStore(m.subscribe, m.getState, m.getState);
  if (s.state !== 'reconnecting' && s.state !== 'broken') return null;
  return (
    <div className={`conn-banner conn-${s.state}`} role="alert">
      {s.message}
    </div>
  );
}
