/**
 * The Share panel: folder, port, bind address, protocol and the big Share/Stop button;
 * while sharing, the addresses. Errors appear in plain words next to the field they
 * concern (ServerStatus 'failed' → Failure.field).
 *
 * Runs in: the renderer. The form is a draft (component state); it is saved with
 * `settings:update` only when the user presses Share, then `server:start` runs.
 */
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import type {
  AppInfo,
  Failure,
  FolderInfo,
  HostNotice,
  NetInterface,
  ProtocolVersion,
  ServerStatus,
  Settings,
  SettingsField,
  SettingsPatch,
  ShareRisk,
} from '../../../electron/ipc-contract';
import { useApi } from '../../ui/app-context';
import { BindField, CUSTOM_BIND } from './bind-field';
import { FolderBrowser } from './folder-browser';
import { FolderField } from './folder-field';
import { PortField } from './port-field';
import { ReachPanel } from './reach-panel';
import { ProtocolField } from './protocol-field';
import { SharingCard } from './sharing-card';
import { useFolderDrop } from './use-folder-drop';
import { checkBindAddress, parsePort } from './validate';

type ErrorSlot = SettingsField | 'general';
type Errors = Partial<
  Record<ErrorSlot, { readonly message: string; readonly suggestedPort?: number; readonly code?: Failure['code'] }>
>;

/** Offered when a port needs administrator rights and the shell suggested none. */
const UNPRIVILEGED_PORT = 8000;

interface Draft {
  readonly directory: string;
  readonly portText: string;
  readonly bindChoice: string;
  readonly bindCustom: string;
  readonly protocolVersion: ProtocolVersion;
}

function draftFrom(s: Settings, interfaces: readonly NetInterface[]): Draft {
  const known = s.bind === '' || interfaces.some((i) => i.address === s.bind);
  return {
    directory: s.directory,
    portText: String(s.port),
    bindChoice: known ? s.bind : CUSTOM_BIND,
    bindCustom: known ? '' : s.bind,
    protocolVersion: s.protocolVersion,
  };
}

function failureErrors(f: Failure): Errors {
  const suggestedPort =
    f.suggestedPort ?? (f.code === 'SRV_ERR_PORT_PRIVILEGED' ? UNPRIVILEGED_PORT : undefined);
  return { [f.field ?? 'general']: { message: f.message, suggestedPort, code: f.code } };
}

const errorText = (e: unknown): string =>
  e instanceof Error && e.message ? e.message : 'Something went wrong. Please try again.';

const CRASH_HEADLINE = 'The server stopped unexpectedly.';
/** The shell's crash message without the headline we already show. */
const crashDetail = (message: string): string =>
  message.startsWith(CRASH_HEADLINE) ? message.slice(CRASH_HEADLINE.length).trim() : message;

/** What the shell did on its own about the server process (restarted, replaced or ended it), and when. */
function HostNoticeBanner({ notice }: { readonly notice: HostNotice }) {
  return (
    <div className="crash-banner" role="status" data-testid="host-notice">
      <strong>{notice.message}</strong>
      <span>At {new Date(notice.at).toLocaleTimeString()}.</span>
    </div>
  );
}

/** The question's headline, per risk; the shell's message names what becomes visible. */
const CONFIRM_HEADLINE: Readonly<Record<ShareRisk, string>> = {
  disk: 'Share a whole disk?',
  system: 'Share a system folder?',
  home: 'Share your whole home folder?',
};

/**
 * Asks before sharing a risky folder (the shell refused with APP_ERR_NEEDS_CONFIRMATION):
 * what becomes visible, in the shell's words, and a way back that is the easy choice.
 */
function ConfirmShare({
  risk,
  message,
  busy,
  onConfirm,
  onCancel,
}: {
  readonly risk: ShareRisk;
  readonly message: string;
  readonly busy: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <div
      className="confirm-share"
      role="alertdialog"
      aria-labelledby="confirm-share-title"
      aria-describedby="confirm-share-text"
      data-testid="confirm-share"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <strong id="confirm-share-title">{CONFIRM_HEADLINE[risk]}</strong>
      <p id="confirm-share-text">{message}</p>
      <p className="confirm-share-hint">A folder made for sharing, with only what you want people to see, is safer.</p>
      <div className="confirm-share-actions">
        <button ref={cancelRef} type="button" className="btn btn-primary" disabled={busy} onClick={onCancel}>
          Choose another folder
        </button>
        <button type="button" className="btn btn-stop" disabled={busy} onClick={onConfirm}>
          Share it anyway
        </button>
      </div>
    </div>
  );
}

const MSG_DROP_IN_BROWSER =
  'This browser does not tell Servedir where a dropped folder is. Press Browse… or type the folder’s path in the box instead.';

export interface SharePanelProps {
  readonly info: AppInfo;
  readonly settings: Settings;
  readonly status: ServerStatus;
  readonly interfaces: readonly NetInterface[];
  readonly onSettings: (s: Settings) => void;
  readonly onStatus: (s: ServerStatus) => void;
}

export function SharePanel({ info, settings, status, interfaces, onSettings, onStatus }: SharePanelProps) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(settings, interfaces));
  const [errors, setErrors] = useState<Errors>({});
  const [folderInfo, setFolderInfo] = useState<FolderInfo | null>(null);
  const [busy, setBusy] = useState(false);
  /** The shell asked before sharing a risky folder. */
  const [confirm, setConfirm] = useState<{ readonly risk: ShareRisk; readonly message: string } | null>(null);
  const [canChoose, setCanChoose] = useState(info.transport === 'electron');
  /** The folder browser (browser mode) is open. */
  const [browsing, setBrowsing] = useState(false);
  const checkSeq = useRef(0);
  /** Where the focus goes once Share or Stop (pressed here) has taken effect. */
  const focusNext = useRef<'card' | 'share' | null>(null);
  const shareButtonRef = useRef<HTMLButtonElement>(null);
  const running = status.state === 'running';
  const starting = status.state === 'starting';
  const locked = running || starting || busy;

  // After Share the sharing card takes the place of the form: the focus goes to its heading (a
  // screen reader reads the card); after Stop, back to the Share button.
  useEffect(() => {
    if (running && focusNext.current === 'card') document.getElementById('sharing-title')?.focus();
    // (Once the button is enabled again: a disabled button takes no focus.)
    else if (status.state === 'stopped' && !busy && focusNext.current === 'share') shareButtonRef.current?.focus();
    else return;
    focusNext.current = null;
  }, [running, status.state, busy]);

  // The interface list arrives after the settings: re-derive the bind choice once.
  useEffect(() => {
    setDraft((d) => (d.bindChoice === CUSTOM_BIND && interfaces.some((i) => i.address === d.bindCustom) ? { ...d, bindChoice: d.bindCustom, bindCustom: '' } : d));
  }, [interfaces]);

  // A failed start (from any source, also a status event) lands next to its field.
  useEffect(() => {
    if (status.state !== 'failed') return;
    // A risky folder reached by a change made while sharing: asked, as after Share.
    const f = status.error;
    if (f.code === 'APP_ERR_NEEDS_CONFIRMATION' && f.confirm) setConfirm({ risk: f.confirm, message: f.message });
    else setErrors(failureErrors(f));
  }, [status]);

  const update = (patch: Partial<Draft>, clear: readonly ErrorSlot[]) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const k of clear) delete next[k];
      delete next.general;
      return next;
    });
  };

  const checkFolder = useCallback(
    async (path: string) => {
      const p = path.trim();
      setDraft((d) => ({ ...d, directory: p }));
      if (p === '') {
        setFolderInfo(null);
        return;
      }
      const seq = ++checkSeq.current;
      try {
        const r = await api.invoke['folder:check'](p);
        if (seq !== checkSeq.current) return;
        if (r.ok) {
          setFolderInfo(r.value);
          // Keep what the user typed meanwhile; otherwise take the shell's tidied path.
          setDraft((d) => (d.directory === p ? { ...d, directory: r.value.path } : d));
          setErrors((e) => ({ ...e, directory: undefined }));
        } else {
          setFolderInfo(null);
          setErrors((e) => ({ ...e, directory: { message: r.message } }));
        }
      } catch (e) {
        if (seq === checkSeq.current) setErrors((x) => ({ ...x, directory: { message: errorText(e) } }));
      }
    },
    [api],
  );

  // Show "N items" for the saved folder right away.
  useEffect(() => {
    if (settings.directory !== '') void checkFolder(settings.directory);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const choose = async () => {
    try {
      const r = await api.invoke['dialog:choose-folder']();
      if (r.ok) {
        if (r.value !== null) await checkFolder(r.value);
      } else if (r.code === 'APP_ERR_UNSUPPORTED') {
        setCanChoose(false);
      } else setErrors((e) => ({ ...e, directory: { message: r.message } }));
    } catch (e) {
      setErrors((x) => ({ ...x, directory: { message: errorText(e) } }));
    }
  };

  const onDropFile = useCallback(
    (file: File) => {
      const path = api.pathForFile(file);
      if (path === null) setErrors((e) => ({ ...e, directory: { message: MSG_DROP_IN_BROWSER } }));
      else void checkFolder(path);
    },
    [api, checkFolder],
  );
  const dragging = useFolderDrop(!locked, onDropFile);

  const freePort = async () => {
    try {
      const p = await api.invoke['net:free-port']();
      update({ portText: String(p) }, ['port']);
    } catch (e) {
      setErrors((x) => ({ ...x, port: { message: errorText(e) } }));
    }
  };

  /** Validates the draft, saves what changed, then starts sharing. */
  const share = async (override: Partial<Draft> = {}) => {
    const d = { ...draft, ...override };
    const next: Errors = {};
    const port = parsePort(d.portText);
    if (!port.ok) next.port = { message: port.message };
    const bind = checkBindAddress(d.bindChoice === CUSTOM_BIND ? d.bindCustom : d.bindChoice);
    if (!bind.ok) next.bind = { message: bind.message };
    const directory = d.directory.trim();
    if (directory === '') next.directory = { message: 'Choose the folder you want to share first.' };
    setErrors(next);
    if (!port.ok || !bind.ok || directory === '') return;

    const wanted: Required<Pick<SettingsPatch, 'directory' | 'port' | 'bind' | 'protocolVersion'>> = {
      directory,
      port: port.value,
      bind: bind.value,
      protocolVersion: d.protocolVersion,
    };
    const patch: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(wanted)) if (settings[k as keyof typeof wanted] !== v) patch[k] = v;

    setBusy(true);
    try {
      if (Object.keys(patch).length > 0) {
        const saved = await api.invoke['settings:update'](patch as SettingsPatch);
        if (!saved.ok) {
          setErrors(failureErrors(saved));
          return;
        }
        onSettings(saved.value);
      }
      await start();
    } catch (e) {
      setErrors({ general: { message: errorText(e) } });
    } finally {
      setBusy(false);
    }
  };

  /** `server:start`; a risky folder is asked about first, then started with the answer. */
  const start = async (confirmed?: ShareRisk) => {
    // Set first: the running status may arrive as an event before the answer does.
    focusNext.current = 'card';
    const started = await api.invoke['server:start'](...(confirmed ? [{ confirmed }] : []));
    if (!started.ok) focusNext.current = null;
    if (started.ok) {
      setConfirm(null);
      onStatus(started.value);
      // The shell put the folder first among the recent ones once it was shared.
      void api.invoke['settings:get']().then(onSettings, () => {});
    } else if (started.code === 'APP_ERR_NEEDS_CONFIRMATION' && started.confirm) {
      setConfirm({ risk: started.confirm, message: started.message });
    } else {
      setConfirm(null);
      setErrors(failureErrors(started));
    }
  };

  const confirmShare = async (risk: ShareRisk) => {
    setBusy(true);
    try {
      await start(risk);
    } catch (e) {
      setErrors({ general: { message: errorText(e) } });
    } finally {
      setBusy(false);
    }
  };

  const stop = async () => {
    focusNext.current = 'share';
    setBusy(true);
    try {
      onStatus(await api.invoke['server:stop']());
    } catch (e) {
      setErrors({ general: { message: errorText(e) } });
    } finally {
      setBusy(false);
    }
  };

  const openUrl = (url: string, ev: MouseEvent<HTMLAnchorElement>) => {
    // A browser tab opens links itself; Electron denies new windows and asks the shell.
    if (info.transport === 'web') return;
    ev.preventDefault();
    void api.invoke['shell:open-url'](url).then(
      (r) => {
        if (!r.ok) setErrors((e) => ({ ...e, general: { message: r.message } }));
      },
      (e) => setErrors((x) => ({ ...x, general: { message: errorText(e) } })),
    );
  };

  if (status.state === 'running') {
    return (
      <>
        {status.notice && <HostNoticeBanner notice={status.notice} />}
        <SharingCard
          status={status}
          interfaces={interfaces}
          busy={busy}
          onOpen={openUrl}
          onStop={() => void stop()}
          reach={<ReachPanel status={status} platform={info.platform} />}
        />
        {errors.general && <div className="form-error" role="alert">{errors.general.message}</div>}
      </>
    );
  }

  const err = (k: ErrorSlot) => errors[k]?.message ?? null;
  return (
    <form
      className="share-form"
      aria-label="Share a folder"
      onSubmit={(e) => {
        e.preventDefault();
        if (!locked) void share();
      }}
    >
      {status.state === 'stopped' && status.notice && <HostNoticeBanner notice={status.notice} />}
      {status.state === 'crashed' && (
        <div className="crash-banner" role="alert">
          <strong>{CRASH_HEADLINE}</strong>
          {crashDetail(status.message) !== '' && <span>{crashDetail(status.message)}</span>}
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void share()}>
            Restart
          </button>
        </div>
      )}
      <FolderField
        value={draft.directory}
        info={folderInfo}
        error={err('directory')}
        recent={settings.recentFolders.filter((f) => f !== draft.directory)}
        canChoose={canChoose}
        suggested={info.suggestedFolder}
        disabled={locked}
        onChange={(v) => {
          update({ directory: v }, ['directory']);
          setFolderInfo(null);
          setConfirm(null);
        }}
        onCommit={(v) => void checkFolder(v)}
        onChoose={() => void choose()}
        onBrowse={() => setBrowsing(true)}
      />
      {browsing && (
        <FolderBrowser
          start={/^(\/|[A-Za-z]:[\\/])/.test(draft.directory.trim()) ? draft.directory.trim() : null}
          recent={settings.recentFolders}
          onChoose={(p) => {
            setBrowsing(false);
            update({ directory: p }, ['directory']);
            // The same check as a typed path (the desktop's dialog result goes through it too).
            void checkFolder(p);
            requestAnimationFrame(() => document.getElementById('folder-browse')?.focus());
          }}
          onClose={() => {
            setBrowsing(false);
            requestAnimationFrame(() => document.getElementById('folder-browse')?.focus());
          }}
        />
      )}
      <PortField
        value={draft.portText}
        error={err('port')}
        suggestedPort={errors.port?.suggestedPort ?? null}
        disabled={locked}
        onChange={(v) => update({ portText: v }, ['port'])}
        onFreePort={() => void freePort()}
        onUseSuggested={(p) => {
          update({ portText: String(p) }, ['port']);
          void share({ portText: String(p) });
        }}
      />
      <BindField
        interfaces={interfaces}
        choice={draft.bindChoice}
        custom={draft.bindCustom}
        error={err('bind')}
        disabled={locked}
        onChoice={(v) => update({ bindChoice: v }, ['bind'])}
        onCustom={(v) => update({ bindCustom: v }, ['bind'])}
      />
      <ProtocolField
        value={draft.protocolVersion}
        disabled={locked}
        error={err('protocolVersion')}
        onChange={(v) => update({ protocolVersion: v }, ['protocolVersion'])}
      />
      {err('cgi') !== null && <div className="form-error" role="alert">{err('cgi')} (see Settings)</div>}
      {confirm && (
        <ConfirmShare
          risk={confirm.risk}
          message={confirm.message}
          busy={busy}
          onConfirm={() => void confirmShare(confirm.risk)}
          onCancel={() => {
            setConfirm(null);
            document.getElementById('folder-input')?.focus();
          }}
        />
      )}
      <button ref={shareButtonRef} type="submit" className="btn btn-primary btn-big" disabled={locked || confirm !== null}>
        {starting || busy ? 'Starting…' : 'Share this folder'}
      </button>
      {errors.general && <div className="form-error" role="alert">{errors.general.message}</div>}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop a folder to share it</div>
        </div>
      )}
    </form>
  );
}
