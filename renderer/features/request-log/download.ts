/**
 * Saves text as a file through the browser's download mechanism (a Blob URL on an
 * `<a download>`). Runs in: the renderer; in Electron the shell's download handling applies.
 */
export function downloadText(fileName: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** `servedir-log-2026-11-22-1438` in local time. */
export function exportBaseName(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `servedir-log-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
}
