/**
 * The Settings pane: the password (its own channels), scripts (CGI), then the switches and choices of the settings table
 * (server/share-settings.ts, one section per `section`). A draft saved with
 * `settings:update`; a Failure shows next to its field. While sharing, the app restarts the
 * server with the new settings. Runs in: the renderer.
 */
import { useState } from 'react';
import { changeRestartsSharing, SETTING_CONTROLS, type SettingControl, type Settings, type SettingsPatch } from '../../../electron/ipc-contract';
import { useApi } from '../../ui/app-context';
import { checkCgiDirectories } from '../share/validate';
import { CgiSection } from './cgi-section';
import { PasswordSection } from './password-section';
import { ControlSection, controlSections, type ControlValue } from './switch-section';

type ControlKey = SettingControl['key'];

interface Draft {
  readonly cgi: boolean;
  readonly cgiDirectories: readonly string[];
  /** The table's switches and choices, by key. */
  readonly controls: Readonly<Record<ControlKey, ControlValue>>;
}

const draftFrom = (s: Settings): Draft => ({
  cgi: s.cgi,
  cgiDirectories: s.cgiDirectories,
  controls: Object.fromEntries(SETTING_CONTROLS.map((row) => [row.key, s[row.key]])) as Record<ControlKey, ControlValue>,
});

const SECTIONS = controlSections(SETTING_CONTROLS);
const WEB_SECTIONS = controlSections(SETTING_CONTROLS.filter((row) => !row.desktopOnly));

export interface SettingsPaneProps {
  readonly settings: Settings;
  readonly sharing: boolean;
  /** The browser mode has no tray and cannot keep the computer awake: the desktop app's own rows are left out. */
  readonly transport: 'electron' | 'web';
  readonly onSettings: (s: Settings) => void;
}

export function SettingsPane({ settings, sharing, transport, onSettings }: SettingsPaneProps) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(settings));
  const [errors, setErrors] = useState<{ cgi?: string; dirs?: string; general?: string; controls?: Partial<Record<ControlKey, string>> }>({});
  const [saved, setSaved] = useState<'idle' | 'saving' | 'saved'>('idle');
  /** Whether the last save changed how the folder is shared (so sharing restarted). */
  const [restartedOnSave, setRestartedOnSave] = useState(false);

  const change = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors({});
    setSaved('idle');
  };

  const dirsCheck = checkCgiDirectories(draft.cgiDirectories);
  const patch: SettingsPatch = {
    ...(draft.cgi !== settings.cgi ? { cgi: draft.cgi } : {}),
    ...Object.fromEntries(SETTING_CONTROLS.filter((row) => draft.controls[row.key] !== settings[row.key]).map((row) => [row.key, draft.controls[row.key]])),
    ...(dirsCheck.ok && dirsCheck.value.join('\n') !== settings.cgiDirectories.join('\n')
      ? { cgiDirectories: dirsCheck.value }
      : {}),
  };
  const dirty = Object.keys(patch).length > 0;

  const save = async () => {
    if (!dirsCheck.ok) {
      setErrors({ dirs: dirsCheck.message });
      return;
    }
    if (Object.keys(patch).length === 0) return;
    setSaved('saving');
    try {
      const r = await api.invoke['settings:update'](patch);
      if (r.ok) {
        onSettings(r.value);
        setDraft(draftFrom(r.value));
        setRestartedOnSave(changeRestartsSharing(Object.keys(patch)));
        setSaved('saved');
      } else {
        setSaved('idle');
        const row = SETTING_CONTROLS.find((w) => w.field === r.field);
        setErrors(r.field === 'cgi' ? { cgi: r.message } : row ? { controls: { [row.key]: r.message } } : { general: r.message });
      }
    } catch (e) {
      setSaved('idle');
      setErrors({ general: e instanceof Error ? e.message : 'Could not save the settings.' });
    }
  };

  return (
    <form
      className="settings-pane"
      aria-label="Settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <PasswordSection settings={settings} sharing={sharing} onSettings={onSettings} />
      <CgiSection
        enabled={draft.cgi}
        directories={draft.cgiDirectories}
        enabledError={errors.cgi ?? null}
        directoriesError={errors.dirs ?? (dirsCheck.ok ? null : dirsCheck.message)}
        onEnabled={(cgi) => change({ cgi })}
        onDirectories={(cgiDirectories) => change({ cgiDirectories })}
      />
      {(transport === 'electron' ? SECTIONS : WEB_SECTIONS).map(([title, rows]) => (
        <ControlSection
          key={title}
          title={title}
          rows={rows}
          values={draft.controls}
          errors={errors.controls ?? {}}
          onChange={(key, value) => change({ controls: { ...draft.controls, [key]: value } })}
        />
      ))}
      <div className="settings-actions">
        <button type="submit" className="btn btn-primary" disabled={!dirty || !dirsCheck.ok || saved === 'saving'}>
          {saved === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
        <span role="status" className={saved === 'saved' ? 'save-status' : 'save-status save-hint'}>
          {saved === 'saved'
            ? sharing && restartedOnSave
              ? 'Saved. Sharing restarted with the new settings.'
              : 'Saved.'
            : sharing && dirty && changeRestartsSharing(Object.keys(patch))
              ? 'Saving restarts sharing; a download in progress will stop.'
              : ''}
        </span>
      </div>
      {errors.general && <div className="form-error" role="alert">{errors.general}</div>}
    </form>
  );
}
