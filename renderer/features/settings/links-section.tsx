/**
 * Settings → Links: whether to follow symbolic links that leave the shared folder.
 * Runs in: the renderer.
 */
import { FieldMessage } from '../../ui/field-message';

export function LinksSection({ follow, onChange }: { readonly follow: boolean; readonly onChange: (v: boolean) => void }) {
  return (
    <section className="settings-section" aria-labelledby="links-title">
      <h3 id="links-title">Links</h3>
      <label className="check">
        <input type="checkbox" checked={follow} aria-describedby="links-msg" onChange={(e) => onChange(e.target.checked)} />
        <span>Follow links that leave the shared folder</span>
      </label>
      <FieldMessage id="links-msg" tone="hint">
        When off, shortcuts (symbolic links) that point outside the folder are not opened, so visitors only
        ever see what is inside the folder you chose.
      </FieldMessage>
    </section>
  );
}
