/**
 * The one build config (electron-vite 6, `electron-vite build -c vite.config.ts`).
 *
 * out/main/main.cjs      Electron main process           (electron/main.ts)
 * out/main/host.cjs      utility process running the engine (server/host/utility-entry.ts)
 * out/main/web.cjs       browser-fallback control server (electron/web/web-main.ts)
 * out/preload/preload.cjs  sandboxed preload              (electron/preload.ts)
 * out/renderer/          the React window                 (renderer/index.html)
 *
 * Main, host and preload are CommonJS: a sandboxed preload must be CJS, and `.cjs`
 * because package.json says "type": "module". The engine CLI is built separately by tsc
 * (server/tsconfig.build.json → dist/server/cli.js), with no bundler in between.
 */
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

const cjs = { format: 'cjs' as const, entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' };

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          main: resolve('electron/main.ts'),
          host: resolve('server/host/utility-entry.ts'),
          web: resolve('electron/web/web-main.ts'),
        },
        output: cjs,
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { preload: resolve('electron/preload.ts') }, output: cjs },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves renderer bundles unminified by default (661 kB here); the
      // window loads faster and the packaged app is smaller minified.
      minify: true,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
