// Builds only the renderer (out/renderer) with the renderer section of electron.vite.config.ts,
// resolved by electron-vite itself, so the result is what `electron-vite build` would produce.
// `pipewright serve` and the e2e setup use it: the browser edition needs neither main nor preload.
import { fileURLToPath } from 'node:url';
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
process.env.NODE_ENV_ELECTRON_VITE = 'production';
const { config } = await resolveConfig({ root, logLevel: 'warn' }, 'build', 'production');
if (!config.renderer) throw new Error('electron.vite.config.ts has no renderer section.');
await build({ ...config.renderer, logLevel: 'warn' });
