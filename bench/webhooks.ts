import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../src-main/app.ts';
import { startHookServer } from '../src-main/server/hooks.ts';
import type { WorkflowInput } from '../src-main/shared/workflow.ts';
import { type BenchResult, percentile } from './results.ts';

/**
 * The webhook path on loopback: signed Kanvo deliveries from autocannon (in a child process)
 * through the receiver (signature, validation, dedupe, durable group commit) into the inbox, and
 * on to runs of a five-step local workflow.
 */

const SECRET = 'whsec_bench_signing_secret';

/** kanvo record.created → if → create task → tag contact → move stage. */
const workflow: WorkflowInput = {
  format: 'pipewright.workflow/1',
  id: 'bench-webhook',
  name: 'Bench: webhook to five steps',
  connections: { crm: { app: 'kanvo' } },
  nodes: [
    { id: 'trigger', type: 'kanvo.recordCreated', connection: 'crm', params: { objectType: 'lead' } },
    {
      id: 'check',
      type: 'logic.if',
      params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.data.value', operator: 'gt', value: 100 }] } },
    },
    {
      id: 'task',
      type: 'local.createTask',
      params: { title: 'Call {{ trigger.data.title }}', record_id: '{{ trigger.data.data.local_record }}' },
    },
    { id: 'tag', type: 'local.tagContact', params: { contact_id: '{{ trigger.data.data.contact }}', tags: 'hot-lead' } },
    {
      id: 'stage',
      type: 'local.moveStage',
      params: { record_id: '{{ trigger.data.data.local_record }}', pipeline: 'main-sales', stage: 'Contacted' },
    },
  ],
  edges: [
    { from: 'trigger', to: 'check' },
    { from: 'check', to: 'task', port: 'true' },
    { from: 'task', to: 'tag' },
    { from: 'tag', to: 'stage' },
  ],
};

interface LoadResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

interface Setup {
  app: App;
  url: string;
  contactId: string;
  recordIds: string[];
  close(): Promise<void>;
}

/** A fresh data dir with the workflow live and its hook as going live leaves it after registering with Kanvo. */
async function setup(processEvents: boolean): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pipewright-bench-hooks-'));
  const app = createApp({ dataDir });
  app.connections.add({ name: 'kanvo-bench', app: 'kanvo', baseUrl: 'http://127.0.0.1:9', secret: 'kv_live_bench' });
  // With a public address the live trigger keeps its webhook (without one it would poll Kanvo).
  app.settings.set('webhooks.publicUrl', 'https://hooks.bench.invalid');
  app.save(workflow);
  app.workflows.setStatus(workflow.id, 'live');
  const hook = app.hooks.create({
    workflowId: workflow.id,
    nodeId: 'trigger',
    app: 'kanvo',
    connectionName: 'kanvo-bench',
    mode: 'webhook',
  });
  app.hooks.update(hook.token, { remoteId: 'wh_bench' });
  app.connections.setWebhookSecret('kanvo-bench', 'wh_bench', SECRET);
  const contact = app.crm.createContact({ email: 'bench@example.com', first_name: 'Bench' });
  const recordIds = app.crm.transaction(() =>
    Array.from(
      { length: 200 },
      (_, i) => app.crm.createRecord({ type: 'lead', title: `Bench lead ${i}`, pipeline: 'main-sales', stage: 'New' }).id,
    ),
  );
  // Without processing, events stay in the inbox: what is measured is receiving and storing them.
  if (processEvents) app.start();
  else app.dispatcher.stop();
  const server = await startHookServer({ app, port: 0, log: () => {} });
  return {
    app,
    url: `${server.origin}/hooks/${hook.token}`,
    contactId: contact.id,
    recordIds,
    close: async () => {
      await server.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function load(s: Setup, options: { duration: number; connections: number; overallRate?: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = { url: s.url, secret: SECRET, prefix: `r${Date.now()}`, contactId: s.contactId, recordIds: s.recordIds, ...options };
    const child = fork(join(process.cwd(), 'bench', 'webhook-load.mjs'), [JSON.stringify(args)], { stdio: 'inherit' });
    child.once('message', (m: LoadResult) => resolve(m));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code) reject(new Error(`the load generator exited with ${code}`));
    });
  });
}

function assertClean(r: LoadResult, what: string): void {
  if (r.non2xx || r.errors || r.timeouts) throw new Error(`${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
}

/** Waits until every accepted event has been processed and its run has finished. */
async function drain(app: App): Promise<void> {
  await app.settle();
}

/** From each run's event arrival to the run's end, in ms, and the span from first arrival to last end. */
function endToEnd(app: App): { latencies: number[]; spanMs: number; runs: number } {
  const rows = app.db
    .prepare(
      `SELECT i.received_at AS received, r.finished_at AS finished FROM runs r JOIN inbox i ON i.id = r.event_id
       WHERE r.status = 'succeeded'`,
    )
    .all() as { received: string; finished: string }[];
  const latencies = rows.map((r) => Date.parse(r.finished) - Date.parse(r.received)).sort((a, b) => a - b);
  const first = Math.min(...rows.map((r) => Date.parse(r.received)));
  const last = Math.max(...rows.map((r) => Date.parse(r.finished)));
  return { latencies, spanMs: last - first, runs: rows.length };
}

/** One measurement on a fresh data dir. */
async function scenario(processEvents: boolean, measure: (s: Setup) => Promise<BenchResult>): Promise<BenchResult> {
  const s = await setup(processEvents);
  try {
    return await measure(s);
  } finally {
    await s.close();
  }
}

const SCENARIOS: Record<string, () => Promise<BenchResult>> = {
  // Receiving: verified, validated, deduplicated and durably committed before the 2xx.
  intake: () =>
    scenario(false, async (s) => {
      await load(s, { duration: 2, connections: 32 }); // warm-up
      const r = await load(s, { duration: 8, connections: 32 });
      assertClean(r, 'webhook intake');
      return {
        name: 'webhooks: signed events accepted and stored',
        value: r.ok / r.duration,
        unit: 'events/s',
        target: 5000,
        better: 'higher',
      };
    }),
  // Ack latency at a steady 1,000 requests/s, with runs being processed alongside.
  ack: () =>
    scenario(true, async (s) => {
      const r = await load(s, { duration: 8, connections: 16, overallRate: 1000 });
      assertClean(r, 'webhook ack latency');
      await drain(s.app);
      return { name: 'webhooks: ack p99 at 1,000 req/s', value: r.p99, unit: 'ms', target: 20, better: 'lower' };
    }),
  // End to end at 500 events/s: from the event's arrival to its five-step run finished.
  latency: () =>
    scenario(true, async (s) => {
      assertClean(await load(s, { duration: 8, connections: 8, overallRate: 500 }), 'webhook end to end');
      await drain(s.app);
      const { latencies } = endToEnd(s.app);
      return {
        name: 'webhooks: arrival → run finished p99 at 500/s',
        value: percentile(latencies, 99),
        unit: 'ms',
        target: 100,
        better: 'lower',
      };
    }),
  // Sustained end to end at full speed: runs finished per second over the whole burst. Each
  // sender waits for its fsynced ack before sending again, so 64 of them keep the pipeline full
  // (BENCH_CONNECTIONS to try others).
  sustained: () =>
    scenario(true, async (s) => {
      const r = await load(s, { duration: 8, connections: Number(process.env.BENCH_CONNECTIONS ?? 64) });
      assertClean(r, 'webhook sustained');
      await drain(s.app);
      const { runs, spanMs } = endToEnd(s.app);
      // Requests still in flight when the load stops are answered and run too: count what was stored.
      const stored = s.app.inbox.counts().processed ?? 0;
      if (runs !== stored || runs < r.ok) throw new Error(`webhook sustained: ${stored} events stored but ${runs} runs succeeded`);
      return { name: 'webhooks: sustained end to end', value: runs / (spanMs / 1000), unit: 'runs/s', target: 3000, better: 'higher' };
    }),
};

/** Every scenario, or the one named by BENCH_SCENARIO (for profiling one). */
export async function benchWebhooks(): Promise<BenchResult[]> {
  const only = process.env.BENCH_SCENARIO;
  const out: BenchResult[] = [];
  for (const [name, run] of Object.entries(SCENARIOS)) if (!only || only === name) out.push(await run());
  return out;
}
