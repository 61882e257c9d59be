import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../src-main/app.ts';
import { defineAction, defineConnector, type TriggerEvent } from '../../src-main/connectors/define.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { tempApp } from '../helpers.ts';

const template = JSON.parse(readFileSync('templates/local-lead-follow-up.json', 'utf8')) as WorkflowInput;

function newLead(app: App, title = 'Ortiz Residence - Hedge Trimming'): TriggerEvent {
  const contact = app.crm.upsertContact({ email: 'maria.ortiz@example.com', first_name: 'Maria', last_name: 'Ortiz' }).contact;
  const record = app.crm.createRecord({ type: 'lead', title, pipeline: 'main-sales', stage: 'New', data: { email: contact.email } });
  return { event: 'record.created', timestamp: record.created_at, data: record };
}

function workflow(nodes: WorkflowInput['nodes'], edges: WorkflowInput['edges'], extra: Partial<WorkflowInput> = {}): WorkflowInput {
  return { format: 'pipewright.workflow/1', id: 'test-flow', name: 'Test flow', nodes, edges, ...extra };
}

const manual = { id: 'start', type: 'logic.manual', params: {} };

describe('running the lead follow-up template', () => {
  it('adds the task, tags the contact and moves the lead, journaling every step', async () => {
    const app = tempApp({ now: () => new Date('2026-06-17T14:20:00.000Z') });
    const event = newLead(app);
    const result = await app.run(template, { event });

    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['task', 'succeeded'],
      ['tag', 'succeeded'],
      ['stage', 'succeeded'],
    ]);
    const recordId = (event.data as { id: string }).id;
    const tasks = app.crm.listTasks({ record_id: recordId });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: 'Call Ortiz Residence - Hedge Trimming', due_date: '2026-06-19' });
    expect(app.crm.findContactByEmail('maria.ortiz@example.com')?.tags).toContain('new-lead');
    expect(app.crm.getRecord(recordId)?.stage).toBe('Contacted');

    const stored = app.journal.steps(result.runId);
    expect(stored.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(stored[3]?.changes?.[0]?.fields).toContainEqual({ field: 'stage', before: 'New', after: 'Contacted' });
    expect(app.journal.list()[0]).toMatchObject({ runId: result.runId, status: 'succeeded', mode: 'live', dryRun: false });
  });

  it('dry-runs without changing any CRM data, and lists every planned change', async () => {
    const app = tempApp();
    const event = newLead(app);
    const before = app.crm.dump();
    const result = await app.run(template, { event, dryRun: true });
    expect(app.crm.dump()).toEqual(before);

    expect(result).toMatchObject({ status: 'succeeded', dryRun: true, mode: 'test' });
    const byEntity = Object.fromEntries(result.changes.map((c) => [c.entity, c]));
    expect(byEntity.task).toMatchObject({ op: 'create', after: { title: 'Call Ortiz Residence - Hedge Trimming' } });
    expect(byEntity.contact?.op).toBe('update');
    expect(byEntity.contact?.fields).toContainEqual({ field: 'tags', before: [], after: ['new-lead'] });
    expect(byEntity.record?.fields).toContainEqual({ field: 'stage', before: 'New', after: 'Contacted' });
    // The test run itself is in the history, marked as such.
    expect(app.journal.list({ mode: 'test' })).toHaveLength(1);
    expect(app.journal.getRun(result.runId)?.dryRun).toBe(true);
  });

  it('later steps of a dry run see the simulated state', async () => {
    const app = tempApp();
    const doc = workflow(
      [
        manual,
        {
          id: 'create',
          type: 'local.createRecord',
          params: { type: 'lead', title: 'Simulated lead', pipeline: 'main-sales', stage: 'New' },
        },
        { id: 'find', type: 'local.findRecords', params: { type: 'lead', search: 'Simulated lead' } },
      ],
      [
        { from: 'start', to: 'create' },
        { from: 'create', to: 'find' },
      ],
    );
    const result = await app.run(doc, { dryRun: true });
    expect(result.steps[2]?.output).toMatchObject({ count: 1 });
    expect(app.crm.findRecords({ search: 'Simulated lead' })).toHaveLength(0);
  });
});

describe('flow control', () => {
  const ifFlow = (value: number) =>
    workflow(
      [
        { ...manual, params: { sample: { value } } },
        {
          id: 'big',
          type: 'logic.if',
          params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.value', operator: 'gt', value: 1000 }] } },
        },
        { id: 'yes', type: 'logic.set', params: { fields: { size: 'big' } } },
        { id: 'no', type: 'logic.set', params: { fields: { size: 'small' } } },
        { id: 'after', type: 'logic.set', params: { fields: { seen: '{{ steps.yes.output.size | default: steps.no.output.size }}' } } },
      ],
      [
        { from: 'start', to: 'big' },
        { from: 'big', to: 'yes', port: 'true' },
        { from: 'big', to: 'no', port: 'false' },
        { from: 'yes', to: 'after' },
        { from: 'no', to: 'after' },
      ],
    );

  it.each([
    [5000, 'yes', 'no', 'big'],
    [10, 'no', 'yes', 'small'],
  ])('if/else with %i follows "%s" and skips "%s"', async (value, taken, skipped, seen) => {
    const app = tempApp();
    const result = await app.run(ifFlow(value));
    const status = Object.fromEntries(result.steps.map((s) => [s.nodeId, s.status]));
    expect(status[taken]).toBe('succeeded');
    expect(status[skipped]).toBe('skipped');
    expect(result.steps.find((s) => s.nodeId === 'after')?.output).toEqual({ seen });
  });

  it('switch follows the first matching case, or "otherwise"', async () => {
    const app = tempApp();
    const doc = (value: number) =>
      workflow(
        [
          { ...manual, params: { sample: { value } } },
          {
            id: 'route',
            type: 'logic.switch',
            params: {
              mode: 'first',
              cases: [
                { port: 'hot', when: { match: 'all', conditions: [{ field: 'trigger.data.value', operator: 'gte', value: 1000 }] } },
                { port: 'warm', when: { match: 'all', conditions: [{ field: 'trigger.data.value', operator: 'gte', value: 100 }] } },
              ],
            },
          },
          { id: 'hot', type: 'logic.set', params: { fields: { v: 'hot' } } },
          { id: 'warm', type: 'logic.set', params: { fields: { v: 'warm' } } },
          { id: 'cold', type: 'logic.set', params: { fields: { v: 'cold' } } },
        ],
        [
          { from: 'start', to: 'route' },
          { from: 'route', to: 'hot', port: 'hot' },
          { from: 'route', to: 'warm', port: 'warm' },
          { from: 'route', to: 'cold', port: 'otherwise' },
        ],
      );
    for (const [value, expected] of [
      [5000, 'hot'],
      [500, 'warm'],
      [5, 'cold'],
    ] as const) {
      const result = await app.run(doc(value));
      expect(
        result.steps.filter((s) => s.status === 'succeeded' && s.nodeId !== 'start' && s.nodeId !== 'route').map((s) => s.nodeId),
      ).toEqual([expected]);
    }
  });

  it('filter stops the path quietly', async () => {
    const app = tempApp();
    const result = await app.run(
      workflow(
        [
          { ...manual, params: { sample: { email: '' } } },
          {
            id: 'has-email',
            type: 'logic.filter',
            params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.email', operator: 'isnotnull' }] } },
          },
          { id: 'next', type: 'logic.set', params: { fields: { ok: true } } },
        ],
        [
          { from: 'start', to: 'has-email' },
          { from: 'has-email', to: 'next' },
        ],
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'skipped']);
  });

  it('for each runs its body once per item, then continues on "done"', async () => {
    const app = tempApp();
    const record = app.crm.createRecord({ type: 'job', title: 'Big job' });
    const result = await app.run(
      workflow(
        [
          { ...manual, params: { sample: { items: ['Measure', 'Quote', 'Schedule'] } } },
          { id: 'each', type: 'logic.forEach', params: { items: '{{ trigger.data.items }}' } },
          { id: 'task', type: 'local.createTask', params: { title: '{{ loop.index | plus: 1 }}. {{ loop.item }}', record_id: record.id } },
          { id: 'after', type: 'logic.set', params: { fields: { count: '{{ steps.each.output.count }}' } } },
        ],
        [
          { from: 'start', to: 'each' },
          { from: 'each', to: 'task', port: 'each' },
          { from: 'each', to: 'after', port: 'done' },
        ],
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => s.key)).toEqual(['start', 'each', 'task#0', 'task#1', 'task#2', 'after']);
    expect(
      app.crm
        .listTasks({ record_id: record.id })
        .map((t) => t.title)
        .sort(),
    ).toEqual(['1. Measure', '2. Quote', '3. Schedule']);
    expect(result.steps.at(-1)?.output).toEqual({ count: 3 });
  });

  it('a wait suspends the run, survives a restart, and resumes when due', async () => {
    let now = new Date('2026-06-17T14:00:00.000Z');
    const app = tempApp({ now: () => now });
    const record = app.crm.createRecord({ type: 'lead', title: 'Patient lead' });
    const doc = workflow(
      [
        { ...manual, params: { sample: { id: record.id } } },
        { id: 'pause', type: 'logic.wait', params: { mode: 'duration', amount: 2, unit: 'days' } },
        { id: 'task', type: 'local.createTask', params: { title: 'Follow up', record_id: '{{ trigger.data.id }}' } },
      ],
      [
        { from: 'start', to: 'pause' },
        { from: 'pause', to: 'task' },
      ],
    );
    const first = await app.run(doc);
    expect(first).toMatchObject({ status: 'waiting', resumeAt: '2026-06-19T14:00:00.000Z' });
    expect(app.crm.listTasks({ record_id: record.id })).toHaveLength(0);

    now = new Date('2026-06-18T14:00:00.000Z');
    expect(app.scheduler.wakeDueRuns()).toEqual([]);
    now = new Date('2026-06-19T14:00:01.000Z');
    expect(app.scheduler.wakeDueRuns()).toEqual([first.runId]);
    await app.queue.idle();
    const done = app.engine.result(first.runId, doc as never);
    expect(done.status).toBe('succeeded');
    expect(app.crm.listTasks({ record_id: record.id })).toHaveLength(1);
  });

  it('a wait until a time of day uses the workflow time zone', async () => {
    const app = tempApp({ now: () => new Date('2026-06-17T20:00:00.000Z') });
    const result = await app.run(
      workflow([manual, { id: 'pause', type: 'logic.wait', params: { mode: 'until', time: '09:00' } }], [{ from: 'start', to: 'pause' }], {
        settings: { timezone: 'America/New_York', maxChainDepth: 5 },
      }),
    );
    expect(result.resumeAt).toBe('2026-06-18T13:00:00.000Z');
  });
});

describe('errors, retries and the journal', () => {
  let calls = 0;
  const flaky = defineConnector({
    id: 'flaky',
    name: 'Flaky API',
    description: 'Fails a set number of times, then works.',
    icon: 'bug',
    needsConnection: false,
    triggers: [],
    actions: [
      defineAction({
        key: 'call',
        version: 1,
        label: 'Call',
        description: 'Fails the first `failures` times.',
        effect: 'read',
        input: z.object({ failures: z.number(), retryAfterMs: z.number().optional(), retryable: z.boolean().default(true) }),
        output: z.object({ calls: z.number() }),
        sample: { calls: 1 },
        run(ctx) {
          calls++;
          if (calls <= ctx.input.failures) {
            throw Object.assign(new Error(`Service unavailable (${calls})`), {
              retryable: ctx.input.retryable,
              retryAfterMs: ctx.input.retryAfterMs,
            });
          }
          return { calls };
        },
      }),
    ],
  });

  function retryApp(delays: number[]) {
    calls = 0;
    const app = tempApp({ connectors: [...builtInConnectors, flaky] });
    (app.engine as unknown as { sleep: (ms: number) => Promise<void> }).sleep = async (ms) => {
      delays.push(ms);
    };
    return app;
  }

  it('retries with backoff, honouring Retry-After, and journals every attempt', async () => {
    const delays: number[] = [];
    const app = retryApp(delays);
    const result = await app.run(
      workflow(
        [
          manual,
          {
            id: 'call',
            type: 'flaky.call',
            params: { failures: 2, retryAfterMs: 1500 },
            retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 },
          },
        ],
        [{ from: 'start', to: 'call' }],
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]).toMatchObject({ attempts: 3, output: { calls: 3 } });
    expect(delays).toHaveLength(2);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1500);
    expect(app.journal.steps(result.runId).map((s) => s.status)).toEqual(['succeeded', 'failed', 'failed', 'succeeded']);
  });

  it('does not retry an error that is not safe to retry', async () => {
    const delays: number[] = [];
    const app = retryApp(delays);
    const result = await app.run(
      workflow(
        [manual, { id: 'call', type: 'flaky.call', params: { failures: 1, retryable: false }, retry: { maxAttempts: 3 } }],
        [{ from: 'start', to: 'call' }],
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/Step "call" failed: Service unavailable \(1\)/);
    expect(delays).toEqual([]);
  });

  it('continue on error goes on; the error port takes the error path', async () => {
    const app = retryApp([]);
    const doc = (onError: 'continue' | 'errorPort') =>
      workflow(
        [
          manual,
          { id: 'call', type: 'flaky.call', params: { failures: 5, retryable: false }, onError },
          { id: 'ok', type: 'logic.set', params: { fields: { path: 'main' } } },
          ...(onError === 'errorPort'
            ? [{ id: 'handle', type: 'logic.set', params: { fields: { error: '{{ steps.call.output.error }}' } } }]
            : []),
        ],
        [
          { from: 'start', to: 'call' },
          { from: 'call', to: 'ok' },
          ...(onError === 'errorPort' ? [{ from: 'call', to: 'handle', port: 'error' }] : []),
        ],
      );
    const continued = await app.run(doc('continue'));
    expect(continued.status).toBe('succeeded');
    expect(continued.steps.find((s) => s.nodeId === 'ok')?.status).toBe('succeeded');

    calls = 0;
    const branched = await app.run(doc('errorPort'));
    expect(branched.status).toBe('succeeded');
    expect(branched.steps.find((s) => s.nodeId === 'ok')?.status).toBe('skipped');
    expect(branched.steps.find((s) => s.nodeId === 'handle')?.output).toEqual({ error: 'Service unavailable (1)' });
  });

  it('a failed run can be retried from the failed step without repeating earlier writes', async () => {
    const app = retryApp([]);
    const record = app.crm.createRecord({ type: 'job', title: 'Retry me' });
    const doc = workflow(
      [
        { ...manual, params: { sample: { record: record.id } } },
        { id: 'task', type: 'local.createTask', params: { title: 'Before the failure', record_id: '{{ trigger.data.record }}' } },
        { id: 'call', type: 'flaky.call', params: { failures: 1, retryable: false } },
        { id: 'after', type: 'local.createTask', params: { title: 'After the failure', record_id: '{{ trigger.data.record }}' } },
      ],
      [
        { from: 'start', to: 'task' },
        { from: 'task', to: 'call' },
        { from: 'call', to: 'after' },
      ],
    );
    const failed = await app.run(doc);
    expect(failed.status).toBe('failed');
    const retried = await app.retryRun(failed.runId);
    expect(retried.status).toBe('succeeded');
    expect(retried.steps.find((s) => s.nodeId === 'call')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(
      app.crm
        .listTasks({ record_id: record.id })
        .map((t) => t.title)
        .sort(),
    ).toEqual(['After the failure', 'Before the failure']);
    await expect(app.retryRun(failed.runId)).rejects.toThrow(/Only a failed run can be retried/);
  });

  it('a run that went on past a failed step does not repeat it when it resumes after a wait', async () => {
    let now = new Date('2026-06-17T14:00:00.000Z');
    calls = 0;
    const app = tempApp({ connectors: [...builtInConnectors, flaky], now: () => now });
    const doc = workflow(
      [
        manual,
        { id: 'call', type: 'flaky.call', params: { failures: 1, retryable: false }, onError: 'continue' },
        { id: 'pause', type: 'logic.wait', params: { mode: 'duration', amount: 1, unit: 'hours' } },
        { id: 'after', type: 'logic.set', params: { fields: { error: '{{ steps.call.output.error }}' } } },
      ],
      [
        { from: 'start', to: 'call' },
        { from: 'call', to: 'pause' },
        { from: 'pause', to: 'after' },
      ],
    );
    const first = await app.run(doc);
    expect(first.status).toBe('waiting');
    now = new Date('2026-06-17T15:00:01.000Z');
    app.scheduler.wakeDueRuns();
    await app.queue.idle();
    const done = app.engine.result(first.runId, doc as never);
    expect(done.status).toBe('succeeded');
    expect(calls).toBe(1);
    expect(done.steps.at(-1)?.output).toEqual({ error: 'Service unavailable (1)' });
  });

  it('a condition on a missing field fails the run with a clear message and keeps the journal', async () => {
    const app = tempApp();
    const before = app.crm.dump();
    const result = await app.run(
      workflow(
        [
          manual,
          { id: 'task', type: 'local.createRecord', params: { type: 'lead', title: 'Kept' } },
          {
            id: 'check',
            type: 'logic.if',
            params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.budget', operator: 'gt', value: 5 }] } },
          },
        ],
        [
          { from: 'start', to: 'task' },
          { from: 'task', to: 'check' },
        ],
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/Step "check" failed: .*"trigger\.data\.budget", which is not in the data/);
    expect(result.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    // The step before the failure committed; nothing else was written.
    expect(app.crm.findRecords({ search: 'Kept' })).toHaveLength(1);
    expect(app.crm.dump().tasks).toEqual(before.tasks);
  });

  it('a value of the wrong type at run time names the field', async () => {
    const app = tempApp();
    const result = await app.run(
      workflow(
        [
          { ...manual, params: { sample: { days: 'soon' } } },
          { id: 'pause', type: 'logic.wait', params: { mode: 'duration', amount: '{{ trigger.data.days }}', unit: 'days' } },
        ],
        [{ from: 'start', to: 'pause' }],
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/field "amount"/);
  });
});

describe('live processing', () => {
  it('a live workflow runs when a matching event happens in the CRM', async () => {
    const app = tempApp();
    app.save(template);
    app.setLive('local-lead-follow-up', true);
    app.start();
    const event = newLead(app, 'Live lead');
    app.crm.createRecord({ type: 'job', title: 'Not a lead' });
    await app.settle();

    const runs = app.journal.list({ workflowId: 'local-lead-follow-up' });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('succeeded');
    expect(app.crm.getRecord((event.data as { id: string }).id)?.stage).toBe('Contacted');
  });

  it('the loop guard stops a chain of runs that keeps triggering itself', async () => {
    const app = tempApp();
    const contact = app.crm.upsertContact({ email: 'echo@example.com' }).contact;
    app.save(
      workflow(
        [
          { id: 'tagged', type: 'local.contactTagged', params: {} },
          { id: 'retag', type: 'local.tagContact', params: { contact_id: '{{ trigger.data.id }}', tags: 'round-{{ run.id }}' } },
        ],
        [{ from: 'tagged', to: 'retag' }],
        { id: 'echo', name: 'Echo', settings: { timezone: 'UTC', maxChainDepth: 3 } },
      ),
    );
    app.setLive('echo', true);
    app.start();
    app.crm.tagContact(contact.id, ['start']);
    await app.settle();

    // The first event (depth 0) and the events caused by runs of depth 1..3 run; depth 4 is stopped.
    expect(app.journal.list({ workflowId: 'echo' })).toHaveLength(4);
    expect(app.inbox.list({ status: 'loop_stopped' })).toHaveLength(1);
    expect(app.inbox.list({ status: 'loop_stopped' })[0]?.note).toMatch(/chain of 4 workflow runs/);
  });
});
