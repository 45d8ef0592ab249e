/**
 * The line under a form field: an error (announced), a warning, or a hint.
 * Runs in: the renderer.
 */
import type { ReactNode } from 'react';

export interface FieldMessageProps {
  readonly id: string;
  readonly tone: 'error' | 'warning' | 'hint' | 'ok';
  readonly children: ReactNode;
}

/** Renders the message with `id` so the field can point at it with aria-describedby. */
export function FieldMessage({ id, tone, children }: FieldMessageProps) {
  return (
    <div id={id} className={`field-msg field-msg-${tone}`} role={tone === 'error' ? 'alert' : undefined}>
      {children}
    </div>
  );
}
