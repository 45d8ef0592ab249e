/**
 * Settings → the controls of the settings table (server/share-settings.ts): one section per
 * `section` name; a checkbox per switch row and a row of buttons per choice row, each with the
 * row's label and plain-words help (and, for a choice, what the chosen value does). A setting
 * added to the table appears here without any change to the window.
 * Runs in: the renderer.
 */
import type { ChoiceRow, SettingControl, SwitchRow } from '../../../electron/ipc-contract';
import { FieldMessage } from '../../ui/field-message';

/** A control's value: a switch's boolean or a choice's string. */
export type ControlValue = boolean | string;

export interface ControlSectionProps {
  readonly title: string;
  readonly rows: readonly SettingControl[];
  readonly values: Readonly<Record<string, ControlValue>>;
  /** An error from the shell about one of these settings, by key. */
  readonly errors: Readonly<Record<string, string | undefined>>;
  readonly onChange: (key: SettingControl['key'], value: ControlValue) => void;
}

/** A DOM id from a section title ("Links" → "links"). */
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function SwitchControl({ row, value, error, onChange }: { row: SwitchRow; value: boolean; error: string | undefined; onChange: (v: boolean) => void }) {
  const msgId = `setting-${row.key}-msg`;
  return (
    <div className="setting-switch">
      <label className="check">
        <input
          type="checkbox"
          name={row.key}
          checked={value}
          aria-describedby={msgId}
          aria-invalid={error !== undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>{row.label}</span>
      </label>
      <FieldMessage id={msgId} tone={error !== undefined ? 'error' : 'hint'}>
        {error ?? row.help}
      </FieldMessage>
    </div>
  );
}

function ChoiceControl({ row, value, error, onChange }: { row: ChoiceRow; value: string; error: string | undefined; onChange: (v: string) => void }) {
  const msgId = `setting-${row.key}-msg`;
  const chosen = row.choices.find((c) => c.value === value);
  return (
    <fieldset className="field setting-choice" aria-describedby={msgId} aria-invalid={error !== undefined}>
      <legend className="field-label">{row.label}</legend>
      <div className="seg seg-wide">
        {row.choices.map((c) => (
          <label key={c.value} className={`seg-btn${value === c.value ? ' is-on' : ''}`}>
            <input type="radio" name={row.key} value={c.value} checked={value === c.value} onChange={() => onChange(c.value)} />
            {c.label}
          </label>
        ))}
      </div>
      <FieldMessage id={msgId} tone={error !== undefined ? 'error' : 'hint'}>
        {error ?? (chosen ? `${row.help} ${chosen.label}: ${chosen.help}` : row.help)}
      </FieldMessage>
    </fieldset>
  );
}

export function ControlSection({ title, rows, values, errors, onChange }: ControlSectionProps) {
  const titleId = `${slug(title)}-title`;
  return (
    <section className="settings-section" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      {rows.map((row) =>
        row.kind === 'switch' ? (
          <SwitchControl key={row.key} row={row} value={values[row.key] === true} error={errors[row.key]} onChange={(v) => onChange(row.key, v)} />
        ) : (
          <ChoiceControl key={row.key} row={row} value={String(values[row.key])} error={errors[row.key]} onChange={(v) => onChange(row.key, v)} />
        ),
      )}
    </section>
  );
}

/** The rows grouped by section, sections in the order of their first row. */
export function controlSections(rows: readonly SettingControl[]): readonly (readonly [string, readonly SettingControl[]])[] {
  const out = new Map<string, SettingControl[]>();
  for (const row of rows) {
    const list = out.get(row.section);
    if (list) list.push(row);
    else out.set(row.section, [row]);
  }
  return [...out];
}
