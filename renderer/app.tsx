/**
 * The Servedir window: header with the sharing status, a side panel (Share / Settings)
 * and the live request log.
 *
 * Runs in: the renderer. Talks to the app only through the ServedirApi
 * (electron/ipc-contract.ts), via Electron IPC or the web fallback transport.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AppInfo, NetInterface, ServerStatus, Settings } from '../electron/ipc-contract';
import type { AppApi } from './api';
import { ApiContext } from './ui/app-context';
import { ConnectionBanner, useConnectionState } from './ui/connection-banner';
import { SharePanel } from './features/share/share-panel';
import { SettingsPane } from './features/settings/settings-pane';
import { RequestLog } from './features/request-log/request-log';
import { LogStore } from './features/request-log/log-store';
import { folderName } from './features/share/sharing-card';

interface Boot {
  readonly info: AppInfo;
  readonly settings: Settings;
  readonly interfaces: readonly NetInterface[];
}

/** One sentence for screen readers when the sharing state changes. */
function announcement(s: ServerStatus): string {
  switch (s.state) {
    case 'stopped':
      return s.notice ? s.notice.message : 'Sharing stopped.';
    case 'starting':
      return 'Starting to share…';
    case 'running':
      if (s.folderGone) return s.folderGone.message;
      return `${s.notice ? `${s.notice.message} ` : ''}Sharing ${folderName(s.settings.directory)} at ${s.urls[0]?.url ?? `port ${s.port}`}.`;
    case 'failed':
      return `Could not share: ${s.error.message}`;
    case 'crashed':
      return s.message;
  }
}

function StatusPill({ status }: { readonly status: ServerStatus }) {
  const [cls, text] =
    status.state === 'running'
      ? status.folderGone
        ? ['bad', 'Shared folder missing']
        : ['on', `Sharing on port ${status.port}`]
      : status.state === 'starting'
        ? ['busy', 'Starting…']
        : status.state === 'crashed'
          ? ['bad', 'Stopped unexpectedly']
          : ['off', 'Not sharing'];
  return (
    <span className={`pill pill-${cls}`} data-testid="status-pill">
      <span className="pill-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export function App({ app }: { readonly app: AppApi }) {
  const { api, connection } = app;
  const [store] = useState(() => new LogStore());
  const [boot, setBoot] = useState<Boot | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [status, setStatus] = useState<ServerStatus>({ state: 'stopped' });
  const [tab, setTab] = useState<'share' | 'settings'>('share');
  const [noticeDismissed, setNoticeDismissed] = useState(false);
  // Announce changes only, not the state found at start-up.
  const [announced, setAnnounced] = useState<{ status: ServerStatus | null; text: string }>({ status: null, text: '' });
  // app:ready brings a new status object even when nothing changed (stopped → stopped at
  // start-up): compare the sentences, so a screen reader is not told "Sharing stopped."
  // when the window opens.
  if (announced.status !== status) {
    const prev = announced.status;
    const same = prev === null || announcement(prev) === announcement(status);
    setAnnounced({ status, text: same ? announced.text : announcement(status) });
  }

  const load = useCallback(async () => {
    try {
      const [info, s, interfaces] = await Promise.all([
        api.invoke['app:info'](),
        api.invoke['settings:get'](),
        api.invoke['net:interfaces'](),
      ]);
      setBoot({ info, settings: s, interfaces });
      setSettings(s);
      setBootError(null);
      setStatus(await api.invoke['app:ready']());
    } catch (e) {
      setBootError(e instanceof Error ? e.message : String(e));
    }
  }, [api]);

  useEffect(() => {
    let runningSince: number | null = null;
    const offStatus = api.on('server:status', (s) => {
      // A server that stopped, crashed or was replaced sends no more final entries: its rows
      // still in progress were cut short. ('starting' comes before a replaced server's last
      // entries; a new 'running' after them.)
      const replaced = s.state === 'running' && runningSince !== null && s.since !== runningSince;
      if (s.state === 'stopped' || s.state === 'crashed' || s.state === 'failed' || replaced) store.settleInProgress();
      if (s.state === 'running') runningSince = s.since;
      else if (s.state !== 'starting') runningSince = null;
      setStatus(s);
    });
    const offLog = api.on('log:batch', (b) => store.append(b));
    const offReconnect = connection?.onReconnect(() => void load());
    void load();
    return () => {
      offStatus();
      offLog();
      offReconnect?.();
    };
  }, [api, connection, store, load]);

  const sharing = status.state === 'running';
  useEffect(() => {
    document.title = status.state === 'running' ? `Sharing ${folderName(status.settings.directory)} — Servedir` : 'Servedir';
  }, [status]);
  // When the link itself is refused, the banner says what to do; do not repeat it here.
  const broken = useConnectionState(connection).state === 'broken';

  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <header className="topbar">
          <div className="brand">
            <svg className="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path d="M3 7.5A2.5 2.5 0 0 1 5.5 5H10l2 2h6.5A2.5 2.5 0 0 1 21 9.5v7A2.5 2.5 0 0 1 18.5 19h-13A2.5 2.5 0 0 1 3 16.5z" fill="currentColor" opacity=".18" />
              <path d="M3 7.5A2.5 2.5 0 0 1 5.5 5H10l2 2h6.5A2.5 2.5 0 0 1 21 9.5v7A2.5 2.5 0 0 1 18.5 19h-13A2.5 2.5 0 0 1 3 16.5z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
              <path d="M9 13.5a4.2 4.2 0 0 1 6 0M10.6 15.4a1.9 1.9 0 0 1 2.8 0" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
            <h1>Servedir</h1>
          </div>
          <StatusPill status={status} />
          <div className="sr-only" aria-live="polite" role="status">{announced.text}</div>
        </header>
        <ConnectionBanner monitor={connection} />
        {boot?.info.settingsKeptAside !== undefined && !noticeDismissed && (
          <div className="notice-banner" role="status">
            <span>
              Servedir could not read all of its saved settings, so the ones it could not read are back to
              their defaults. Check the folder and choices below before you share. The old settings file was
              kept as{' '}
              <code className="mono">{boot.info.settingsKeptAside}</code>.
            </span>
            <button type="button" className="btn btn-small" onClick={() => setNoticeDismissed(true)}>
              OK
            </button>
          </div>
        )}
        <div className="layout">
          <aside className="side">
            <div
              className="tabs"
              role="tablist"
              aria-label="Panels"
              onKeyDown={(e) => {
                // WAI-ARIA tabs: arrows move between tabs (roving tabindex).
                if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
                e.preventDefault();
                const next = tab === 'share' ? 'settings' : 'share';
                setTab(next);
                document.getElementById(`tab-${next}`)?.focus();
              }}
            >
              {(['share', 'settings'] as const).map((t) => (
                <button
                  key={t}
                  type="button"
                  role="tab"
                  id={`tab-${t}`}
                  aria-controls={`panel-${t}`}
                  aria-selected={tab === t}
                  tabIndex={tab === t ? 0 : -1}
                  onClick={() => setTab(t)}
                >
                  {t === 'share' ? 'Share' : 'Settings'}
                </button>
              ))}
            </div>
            <div className="side-scroll">
              {broken && boot === null && <p className="muted loading">Open the link Servedir printed to continue.</p>}
              {bootError !== null && !broken && (
                <div className="form-error" role="alert">
                  {bootError}{' '}
                  <button type="button" className="btn btn-small btn-inline" onClick={() => void load()}>Try again</button>
                </div>
              )}
              {boot === null || settings === null ? (
                bootError === null && !broken && <p className="muted loading">Loading…</p>
              ) : (
                <>
                  <div role="tabpanel" id="panel-share" aria-labelledby="tab-share" hidden={tab !== 'share'}>
                    <SharePanel
                      info={boot.info}
                      settings={settings}
                      status={status}
                      interfaces={boot.interfaces}
                      onSettings={setSettings}
                      onStatus={setStatus}
                    />
                  </div>
                  <div role="tabpanel" id="panel-settings" aria-labelledby="tab-settings" hidden={tab !== 'settings'}>
                    <SettingsPane settings={settings} sharing={sharing} transport={boot.info.transport} onSettings={setSettings} />
                  </div>
                </>
              )}
            </div>
          </aside>
          <RequestLog
            store={store}
            sharing={sharing}
            onOpenFolder={(urlPath) => api.invoke['shell:open-folder'](urlPath).then((r) => (r.ok ? null : r.message))}
          />
        </div>
      </div>
    </ApiContext.Provider>
  );
}
