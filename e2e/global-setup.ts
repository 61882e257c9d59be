import { existsSync } from 'node:fs';
import { ensureRenderer } from '../src-main/server/renderer-build.ts';

/** Before any test: Chromium is where we expect it, and the served UI is built from the current sources. */
export default async function globalSetup(): Promise<void> {
  const chromium = process.env.PIPEWRIGHT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`Chromium was not found at ${chromium}. Install Debian's chromium package or set PIPEWRIGHT_CHROMIUM.`);
  }
  // Built once here, so the per-file servers never race to rebuild it.
  await ensureRenderer({ say: (line) => console.log(line) });
}
