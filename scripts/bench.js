// `npm run bench`: bundles the benchmarks the way the app's main process is bundled for
// release (no development transforms), then runs them. The webhook receiver's thread is an entry
// of its own next to the bundle, as in the app's build.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}out/bench`, { recursive: true });
await build({
  entryPoints: { run: `${root}bench/run.ts`, 'hook-worker': `${root}src-main/server/hook-worker.ts` },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outdir: `${root}out/bench`,
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  // The bundle lives in out/bench; results still go to bench/results.json.
  define: { 'import.meta.BENCH_RESULTS': JSON.stringify(`${root}bench/results.json`) },
});
const result = spawnSync(process.execPath, [`${root}out/bench/run.mjs`, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
