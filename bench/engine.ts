import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app.ts';
import type { TriggerEvent } from '../src-main/connectors/define.ts';
import type { WorkflowInput } from '../src-main/shared/workflow.ts';
import { type BenchResult, percentile } from './results.ts';

/** record.created → if → create task → tag contact → move stage, fully journaled, on a real file. */
const fiveSteps: WorkflowInput = {
  format: 'pipewright.workflow/1',
  id: 'bench-five-steps',
  name: 'Bench: five steps',
  nodes: [
    { id: 'trigger', type: 'local.recordCreated', params: { objectType: 'lead' } },
    {
      id: 'check',
      type: 'logic.if',
      params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.data.value', operator: 'gt', value: 100 }] } },
    },
    { id: 'task', type: 'local.createTask', params: { title: 'Call {{ trigger.data.title }}', record_id: '{{ trigger.data.id }}' } },
    { id: 'tag', type: 'local.tagContact', params: { contact_id: '{{ trigger.data.data.contact }}', tags: 'hot-lead' } },
    { id: 'stage', type: 'local.moveStage', params: { record_id: '{{ trigger.data.id }}', pipeline: 'main-sales', stage: 'Contacted' } },
  ],
  edges: [
    { from: 'trigger', to: 'check' },
    { from: 'check', to: 'task', port: 'true' },
    { from: 'task', to: 'tag' },
    { from: 'tag', to: 'stage' },
  ],
};

/** A 20-step workflow mixing local writes, reads and logic, for the dry-run figure. */
function twentySteps(): WorkflowInput {
  const nodes: WorkflowInput['nodes'] = [{ id: 'trigger', type: 'local.recordCreated', params: { objectType: 'lead' } }];
  const kinds = [
    (i: number) => ({
      id: `task${i}`,
      type: 'local.createTask',
      params: { title: `Step ${i} for {{ trigger.data.title }}`, record_id: '{{ trigger.data.id }}' },
    }),
    (i: number) => ({ id: `set${i}`, type: 'logic.set', params: { fields: { n: i, title: '{{ trigger.data.title | upcase }}' } } }),
    (i: number) => ({
      id: `update${i}`,
      type: 'local.updateRecord',
      params: { record_id: '{{ trigger.data.id }}', data: { [`step${i}`]: 'done' } },
    }),
    (i: number) => ({ id: `find${i}`, type: 'local.findRecords', params: { type: 'lead', limit: 5 } }),
  ];
  for (let i = 1; i < 20; i++) nodes.push(kinds[i % kinds.length]?.(i) as WorkflowInput['nodes'][number]);
  const edges = nodes.slice(1).map((n, i) => ({ from: nodes[i]?.id as string, to: n.id }));
  return { format: 'pipewright.workflow/1', id: 'bench-twenty', name: 'Bench: twenty steps', nodes, edges };
}

/** Dry runs copy the CRM first, so their cost grows with it: measured on the demo workspace plus 1,000 records and contacts. */
export async function benchDryRun(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pipewright-bench-'));
  const app = createApp({ dataDir });
  try {
    app.crm.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        const contact = app.crm.createContact({ email: `dry${i}@example.com`, first_name: 'Dry' });
        app.crm.createRecord({
          type: 'lead',
          title: `Lead ${i}`,
          pipeline: 'main-sales',
          stage: 'New',
          data: { value: i, contact: contact.id },
        });
      }
    });
    const twenty = app.validate(twentySteps());
    if (!twenty.ok) throw new Error(twenty.issues.map((i) => i.message).join('\n'));
    const lead = app.crm.createRecord({ type: 'lead', title: 'Dry run lead', pipeline: 'main-sales', stage: 'New' });
    const event = { event: 'record.created', timestamp: lead.created_at, data: lead };
    const dry: number[] = [];
    for (let i = 0; i < 110; i++) {
      const t = performance.now();
      const result = await app.engine.run(twenty.workflow, event, { dryRun: true });
      if (i >= 10) dry.push(performance.now() - t);
      if (result.status !== 'succeeded') throw new Error(`bench dry run failed: ${result.error}`);
    }
    dry.sort((a, b) => a - b);
    return [
      { name: 'engine: 20-step dry run, 1,000-record CRM (median)', value: percentile(dry, 50), unit: 'ms', target: 20, better: 'lower' },
      { name: 'engine: 20-step dry run, 1,000-record CRM (p99)', value: percentile(dry, 99), unit: 'ms', target: 20, better: 'lower' },
    ];
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchEngine(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pipewright-bench-'));
  const app = createApp({ dataDir });
  try {
    const runs = 4000;
    const events: TriggerEvent[] = [];
    app.crm.transaction(() => {
      for (let i = 0; i < runs + 200; i++) {
        const contact = app.crm.createContact({ email: `bench${i}@example.com`, first_name: 'Bench' });
        const record = app.crm.createRecord({
          type: 'lead',
          title: `Lead ${i}`,
          pipeline: 'main-sales',
          stage: 'New',
          data: { value: 500, contact: contact.id },
        });
        events.push({ event: 'record.created', timestamp: record.created_at, data: record });
      }
    });
    const valid = app.validate(fiveSteps);
    if (!valid.ok) throw new Error(valid.issues.map((i) => i.message).join('\n'));
    // Warm up the caches and the JIT.
    for (const event of events.splice(0, 200)) await app.engine.run(valid.workflow, event);

    const latencies: number[] = [];
    const started = performance.now();
    for (const event of events) {
      const t = performance.now();
      const result = await app.engine.run(valid.workflow, event);
      latencies.push(performance.now() - t);
      if (result.status !== 'succeeded') throw new Error(`bench run failed: ${result.error}`);
    }
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);

    return [
      { name: 'engine: 5-step local workflow, journaled', value: runs / elapsed, unit: 'runs/s', target: 2000, better: 'higher' },
      { name: 'engine: 5-step run latency p50', value: percentile(latencies, 50), unit: 'ms', target: 5, better: 'lower' },
      { name: 'engine: 5-step run latency p99', value: percentile(latencies, 99), unit: 'ms', target: 5, better: 'lower' },
    ];
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
