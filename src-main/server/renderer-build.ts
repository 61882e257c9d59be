import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Keeps out/renderer in step with the sources for the browser edition: built when missing, rebuilt
 * when a source is newer (in a checkout; an installed copy has no sources and is never rebuilt).
 * PIPEWRIGHT_REBUILD_UI=0 keeps a stale build (a missing one is still built).
 */

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const rendererDir = join(projectRoot, 'out', 'renderer');

const SOURCES = ['src-renderer', 'src-main/shared', 'electron.vite.config.ts'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

export function rendererState(root = projectRoot): 'missing' | 'stale' | 'fresh' {
  const index = join(root, 'out', 'renderer', 'index.html');
  if (!existsSync(index)) return 'missing';
  const sources = SOURCES.map((p) => join(root, p)).filter(existsSync);
  if (sources.length === 0) return 'fresh';
  return Math.max(...sources.map(newest)) > statSync(index).mtimeMs ? 'stale' : 'fresh';
}

/** Builds the renderer when needed; a failed rebuild keeps the previous build (with a warning). */
export async function ensureRenderer(options: { root?: string; say?: (line: string) => void } = {}): Promise<void> {
  const root = options.root ?? projectRoot;
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const state = rendererState(root);
  if (state === 'fresh') return;
  // Test harnesses build once up front; a rebuild under a running suite would swap files mid-test.
  if (state === 'stale' && process.env.PIPEWRIGHT_REBUILD_UI === '0') return;
  const script = join(root, 'scripts', 'build-renderer.js');
  if (!existsSync(script)) {
    if (state === 'missing') throw new Error('The interface is not built and cannot be built here (no build script). Run "npm run build".');
    return;
  }
  say(state === 'missing' ? 'Building the interface (first start)…' : 'The interface changed; rebuilding it…');
  const code = await new Promise<number>((resolve) => {
    // Output goes to stderr, keeping stdout for the URL line that scripts and tests read.
    const child = spawn(process.execPath, [script], { cwd: root, stdio: ['ignore', 2, 2] });
    child.on('error', () => resolve(1));
    child.on('exit', (status) => resolve(status ?? 1));
  });
  if (code === 0) return;
  if (state === 'missing') throw new Error('Building the interface failed (see above).');
  say('Rebuilding the interface failed (see above); serving the previous build.');
}
