/**
 * Shown while sharing: which folder, and every address it can be opened at (LAN first),
 * each clickable and copyable. Runs in: the renderer.
 */
import type { MouseEvent } from 'react';
import type { NetInterface, ServerStatus, ShareUrl } from '../../../electron/ipc-contract';
import { CopyButton } from '../../ui/copy-button';
import { bindLabel } from './bind-field';

type Running = Extract<ServerStatus, { state: 'running' }>;

export interface SharingCardProps {
  readonly status: Running;
  readonly interfaces: readonly NetInterface[];
  readonly busy: boolean;
  readonly onOpen: (url: string, ev: MouseEvent<HTMLAnchorElement>) => void;
  readonly onStop: () => void;
}

/** Last path segment, for the headline ("Sharing Public"). */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts.length > 0 ? parts[parts.length - 1]! : path;
}

/** LAN addresses first (what another device needs), keeping the shell's order otherwise. */
export function lanFirst(urls: readonly ShareUrl[]): ShareUrl[] {
  return [...urls.filter((u) => u.scope === 'lan'), ...urls.filter((u) => u.scope !== 'lan')];
}

export function SharingCard({ status, interfaces, busy, onOpen, onStop }: SharingCardProps) {
  const s = status.settings;
  const urls = lanFirst(status.urls);
  const lan = urls.filter((u) => u.scope === 'lan');
  return (
    <div className="sharing-card">
      <div className="sharing-head">
        <span className="live-dot" aria-hidden="true" />
        <div>
          <h2 className="sharing-title">
            Sharing <span className="folder-name">{folderName(s.directory)}</span>
          </h2>
          <div className="sharing-path mono" title={s.directory}>{s.directory}</div>
        </div>
      </div>
      <p className="sharing-lead">
        {lan.length > 0
          ? 'Open one of these addresses on another device on the same network:'
          : 'Open this address in a browser on this computer:'}
      </p>
      <ul className="url-list" aria-label="Addresses of the shared folder">
        {urls.map((u) => (
          <li key={u.url} className={`url-item url-${u.scope}`}>
            <div className="url-label">
              {u.label}
              {u.family === 'IPv6' && <span className="url-family" title="An IPv6 address: some older devices cannot use it">IPv6</span>}
            </div>
            <div className="url-row">
              <a className="url-link mono" href={u.url} target="_blank" rel="noopener noreferrer" onClick={(ev) => onOpen(u.url, ev)}>
                {u.url}
              </a>
              <CopyButton text={u.url} label={`Copy ${u.url}`} />
            </div>
          </li>
        ))}
      </ul>
      <p className="sharing-meta">
        Port {status.port} · {bindLabel(s.bind, interfaces)} · {s.protocolVersion}
        {s.cgi ? ' · Scripts on' : ''}
      </p>
      <button type="button" className="btn btn-stop btn-big" disabled={busy} onClick={onStop}>
        Stop sharing
      </button>
    </div>
  );
}
