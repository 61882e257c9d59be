import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

/** `npm start` without the Electron binary: it says why and starts the browser edition. */

function electronInstalled(): boolean {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path);
  } catch {
    return false;
  }
}

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
});

/** Collects stdout until `pattern` matches (or the process ends). */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<{ match: RegExpMatchArray; output: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`No match for ${pattern} within ${timeoutMs} ms.\nstdout:\n${output}\nstderr:\n${errors}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ match, output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Exited with ${code} before printing ${pattern}.\nstdout:\n${output}\nstderr:\n${errors}`));
    });
  });
}

describe('npm start', () => {
  it.skipIf(electronInstalled())(
    'explains that Electron is missing and serves the browser edition instead',
    async () => {
      const child = spawn(process.execPath, ['scripts/start.js', '--port', '0'], {
        // A stale UI build is served as it is: rebuilding here would swap files under other running tests.
        env: { ...process.env, PIPEWRIGHT_DATA_DIR: tempDir(), BROWSER: 'none', PIPEWRIGHT_REBUILD_UI: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const { match, output } = await waitForOutput(child, /Pipewright is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/, 90_000);
      expect(output).toContain('Electron is not installed');
      expect(output).toContain('starting the browser edition');

      const url = new URL(match[1] as string);
      const token = url.searchParams.get('token') as string;
      expect(token).toMatch(/^[\w-]{43}$/);
      const info = await fetch(new URL('/rpc/app.info', url), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({ edition: 'browser' });
      const page = await fetch(new URL('/', url));
      expect(await page.text()).toContain('<div id="root">');

      // Ctrl+C (here SIGTERM) stops it cleanly.
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ? 0 : code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    120_000,
  );
});
