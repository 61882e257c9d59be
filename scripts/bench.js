// `npm run bench`: bundles the benchmarks the way the app's main process is bundled for
// release (no development transforms), then runs them.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}out/bench`, { recursive: true });
await build({
  entryPoints: [`${root}bench/run.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: `${root}out/bench/run.mjs`,
  logLevel: 'warning',
  // The bundle lives in out/bench; results still go to bench/results.json.
  define: { 'import.meta.BENCH_RESULTS': JSON.stringify(`${root}bench/results.json`) },
});
const result = spawnSync(process.execPath, [`${root}out/bench/run.mjs`, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
