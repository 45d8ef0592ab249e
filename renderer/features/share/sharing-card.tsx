/**
 * Shown while sharing: which folder, the one address to open (big, with Copy, Open and a
 * QR code for a phone's camera), and the other addresses folded away under "Other
 * addresses", each with plain words on who can reach it. Runs in: the renderer.
 *
 * The host ranks the addresses (server/host/net-info.ts: the default-route interface
 * first, Docker, VPN and the like demoted); the card keeps that order and only makes sure
 * an address someone else can open comes before this computer's own.
 */
import type { MouseEvent, ReactNode } from 'react';
import { mainAndOthers, reachOf, type NetInterface, type Reach, type ServerStatus, type ShareUrl } from '../../../electron/ipc-contract';
import { CopyButton } from '../../ui/copy-button';
import { QrCode } from '../../ui/qr-code';
import { bindLabel } from './bind-field';
import { useLoginLink } from './use-login-link';

type Running = Extract<ServerStatus, { state: 'running' }>;

export interface SharingCardProps {
  readonly status: Running;
  readonly interfaces: readonly NetInterface[];
  readonly busy: boolean;
  readonly onOpen: (url: string, ev: MouseEvent<HTMLAnchorElement>) => void;
  readonly onStop: () => void;
  /** Whether another device has connected, and help when it cannot (shown only where one could). */
  readonly reach?: ReactNode;
}

/** Last path segment, for the headline ("Sharing Public"). */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts.length > 0 ? parts[parts.length - 1]! : path;
}


/** What to do with the main address, in plain words, by who can open it. */
export const LEAD: Record<Reach, string> = {
  lan: 'On a phone or another computer on the same Wi-Fi or network, open:',
  vpn: 'On a device connected to the same VPN, open:',
  'link-local': 'On a device plugged straight into this computer, open:',
  loopback: 'Only this computer can open it:',
  virtual: "Only this computer's containers and virtual machines can open it:",
};

/** A QR code only helps where a phone can follow it. */
export function wantsQr(u: ShareUrl): boolean {
  const r = reachOf(u);
  return r === 'lan' || r === 'vpn' || r === 'link-local';
}

/** The URL with a line-break opportunity after `http://`, so a narrow card never splits the address itself. */
function breakAfterScheme(url: string) {
  const m = /^([a-z]+:\/\/)(.*)$/i.exec(url);
  return m ? (
    <>
      {m[1]}
      <wbr />
      {m[2]}
    </>
  ) : (
    url
  );
}

function Label({ u }: { readonly u: ShareUrl }) {
  return (
    <div className="url-label">
      {u.label}
      {u.family === 'IPv6' && <span className="url-family" title="An IPv6 address: some older devices cannot use it">IPv6</span>}
    </div>
  );
}

export function SharingCard({ status, interfaces, busy, onOpen, onStop, reach: reachHelp }: SharingCardProps) {
  const s = status.settings;
  const { main, others } = mainAndOthers(status.urls);
  const reach = main ? reachOf(main) : 'loopback';
  // With a password, what is handed out (QR code, Copy, Open) logs a phone in once.
  const login = useLoginLink(main?.url ?? null, s.password !== null, status.since);
  const handed = login.link ?? main?.url ?? '';
  const openHanded = (ev: MouseEvent<HTMLAnchorElement>) => {
    onOpen(handed, ev);
    if (login.hasKey) login.renew();
  };
  return (
    <div className="sharing-card" role="region" aria-labelledby="sharing-title">
      <div className="sharing-head">
        <span className="live-dot" aria-hidden="true" />
        <div>
          {/* Focus lands here after Share (share-panel.tsx), so a screen reader reads the card next. */}
          <h2 className="sharing-title" id="sharing-title" tabIndex={-1}>
            Sharing <span className="folder-name">{folderName(s.directory)}</span>
          </h2>
          <div className="sharing-path mono" title={s.directory}>{s.directory}</div>
        </div>
      </div>
      {status.folderGone && (
        <div className="folder-gone" role="alert" data-testid="folder-gone">
          <strong>{status.folderGone.message}</strong>
          <span>Since {new Date(status.folderGone.at).toLocaleTimeString()}. Put the folder back, or Stop and share another one.</span>
        </div>
      )}
      {main && (
        <section className="share-main" aria-label="Address of the shared folder">
          <p className="sharing-lead">{LEAD[reach]}</p>
          <div className={`url-item url-main url-${reach}`}>
            <Label u={main} />
            <a className="url-link url-big mono" href={main.url} target="_blank" rel="noopener noreferrer" onClick={(ev) => openHanded(ev)}>
              {breakAfterScheme(main.url)}
            </a>
            <div className="share-actions">
              <CopyButton text={handed} label={`Copy ${main.url}`} caption="Copy" onCopied={login.renew} />
              <a
                className="btn btn-small open-btn"
                href={main.url}
                target="_blank"
                rel="noopener noreferrer"
                aria-label={`Open ${main.url} in the browser`}
                onClick={(ev) => openHanded(ev)}
              >
                <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
                  <path d="M9 2.5h4.5V7M13.2 2.8 7.5 8.5M11.5 9.5v3a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1h3" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
                </svg>
                Open
              </a>
            </div>
          </div>
          {wantsQr(main) ? (
            <figure className="qr-figure">
              <QrCode value={handed} label={`QR code of ${main.url}`} />
              <figcaption>
                Or point a phone&apos;s camera at this code.
                {login.hasKey && ' It logs the phone in once, without the password, for the next 10 minutes.'}
              </figcaption>
            </figure>
          ) : (
            reach === 'loopback' && (
              <p className="share-hint">
                To open it on a phone, stop sharing and choose “All network interfaces” under “Who can connect”.
              </p>
            )
          )}
          {wantsQr(main) && reachHelp}
        </section>
      )}
      {others.length > 0 && (
        <details className="other-urls">
          <summary>Other addresses ({others.length})</summary>
          <ul className="url-list" aria-label="Other addresses of the shared folder">
            {others.map((u) => (
              <li key={u.url} className={`url-item url-${reachOf(u)}`}>
                <Label u={u} />
                {u.note !== undefined && <div className="url-note">{u.note}</div>}
                <div className="url-row">
                  <a className="url-link mono" href={u.url} target="_blank" rel="noopener noreferrer" onClick={(ev) => onOpen(u.url, ev)}>
                    {u.url}
                  </a>
                  <CopyButton text={u.url} label={`Copy ${u.url}`} />
                </div>
              </li>
            ))}
          </ul>
        </details>
      )}
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
