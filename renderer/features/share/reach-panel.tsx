/**
 * Inside the sharing card: what Servedir knows about reaching the share, in plain words.
 * "Waiting for another device" until the live log shows a request from an address that is
 * not this computer's own, then "Connected: 192.168.1.23 (iPhone)"; a warning when the
 * address shown big does not answer even from this computer (`net:self-check`); and a
 * folded "Phone can't connect?" panel: the causes and steps for this computer's OS, led by
 * the firewall facts the shell could read.
 *
 * Runs in: the renderer.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { checkLogBatch, logEntryAt, type SelfCheck, type ServerStatus } from '../../../electron/ipc-contract';
import { useApi } from '../../ui/app-context';
import { addVisitors, connectedText, ownHosts, type Visitor } from './visitors';

type Running = Extract<ServerStatus, { state: 'running' }>;

/** The firewall step for the OS Servedir runs on (AppInfo.platform). */
function firewallStep(platform: string, port: number): { title: string; text: ReactNode } {
  switch (platform) {
    case 'win32':
      return {
        title: 'Windows Defender Firewall',
        text: `On a network Windows calls Public, the firewall blocks other devices. If this is your home or office network, make it Private: Settings → Network & internet → Wi-Fi (or Ethernet) → your network → Network profile type → Private. If Windows asks whether to allow Servedir, choose Allow on private networks.`,
      };
    case 'darwin':
      return {
        title: 'The macOS firewall',
        text: 'In System Settings → Network → Firewall: if the firewall is on, open Options, allow incoming connections for Servedir, and make sure "Block all incoming connections" is off.',
      };
    case 'linux':
      return {
        title: 'The firewall',
        text: (
          <>
            Many Linux desktops have none on. With ufw, run <code className="mono">sudo ufw allow {port}/tcp</code> in a
            terminal; with firewalld (Fedora and others), <code className="mono">sudo firewall-cmd --add-port={port}/tcp</code>.
          </>
        ),
      };
    default:
      return {
        title: 'The firewall',
        text: `A firewall on this computer may block other devices: allow incoming connections to port ${port}, or to Servedir.`,
      };
  }
}

export function ReachPanel({ status, platform }: { readonly status: Running; readonly platform: string }) {
  const api = useApi();
  const own = useMemo(() => ownHosts(status.urls), [status.urls]);
  const [visitors, setVisitors] = useState<readonly Visitor[]>([]);
  const [check, setCheck] = useState<SelfCheck | null>(null);

  // Another device is seen in the live log (a new share starts waiting again).
  useEffect(() => {
    setVisitors([]);
    return api.on('log:batch', (batch) => {
      if (checkLogBatch(batch) !== null) return;
      const c = batch.columns;
      const entries = Array.from({ length: c.count }, (_, i) => logEntryAt(c, i));
      setVisitors((v) => addVisitors(v, entries, own));
    });
  }, [api, own, status.since]);

  // The self-check, once per share.
  useEffect(() => {
    let live = true;
    setCheck(null);
    api.invoke['net:self-check']().then(
      (r) => {
        if (live && r.ok) setCheck(r.value);
      },
      () => {
        // The check is a help, not a promise: without an answer the card says nothing.
      },
    );
    return () => {
      live = false;
    };
  }, [api, status.since]);

  const connected = connectedText(visitors);
  const fw = firewallStep(platform, status.port);
  return (
    <div className="reach">
      {connected ? (
        <p className="reach-status is-connected" role="status" data-testid="reach-status">
          <span className="reach-dot" aria-hidden="true" />
          {connected}
        </p>
      ) : (
        <p className="reach-status is-waiting" role="status" data-testid="reach-status">
          <span className="reach-dot" aria-hidden="true" />
          Waiting for another device…
        </p>
      )}
      {check && !check.answered && (
        <div className="reach-warning" role="alert" data-testid="self-check-failed">
          {check.message}
        </div>
      )}
      <details className="cant-connect" data-testid="cant-connect">
        <summary>Phone can&apos;t connect?</summary>
        {check && check.firewall.length > 0 && (
          <ul className="cant-connect-facts" aria-label="What Servedir found on this computer">
            {check.firewall.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        )}
        <ol className="cant-connect-steps">
          <li>
            <strong>The same Wi-Fi.</strong> The phone must be on the same Wi-Fi or network as this computer, not on mobile
            data. Check the network name on both.
          </li>
          <li>
            <strong>Guest networks.</strong> Guest Wi-Fi (in hotels, cafés, and the &quot;guest&quot; network of many home
            routers) often keeps devices from seeing each other. Use the main network, or the phone&apos;s hotspot with this
            computer connected to it.
          </li>
          <li>
            <strong>{fw.title}.</strong> {fw.text}
          </li>
          <li>
            <strong>The address.</strong> Type it exactly, with the :{status.port} at the end and http:// (not https://) at
            the start. A VPN on the phone or on this computer can get in the way: turn it off for a moment.
          </li>
        </ol>
      </details>
    </div>
  );
}
