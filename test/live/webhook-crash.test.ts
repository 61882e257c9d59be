import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src-main/app.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import { acmeConnector, signAcme } from '../fixtures/acme-connector.ts';
import { tempDir } from '../helpers.ts';

const CHILD = join(import.meta.dirname, '..', 'fixtures', 'hook-server-child.ts');
const EVENTS = 600;
const KILLS = 5;
const SENDERS = 8;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A data dir with a live workflow (Acme contact updated → create task → log activity) and its hook. */
async function prepare(dataDir: string, origin: string): Promise<string> {
  const app = createApp({ dataDir, connectors: [...builtInConnectors, acmeConnector] });
  app.settings.set('webhooks.publicUrl', origin);
  app.connections.add({ name: 'acme-main', app: 'acme', baseUrl: 'https://acme.invalid', secret: 'key' });
  const record = app.crm.createRecord({ type: 'job', title: 'Crash test job' });
  app.save({
    format: 'pipewright.workflow/1',
    id: 'acme-crash',
    name: 'Acme crash test',
    connections: { acme: { app: 'acme' } },
    nodes: [
      { id: 'trigger', type: 'acme.contactUpdated', connection: 'acme', params: {} },
      { id: 'task', type: 'local.createTask', params: { title: 'Call {{ trigger.data.id }}', record_id: record.id } },
      { id: 'log', type: 'local.logActivity', params: { record_id: record.id, type: 'note', summary: 'Called {{ trigger.data.id }}' } },
    ],
    edges: [
      { from: 'trigger', to: 'task' },
      { from: 'task', to: 'log' },
    ],
  });
  await app.setLive('acme-crash', true);
  const url = app.triggerHooks('acme-crash')[0]?.url;
  await app.close();
  if (!url) throw new Error('no hook address');
  return url;
}

function startChild(dataDir: string, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
}

function integrity(file: string): string {
  const db = new Database(file);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('webhook crash safety', () => {
  it(`every acknowledged webhook runs exactly once while the server is SIGKILLed ${KILLS} times`, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const url = await prepare(dataDir, `http://127.0.0.1:${port}`);
    const file = join(dataDir, 'pipewright.db');

    let server = await startChild(dataDir, port);
    onTestFinished(() => {
      if (server.exitCode === null) server.kill('SIGKILL');
    });
    const acked = new Set<number>();
    let next = 0;
    // Senders behave like a CRM's delivery queue: a delivery is retried until it is acknowledged.
    const sender = async () => {
      while (next < EVENTS) {
        const i = next++;
        const body = JSON.stringify({ id: `delivery-${i}`, event: 'contact.updated', data: { id: `c-${i}`, email: `c${i}@example.com` } });
        for (;;) {
          try {
            const res = await fetch(url, { method: 'POST', headers: { 'x-acme-signature': signAcme(body) }, body });
            await res.arrayBuffer();
            if (res.status === 200) {
              acked.add(i);
              break;
            }
          } catch {
            // The server is down (killed): try again shortly.
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const sending = Promise.all(Array.from({ length: SENDERS }, sender));

    const ackedAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      // Spread the kills over the load, each at a random moment within its share of it.
      const at = Math.floor(((k + Math.random()) * EVENTS) / (KILLS + 1));
      while (acked.size < at) await new Promise((r) => setTimeout(r, 2));
      ackedAtKill.push(acked.size);
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      expect(integrity(file)).toBe('ok');
      server = await startChild(dataDir, port);
    }
    await sending;
    // The kills landed while deliveries were still arriving.
    expect(ackedAtKill.at(-1)).toBeLessThan(EVENTS);
    expect(acked.size).toBe(EVENTS);

    // Let the last server finish the backlog, then stop it cleanly.
    const db = new Database(file, { readonly: true });
    const done = () => (db.prepare("SELECT COUNT(*) AS n FROM activities WHERE summary LIKE 'Called c-%'").get() as { n: number }).n;
    const deadline = Date.now() + 60_000;
    while (done() < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));

    try {
      expect(integrity(file)).toBe('ok');
      const twice = db.prepare("SELECT title, COUNT(*) AS n FROM tasks WHERE title LIKE 'Call c-%' GROUP BY title HAVING n > 1").all();
      expect(twice).toEqual([]);
      expect((db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE title LIKE 'Call c-%'").get() as { n: number }).n).toBe(EVENTS);
      expect(done()).toBe(EVENTS);
      // One processed inbox event and one succeeded run per delivery; repeats are recorded as duplicates.
      expect((db.prepare("SELECT COUNT(*) AS n FROM inbox WHERE status = 'processed'").get() as { n: number }).n).toBe(EVENTS);
      const runs = db.prepare("SELECT status, COUNT(*) AS n FROM runs WHERE workflow_id = 'acme-crash' GROUP BY status").all();
      expect(runs).toEqual([{ status: 'succeeded', n: EVENTS }]);
    } finally {
      db.close();
    }
  }, 180_000);
});
