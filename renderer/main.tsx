/**
 * Renderer entry: mounts the window. Runs in: the renderer (Electron's sandboxed
 * window, or a browser tab in the web fallback); no Node, no Electron imports.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { getApi } from './api';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App app={getApi()} />
  </StrictMode>,
);
