import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type App, type AppOptions, createApp } from '../src-main/app.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Runs `fn` after the test, before what was registered earlier (last in, first out). */
export function afterThisTest(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** A fresh data directory, removed after the test. */
export function tempDir(prefix = 'pipewright-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An app on a real SQLite file in a fresh data directory (demo workspace seeded), closed after the test. */
export function tempApp(options: Partial<AppOptions> = {}): App {
  const app = createApp({ dataDir: tempDir(), ...options });
  cleanups.push(() => app.close());
  return app;
}
