/**
 * Settings → the switches of the settings table (server/share-settings.ts): one section per
 * `section` name, one checkbox per row, with the row's label and plain-words help. A setting
 * added to the table appears here without any change to the window.
 * Runs in: the renderer.
 */
import type { SwitchRow, SwitchSettingKey } from '../../../electron/ipc-contract';
import { FieldMessage } from '../../ui/field-message';

export interface SwitchSectionProps {
  readonly title: string;
  readonly rows: readonly SwitchRow[];
  readonly values: Readonly<Record<SwitchSettingKey, boolean>>;
  /** An error from the shell about one of these settings, by key. */
  readonly errors: Partial<Record<SwitchSettingKey, string>>;
  readonly onChange: (key: SwitchSettingKey, value: boolean) => void;
}

/** A DOM id from a section title ("Links" → "links"). */
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function SwitchSection({ title, rows, values, errors, onChange }: SwitchSectionProps) {
  const titleId = `${slug(title)}-title`;
  return (
    <section className="settings-section" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      {rows.map((row) => {
        const msgId = `setting-${row.key}-msg`;
        const error = errors[row.key];
        return (
          <div key={row.key} className="setting-switch">
            <label className="check">
              <input
                type="checkbox"
                name={row.key}
                checked={values[row.key]}
                aria-describedby={msgId}
                aria-invalid={error !== undefined}
                onChange={(e) => onChange(row.key, e.target.checked)}
              />
              <span>{row.label}</span>
            </label>
            <FieldMessage id={msgId} tone={error !== undefined ? 'error' : 'hint'}>
              {error ?? row.help}
            </FieldMessage>
          </div>
        );
      })}
    </section>
  );
}

/** The rows grouped by section, sections in the order of their first row. */
export function switchSections(rows: readonly SwitchRow[]): readonly (readonly [string, readonly SwitchRow[]])[] {
  const out = new Map<string, SwitchRow[]>();
  for (const row of rows) {
    const list = out.get(row.section);
    if (list) list.push(row);
    else out.set(row.section, [row]);
  }
  return [...out];
}
