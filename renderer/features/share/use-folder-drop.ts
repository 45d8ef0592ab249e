/**
 * Drop a folder anywhere on the window to share it. Runs in: the renderer.
 * The path comes from `api.pathForFile` (Electron's webUtils); the browser cannot tell
 * where a dropped folder lives, so there the caller explains to type the path instead.
 */
import { useEffect, useState } from 'react';

const hasFiles = (e: DragEvent) => e.dataTransfer !== null && Array.from(e.dataTransfer.types).includes('Files');

/**
 * @param onDrop receives the first dropped File
 * @returns whether files are being dragged over the window (to show the drop overlay)
 */
export function useFolderDrop(enabled: boolean, onDrop: (file: File) => void): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    if (!enabled) setOver(false);
    let depth = 0;
    // Even while disabled (sharing), a dropped file must never make the window navigate
    // to it, so the handlers stay and only the action is skipped.
    const enter = (e: DragEvent) => {
      if (!hasFiles(e) || !enabled) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = enabled ? 'link' : 'none';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (enabled && file !== undefined) onDrop(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('drop', drop);
    };
  }, [enabled, onDrop]);
  return over;
}
