import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, type Page } from '@playwright/test';
import type { Method, MethodInput, MethodOutput } from '../src-main/shared/contract.ts';

/**
 * The `pipewright` fixture: a real `pipewright serve` (engine, scheduler, store) on a free port,
 * with its own data folder. By default one server serves every test of a file, so a file can build
 * on what its earlier tests did; `test.use({ pipewrightScope: 'test' })` gives each test a fresh one.
 *
 *   import { expect, test } from './fixtures.ts';
 *   test('…', async ({ page, pipewright }) => {
 *     await pipewright.open(page, '#/workflows');
 *     await pipewright.call('crm.createRecord', { type: 'lead', title: 'Acme' });
 *   });
 */

export interface Pipewright {
  /** The UI's address with the session token, as `pipewright serve` prints it. */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  token: string;
  dataDir: string;
  /** Opens the UI with the token; `hash` is a route such as `#/runs`. */
  open(page: Page, hash?: string): Promise<void>;
  /** Calls the RPC directly, e.g. to set up data a test needs. Throws on any failure. */
  call<M extends Method>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** What the server printed so far (request lines, errors). */
  logs(): string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

interface Server {
  key: string;
  handle: Pipewright;
  stop(): Promise<void>;
}

async function launch(key: string): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pipewright-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/pipewright.js', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    // The global setup built the UI for this run; servers must not rebuild it between files.
    env: { ...process.env, BROWSER: 'none', PIPEWRIGHT_REBUILD_UI: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pipewright serve did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const match = /Pipewright is running at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pipewright serve exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  const origin = parsed.origin;
  const token = parsed.searchParams.get('token') as string;

  const handle: Pipewright = {
    url,
    origin,
    token,
    dataDir,
    async open(page, hash = '') {
      await page.goto(`${url}${hash}`);
    },
    async call(method, input) {
      const res = await fetch(`${origin}/rpc/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
      const body = (await res.json()) as unknown;
      if (!res.ok) throw new Error(`${method} answered ${res.status}: ${JSON.stringify(body)}`);
      return body as MethodOutput<typeof method>;
    },
    logs: () => output,
  };

  return {
    key,
    handle,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Keeps the current file's server, replacing it when the next file (or test) begins. */
class ServerPool {
  private current: Server | undefined;

  async get(key: string): Promise<Server> {
    if (this.current?.key === key) return this.current;
    await this.stop();
    this.current = await launch(key);
    return this.current;
  }

  async stop(): Promise<void> {
    const server = this.current;
    this.current = undefined;
    await server?.stop();
  }
}

export const test = base.extend<{ pipewright: Pipewright; pipewrightScope: 'file' | 'test' }, { pipewrightServers: ServerPool }>({
  pipewrightServers: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright requires the fixtures argument to be destructured.
    async ({}, use) => {
      const pool = new ServerPool();
      await use(pool);
      await pool.stop();
    },
    { scope: 'worker' },
  ],
  pipewrightScope: ['file', { option: true }],
  pipewright: async ({ pipewrightServers, pipewrightScope }, use, testInfo) => {
    const key = pipewrightScope === 'test' ? `${testInfo.file}#${testInfo.testId}` : testInfo.file;
    const server = await pipewrightServers.get(key);
    await use(server.handle);
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('pipewright-serve.log', { body: server.handle.logs(), contentType: 'text/plain' });
    }
  },
});

export { expect } from '@playwright/test';
