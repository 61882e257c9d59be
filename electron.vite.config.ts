import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import type { Plugin } from 'vite';

// The config is loaded as ESM, where __dirname does not exist.
const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dev server injects an inline React Refresh preamble, which the strict CSP in index.html
 * blocks. Relax script-src for `electron-vite dev` only; built files keep the strict policy.
 */
function devCsp(): Plugin {
  return {
    name: 'pipewright-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
  };
}

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      // The webhook receiver's thread is loaded from its own file next to index.js (server/hooks.ts).
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/main.ts'), 'hook-worker': resolve(root, 'src-main/server/hook-worker.ts') },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      // A sandboxed preload must be CommonJS.
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react(), devCsp()],
    build: {
      // electron-vite leaves bundles unminified; the interface loads faster minified (about a third of the size).
      minify: true,
      // The graph layout library (elk, loaded on demand) is one large chunk by itself.
      chunkSizeWarningLimit: 1600,
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
