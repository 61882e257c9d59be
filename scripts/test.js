// `npm test`: everything CI runs. Every step runs even after a failure, so one report shows all
// counts; the very last line is always `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reports = join(root, '.reports');
const bin = (name) => join(root, 'node_modules', '.bin', name);

mkdirSync(reports, { recursive: true });

/** @type {{ name: string, passed: number, failed: number, note?: string }[]} */
const results = [];
/** Tests that actually ran (vitest + Playwright); checks such as tsc or lint are not tests. */
let testsRan = 0;

function run(name, command, args, env = {}) {
  console.log(`\n▶ ${name}: ${[relative(root, command) || command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false, env: { ...process.env, ...env } });
  if (result.error) console.error(`${name}: could not start: ${result.error.message}`);
  return result.error ? 1 : (result.status ?? 1);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A check (typecheck, lint) counts as one test. */
function check(name, command, args) {
  const status = run(name, command, args);
  results.push({ name, passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1 });
}

check('typecheck (main)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
check('typecheck (renderer)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']);
check('typecheck (e2e)', bin('tsc'), ['-p', 'tsconfig.e2e.json', '--noEmit']);
check('lint', bin('biome'), ['check', '.']);

// Unit and integration tests.
{
  const file = join(reports, 'vitest.json');
  rmSync(file, { force: true });
  const status = run('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${file}`]);
  const report = readJson(file);
  let passed = 0;
  let failed = 0;
  let note;
  if (report) {
    passed = report.numPassedTests ?? 0;
    failed = report.numFailedTests ?? 0;
    // A file that fails to load has no failed test of its own; count it.
    for (const suite of report.testResults ?? []) {
      if (suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed')) failed += 1;
    }
  } else {
    note = 'no report written';
  }
  testsRan += passed + failed;
  if (status !== 0 && failed === 0) {
    failed = 1;
    note ??= `exited with status ${status}`;
  }
  results.push({ name: 'vitest', passed, failed, note });
}

// End-to-end tests, once they exist.
if (existsSync(join(root, 'playwright.config.ts'))) {
  const file = join(reports, 'playwright.json');
  rmSync(file, { force: true });
  const status = run('playwright', bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_FILE: file,
    PLAYWRIGHT_JSON_OUTPUT_NAME: file,
  });
  const stats = readJson(file)?.stats;
  let passed = 0;
  let failed = 0;
  let note;
  if (stats) {
    passed = stats.expected ?? 0;
    failed = (stats.unexpected ?? 0) + (stats.flaky ?? 0);
  } else {
    note = 'no report written';
  }
  testsRan += passed + failed;
  if (status !== 0 && failed === 0) {
    failed = 1;
    note ??= `exited with status ${status}`;
  }
  results.push({ name: 'playwright', passed, failed, note });
}

const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);

console.log('\nSummary');
for (const r of results) {
  const mark = r.failed ? '✗' : '✓';
  console.log(`  ${mark} ${r.name.padEnd(22)} ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
}
if (testsRan === 0) console.log('  ✗ no tests ran');
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || testsRan === 0 ? 1 : 0;
