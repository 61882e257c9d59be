import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { testConnection } from '../../src-main/connectors/http.ts';
import { KANVO_EVENTS, kanvoInboxEvent, verifyKanvoSignature } from '../../src-main/connectors/kanvo.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempApp } from '../helpers.ts';

let kanvo: KanvoServer;
let app: App;

beforeEach(async () => {
  kanvo = await startKanvoServer();
  app = tempApp();
});

afterEach(async () => {
  await kanvo.close();
});

function connect(key: string = kanvo.keys.write, name = 'kanvo-main'): void {
  app.connections.add({ name, app: 'kanvo', baseUrl: kanvo.url, secret: key });
}

type Node = WorkflowInput['nodes'][number];

/** A manual trigger with `sample` as its data, then `steps` in a chain, all on the alias "crm". */
function chain(sample: Record<string, unknown>, ...steps: Omit<Node, 'connection'>[]): WorkflowInput {
  const nodes: Node[] = [{ id: 'start', type: 'logic.manual', params: { sample } }, ...steps.map((s) => ({ ...s, connection: 'crm' }))];
  return {
    format: 'pipewright.workflow/1',
    id: 'kanvo-flow',
    name: 'Kanvo flow',
    connections: { crm: { app: 'kanvo' } },
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: (nodes[i] as Node).id, to: n.id })),
  };
}

const newLeadFlow = () =>
  chain(
    { name: 'Smith Residence - Spring Cleanup', phone: '555-999-0001' },
    {
      id: 'create',
      type: 'kanvo.createRecord',
      params: {
        type: 'lead',
        title: '{{ trigger.data.name }}',
        pipeline: 'main-sales',
        stage: 'new',
        data: { phone: '{{ trigger.data.phone }}', address: '42 Elm Street, Hartford CT' },
      },
    },
    {
      id: 'task',
      type: 'kanvo.createTask',
      params: { title: 'Call {{ steps.create.output.title }}', record_id: '{{ steps.create.output.id }}', due_date: '2026-07-01' },
    },
    { id: 'move', type: 'kanvo.moveStage', params: { record_id: '{{ steps.create.output.id }}', stage: 'Contacted' } },
  );

describe('Kanvo golden workflows', () => {
  it('creates a lead in a stage, adds a follow-up task and moves the lead on', async () => {
    connect();
    const result = await app.run(newLeadFlow());

    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['start', 'succeeded'],
      ['create', 'succeeded'],
      ['task', 'succeeded'],
      ['move', 'succeeded'],
    ]);
    const [create] = kanvo.requestsTo('/records', 'POST');
    expect(create?.headers.authorization).toBe(`Bearer ${kanvo.keys.write}`);
    expect(create?.body).toEqual({
      type: 'lead',
      title: 'Smith Residence - Spring Cleanup',
      pipeline: 'main-sales',
      stage: 'new',
      data: { phone: '555-999-0001', address: '42 Elm Street, Hartford CT' },
    });
    const record = [...kanvo.records.values()][0];
    expect(record).toMatchObject({ title: 'Smith Residence - Spring Cleanup', stage_id: kanvo.stageId('Contacted') });
    expect([...kanvo.tasks.values()]).toEqual([
      expect.objectContaining({ title: 'Call Smith Residence - Spring Cleanup', record_id: record?.id, due_date: '2026-07-01' }),
    ]);
    expect(kanvo.requestsTo(`/records/${record?.id}`, 'PATCH')[0]?.body).toEqual({ stage_id: kanvo.stageId('Contacted') });
    expect(kanvo.events.map((e) => e.event)).toEqual([
      'record.created',
      'pipeline.stage_changed',
      'task.created',
      'record.updated',
      'pipeline.stage_changed',
    ]);
    expect(result.steps[1]?.output).toMatchObject({ id: record?.id, object_types: { slug: 'lead' } });
  });

  it('dry-runs without sending a single write, showing each planned request with the key redacted', async () => {
    connect();
    const result = await app.run(newLeadFlow(), { dryRun: true });

    expect(result.status).toBe('succeeded');
    expect(kanvo.counts.writes).toBe(0);
    expect(kanvo.records.size).toBe(0);
    expect(result.requests.map((r) => `${r.method} ${r.url.replace(kanvo.url, '')}`)).toEqual([
      'POST /records',
      'POST /records/tasks',
      expect.stringMatching(/^PATCH \/records\/[0-9a-f-]{36}$/),
    ]);
    const [create, task, move] = result.requests;
    expect(create?.headers).toMatchObject({ Authorization: '••••••', 'Content-Type': 'application/json' });
    expect(create?.body).toEqual({
      type: 'lead',
      title: 'Smith Residence - Spring Cleanup',
      pipeline: 'main-sales',
      stage: 'new',
      data: { phone: '555-999-0001', address: '42 Elm Street, Hartford CT' },
    });
    // Later steps see the simulated output: the new lead's id and its stage.
    const simulated = result.steps[1];
    expect(simulated).toMatchObject({ simulated: true, output: { stage_id: kanvo.stageId('New'), object_type_id: kanvo.typeId('lead') } });
    expect(task?.body).toMatchObject({ record_id: (simulated?.output as { id: string } | undefined)?.id });
    expect(move?.body).toEqual({ stage_id: kanvo.stageId('Contacted') });
    expect(result.steps[3]?.output).toMatchObject({ stage_id: kanvo.stageId('Contacted') });
    expect(JSON.stringify(result)).not.toContain(kanvo.keys.write);
    expect(JSON.stringify(app.journal.steps(result.runId))).not.toContain(kanvo.keys.write);
  });

  it('a dry run reports a stage that does not exist, as the live run would fail', async () => {
    connect();
    const flow = chain({}, { id: 'create', type: 'kanvo.createRecord', params: { type: 'lead', pipeline: 'Main Sales', stage: 'Wom' } });
    const result = await app.run(flow, { dryRun: true });
    expect(result.status).toBe('failed');
    expect(result.error).toContain('The Kanvo pipeline "Main Sales" has no stage "Wom" (stages: New, Contacted, Won)');
    expect(kanvo.counts.writes).toBe(0);
  });

  it('401: a wrong key fails the run with a clear message that does not contain the key', async () => {
    const wrong = 'kv_live_0000000000000000wrongkey';
    connect(wrong);
    const result = await app.run(chain({}, { id: 'schema', type: 'kanvo.getSchema', params: {} }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Kanvo rejected the credentials of connection "kanvo-main" (401: "Missing or invalid API key")');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it.each([
    ['read', 'kanvo.createRecord', { type: 'lead', title: 'X' }, 'write', 'create a record'],
    ['write', 'kanvo.registerWebhook', { url: 'https://example.com/hook', events: 'record.created' }, 'admin', 'register a webhook'],
    ['write', 'kanvo.listWebhooks', {}, 'admin', 'list webhooks'],
  ] as const)('403: a %s key running %s names the missing "%s" scope', async (scope, type, params, missing, what) => {
    connect(kanvo.keys[scope]);
    const result = await app.run(chain({}, { id: 'step', type, params }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      `lacks the "${missing}" scope needed to ${what} (403: "API key lacks the required scope for this operation")`,
    );
  });

  it('404: a record of another workspace is not found, and the message says why that may be', async () => {
    connect();
    const foreign = kanvo.addRecord({ title: 'Not ours', workspace: 'other' });
    const result = await app.run(chain({}, { id: 'get', type: 'kanvo.getRecord', params: { record_id: foreign.id } }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Kanvo could not read the record: not found (404: "Record not found")');
    expect(result.error).toContain('another workspace');
  });

  it('400: Kanvo validation errors reach the run with the API’s own words', async () => {
    connect();
    const result = await app.run(chain({}, { id: 'create', type: 'kanvo.createRecord', params: { type: 'invoice' } }));
    expect(result.error).toContain(`Kanvo refused to create a record (400: "Object type 'invoice' not found")`);
    expect(kanvo.counts.writes).toBe(1);
  });

  it('429 then success: waits at least Retry-After and sends the create once more', async () => {
    connect();
    kanvo.inject({ status: 429, retryAfter: '1', method: 'POST', path: '/records' });
    const started = performance.now();
    const result = await app.run(chain({}, { id: 'create', type: 'kanvo.createRecord', params: { type: 'job', title: 'Gutter repair' } }));
    const elapsed = performance.now() - started;

    expect(result.status).toBe('succeeded');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(kanvo.requestsTo('/records', 'POST').map((r) => r.status)).toEqual([429, 200]);
    expect(kanvo.records.size).toBe(1);
  });

  it('500 on a read: retried with backoff until it works', async () => {
    connect();
    const record = kanvo.addRecord({ title: 'Flaky' });
    kanvo.inject({ status: 500, times: 2, method: 'GET' });
    const result = await app.run(chain({}, { id: 'get', type: 'kanvo.getRecord', params: { record_id: record.id } }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ id: record.id, title: 'Flaky' });
    expect(kanvo.requestsTo(`/records/${record.id}`).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('500 on a create: not sent again (it might have been made), the run fails saying so', async () => {
    connect();
    kanvo.inject({ status: 500, method: 'POST', path: '/records' });
    const result = await app.run(chain({}, { id: 'create', type: 'kanvo.createRecord', params: { type: 'lead', title: 'Once' } }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Kanvo had a server error when trying to create a record (500: "Unexpected error")');
    expect(kanvo.requestsTo('/records', 'POST')).toHaveLength(1);
  });

  it('500 on a stage move: retried, since setting the same stage twice changes nothing more', async () => {
    connect();
    const record = kanvo.addRecord({ title: 'Mover', stage: 'new' });
    kanvo.inject({ status: 503, method: 'PATCH' });
    const result = await app.run(chain({}, { id: 'move', type: 'kanvo.moveStage', params: { record_id: record.id, stage: 'won' } }));
    expect(result.status).toBe('succeeded');
    expect(kanvo.requestsTo(`/records/${record.id}`, 'PATCH').map((r) => r.status)).toEqual([503, 200]);
    expect(kanvo.records.get(record.id)?.stage_id).toBe(kanvo.stageId('Won'));
  });

  it('a slow answer within the timeout is waited for', async () => {
    connect();
    kanvo.inject({ delayMs: 400, method: 'GET', path: '/schema' });
    const result = await app.run(chain({}, { id: 'schema', type: 'kanvo.getSchema', params: {} }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({
      stages: expect.arrayContaining([expect.objectContaining({ name: 'Won', pipeline: 'Main Sales' })]),
    });
  });

  it('reads every page to the end, and stops at "At most"', async () => {
    connect(kanvo.keys.read);
    for (let i = 0; i < 237; i++) kanvo.addRecord({ type: 'lead', title: `Lead ${i + 1}` });
    for (let i = 0; i < 5; i++) kanvo.addRecord({ type: 'job', title: `Job ${i + 1}` });

    const all = await app.run(chain({}, { id: 'list', type: 'kanvo.listRecords', params: { type: 'lead', limit: 1000 } }));
    expect(all.status).toBe('succeeded');
    expect(all.steps[1]?.output).toMatchObject({ count: 237, total: 237, truncated: false, first: { title: 'Lead 1' } });
    expect(kanvo.requestsTo('/records', 'GET').map((r) => r.query)).toEqual([
      { type: 'lead', page: '1', per_page: '100' },
      { type: 'lead', page: '2', per_page: '100' },
      { type: 'lead', page: '3', per_page: '100' },
    ]);

    kanvo.clearLog();
    const some = await app.run(chain({}, { id: 'list', type: 'kanvo.listRecords', params: { search: 'lead 2', limit: 30 } }));
    expect(some.steps[1]?.output).toMatchObject({ count: 30, truncated: true });
    expect(kanvo.requestsTo('/records', 'GET')).toHaveLength(1);
  });

  it('finds a stage added in Kanvo after the schema was cached, by reading the schema again', async () => {
    connect();
    const record = kanvo.addRecord({ title: 'Mover', stage: 'new' });
    const move = (stage: string) => app.run(chain({}, { id: 'move', type: 'kanvo.moveStage', params: { record_id: record.id, stage } }));
    expect((await move('Contacted')).status).toBe('succeeded');
    kanvo.workspaces.main.pipelines[0]?.stages.push({
      id: 'f0000000-0000-4000-8000-00000000beef',
      name: 'Quoted',
      slug: 'quoted',
      position: 3,
    });
    expect((await move('Quoted')).status).toBe('succeeded');
    expect(kanvo.records.get(record.id)?.stage_id).toBe('f0000000-0000-4000-8000-00000000beef');
    expect(kanvo.requestsTo('/schema')).toHaveLength(2);
  });

  it('updates a record: fields merged with what Kanvo has, stage by name in its own pipeline, unassign', async () => {
    connect();
    const record = kanvo.addRecord({ title: 'Merge me', stage: 'scheduled', data: { phone: '555-0101', crew: 'A' } });
    record.assignee_id = 'c5f4e3d2-0000-4000-8000-000000000001';
    const result = await app.run(
      chain(
        {},
        { id: 'update', type: 'kanvo.updateRecord', params: { record_id: record.id, data: { crew: 'B' }, stage: 'Done', unassign: 'yes' } },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(kanvo.requestsTo(`/records/${record.id}`, 'PATCH')[0]?.body).toEqual({
      data: { phone: '555-0101', crew: 'B' },
      assignee_id: null,
      stage_id: kanvo.stageId('Done'),
    });
    expect(kanvo.records.get(record.id)).toMatchObject({ data: { phone: '555-0101', crew: 'B' }, assignee_id: null });
  });

  it('runs every task operation: list open ones, update, complete, get and delete', async () => {
    connect();
    const record = kanvo.addRecord({ title: 'With tasks' });
    const open = kanvo.addTask({ title: 'Open one', record_id: record.id });
    kanvo.addTask({ title: 'Done one', record_id: record.id, completed: true });
    const flow = chain(
      {},
      { id: 'list', type: 'kanvo.listTasks', params: { record_id: record.id, status: 'open' } },
      {
        id: 'update',
        type: 'kanvo.updateTask',
        params: { task_id: '{{ steps.list.output.first.id }}', due_date: '2026-07-04', notes: 'Bring the quote' },
      },
      { id: 'complete', type: 'kanvo.completeTask', params: { task_id: '{{ steps.list.output.first.id }}' } },
      { id: 'get', type: 'kanvo.getTask', params: { task_id: '{{ steps.list.output.first.id }}' } },
      { id: 'delete', type: 'kanvo.deleteTask', params: { task_id: '{{ steps.list.output.first.id }}' } },
    );
    const result = await app.run(flow);
    expect(result.status).toBe('succeeded');
    expect(kanvo.requestsTo('/records/tasks', 'GET')[0]?.query).toMatchObject({ record_id: record.id, completed: 'false' });
    expect(result.steps[1]?.output).toMatchObject({ count: 1, first: { id: open.id } });
    expect(result.steps[4]?.output).toMatchObject({ id: open.id, completed: true, due_date: '2026-07-04', notes: 'Bring the quote' });
    expect(result.steps[5]?.output).toEqual({ deleted: true, id: open.id });
    expect(kanvo.tasks.has(open.id)).toBe(false);
    expect(kanvo.events.map((e) => e.event)).toEqual(['task.updated', 'task.updated', 'task.completed', 'task.deleted']);
  });

  it('deletes a record softly: it is gone from lists', async () => {
    connect();
    const record = kanvo.addRecord({ title: 'Delete me' });
    const result = await app.run(
      chain(
        {},
        { id: 'delete', type: 'kanvo.deleteRecord', params: { record_id: record.id } },
        { id: 'list', type: 'kanvo.listRecords', params: {} },
      ),
    );
    expect(result.steps[1]?.output).toEqual({ deleted: true, id: record.id });
    expect(result.steps[2]?.output).toMatchObject({ count: 0 });
    expect(kanvo.records.get(record.id)?.deleted_at).not.toBeNull();
  });

  it('registers a webhook (keeping only a hint of its secret), receives a signed delivery, lists and deletes it', async () => {
    connect(kanvo.keys.admin);
    const received: { body: string; signature: string | undefined }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-kanvo-signature'] as string | undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/abc`;
    try {
      const register = await app.run(
        chain(
          {},
          { id: 'register', type: 'kanvo.registerWebhook', params: { url: hookUrl, events: 'record.created, pipeline.stage_changed' } },
          { id: 'list', type: 'kanvo.listWebhooks', params: {} },
        ),
      );
      expect(register.status).toBe('succeeded');
      const hook = [...kanvo.webhooks.values()][0];
      expect(hook).toMatchObject({ url: hookUrl, events: ['record.created', 'pipeline.stage_changed'] });
      expect(register.steps[1]?.output).toMatchObject({ id: hook?.id, secret_hint: `••••${hook?.secret.slice(-4)}` });
      expect(register.steps[2]?.output).toMatchObject({ count: 1, webhooks: [{ id: hook?.id, is_active: true }] });
      expect(JSON.stringify(app.journal.steps(register.runId))).not.toContain(hook?.secret);

      const record = kanvo.addRecord({ title: 'Signed' });
      const [delivery] = await kanvo.deliver('record.created', { id: record.id, title: record.title });
      expect(delivery?.status).toBe(200);
      expect(received).toHaveLength(1);
      expect(verifyKanvoSignature(received[0]?.body ?? '', received[0]?.signature, hook?.secret ?? '')).toBe(true);
      expect(verifyKanvoSignature(`${received[0]?.body} `, received[0]?.signature, hook?.secret ?? '')).toBe(false);

      const removed = await app.run(chain({}, { id: 'remove', type: 'kanvo.deleteWebhook', params: { webhook_id: hook?.id } }));
      expect(removed.status).toBe('succeeded');
      expect(kanvo.requestsTo('/webhooks', 'DELETE')[0]?.query).toEqual({ id: hook?.id });
      expect(kanvo.webhooks.size).toBe(0);
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe('Kanvo triggers', () => {
  const triggerFlow = (params: Record<string, unknown>, type = 'kanvo.recordCreated'): WorkflowInput => ({
    format: 'pipewright.workflow/1',
    id: 'kanvo-trigger',
    name: 'On Kanvo lead',
    connections: { crm: { app: 'kanvo' } },
    nodes: [
      { id: 'trigger', type, connection: 'crm', params },
      { id: 'note', type: 'logic.set', params: { fields: { title: '{{ trigger.data.title }}' } } },
    ],
    edges: [{ from: 'trigger', to: 'note' }],
  });

  it('start from Kanvo deliveries only, never from local CRM events of the same name', async () => {
    connect();
    app.save(triggerFlow({}));
    await app.setLive('kanvo-trigger', true);

    app.crm.createRecord({ type: 'lead', title: 'Local lead' });
    await app.settle();
    expect(app.journal.list({ workflowId: 'kanvo-trigger' })).toHaveLength(0);

    const payload = {
      event: 'record.created',
      workspace_id: 'ws_main01',
      timestamp: new Date().toISOString(),
      data: { id: 'r1', title: 'Remote lead' },
    };
    app.inbox.add({ source: 'kanvo', event: kanvoInboxEvent('record.created'), payload, receivedAt: payload.timestamp });
    await app.settle();
    const runs = app.journal.list({ workflowId: 'kanvo-trigger' });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('succeeded');
  });

  it('match an object type by slug once the workspace schema is known', async () => {
    connect();
    const trigger = app.registry.resolve('kanvo.recordCreated');
    if (trigger?.kind !== 'trigger') throw new Error('no trigger');
    const matches = (objectType: string, data: Record<string, unknown>) =>
      trigger.trigger.matches?.(trigger.trigger.params.parse({ objectType }), { event: 'record.created', timestamp: '', data }, app.crm);
    const job = { id: 'r1', object_type_id: kanvo.typeId('job') };
    // The id is unknown until the schema has been read (going live reads it).
    expect(matches('job', job)).toBe(false);
    expect(matches(kanvo.typeId('job'), job)).toBe(true);
    await app.run(chain({}, { id: 'schema', type: 'kanvo.getSchema', params: {} }));
    expect(matches('job', job)).toBe(true);
    expect(matches('Job', job)).toBe(true);
    expect(matches('lead', job)).toBe(false);
    // A payload that names its type is matched without the schema.
    expect(matches('estimate', { id: 'r2', object_type_id: 'x', object_types: { slug: 'estimate', name: 'Estimate' } })).toBe(true);
  });

  it('stage changed: filters by the stage arrived in', async () => {
    connect();
    await app.run(chain({}, { id: 'schema', type: 'kanvo.getSchema', params: {} }));
    const trigger = app.registry.resolve('kanvo.stageChanged');
    if (trigger?.kind !== 'trigger') throw new Error('no trigger');
    const matches = (params: Record<string, unknown>, stage: string) =>
      trigger.trigger.matches?.(
        trigger.trigger.params.parse(params),
        { event: 'pipeline.stage_changed', timestamp: '', data: { id: 'r', stage_id: kanvo.stageId(stage) } },
        app.crm,
      );
    expect(matches({ stage: 'Won' }, 'Won')).toBe(true);
    expect(matches({ stage: 'won', pipeline: 'main-sales' }, 'Won')).toBe(true);
    expect(matches({ stage: 'Won' }, 'Contacted')).toBe(false);
    expect(matches({ pipeline: 'Jobs' }, 'Won')).toBe(false);
    expect(matches({}, 'Won')).toBe(true);
  });
});

describe('Kanvo in the catalog', () => {
  /** Every operation and event of kanvo-api.txt, and the node that covers it. */
  const documented: [string, string][] = [
    ['GET /records', 'kanvo.listRecords'],
    ['GET /records/:id', 'kanvo.getRecord'],
    ['POST /records', 'kanvo.createRecord'],
    ['PATCH /records/:id', 'kanvo.updateRecord'],
    ['PATCH /records/:id (stage_id)', 'kanvo.moveStage'],
    ['DELETE /records/:id', 'kanvo.deleteRecord'],
    ['GET /records/tasks', 'kanvo.listTasks'],
    ['GET /records/tasks/:id', 'kanvo.getTask'],
    ['POST /records/tasks', 'kanvo.createTask'],
    ['PATCH /records/tasks/:id', 'kanvo.updateTask'],
    ['PATCH /records/tasks/:id (completed)', 'kanvo.completeTask'],
    ['DELETE /records/tasks/:id', 'kanvo.deleteTask'],
    ['GET /schema', 'kanvo.getSchema'],
    ['GET /webhooks', 'kanvo.listWebhooks'],
    ['POST /webhooks', 'kanvo.registerWebhook'],
    ['DELETE /webhooks?id=', 'kanvo.deleteWebhook'],
    ['record.created', 'kanvo.recordCreated'],
    ['record.updated', 'kanvo.recordUpdated'],
    ['record.deleted', 'kanvo.recordDeleted'],
    ['task.created', 'kanvo.taskCreated'],
    ['task.updated', 'kanvo.taskUpdated'],
    ['task.deleted', 'kanvo.taskDeleted'],
    ['task.completed', 'kanvo.taskCompleted'],
    ['pipeline.stage_changed', 'kanvo.stageChanged'],
    ['contract.created', 'kanvo.contractCreated'],
    ['contract.signed', 'kanvo.contractSigned'],
    ['form.submitted', 'kanvo.formSubmitted'],
    ['contact.created', 'kanvo.contactCreated'],
    ['contact.updated', 'kanvo.contactUpdated'],
  ];

  it('has a node with a label and help text for every documented operation and event', () => {
    const nodes = new Map(app.registry.catalog().nodes.map((n) => [n.type, n]));
    for (const [operation, type] of documented) {
      const node = nodes.get(type);
      expect(node, operation).toBeDefined();
      expect(node?.label.length, type).toBeGreaterThan(3);
      expect(node?.description.length, type).toBeGreaterThan(20);
      if (node?.kind === 'trigger') expect(node.events, type).toEqual([kanvoInboxEvent(operation)]);
      // Every form field has a label and a help line.
      for (const [field, schema] of Object.entries(
        (node?.input.properties ?? {}) as Record<string, { title?: string; description?: string }>,
      )) {
        expect(schema.title, `${type} ${field}`).toBeTruthy();
        expect(schema.description, `${type} ${field}`).toBeTruthy();
      }
    }
    const kanvoTypes = [...nodes.keys()].filter((t) => t.startsWith('kanvo.'));
    expect(kanvoTypes.sort()).toEqual(documented.map(([, t]) => t).sort());
    expect(documented.filter(([op]) => !op.includes('/')).map(([op]) => op)).toEqual([...KANVO_EVENTS]);
  });

  it('declares every write with a plan, and the scope each operation needs in its help', () => {
    const connector = app.registry.connectors.find((c) => c.id === 'kanvo');
    for (const action of connector?.actions ?? []) {
      if (action.effect === 'write') expect(action.plan, action.key).toBeTypeOf('function');
      expect(action.description, action.key).toMatch(/scope/);
    }
  });
});

describe('Kanvo "test connection"', () => {
  it('reports what it found, a bad key (401) and a missing scope (403), naming it', async () => {
    connect(kanvo.keys.read);
    const ok = await testConnection(app.connections.resolve('kanvo-main'));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.message).toContain('3 object types (Lead, Job, Estimate) and 2 pipelines (Main Sales, Jobs)');

    app.connections.update('kanvo-main', { secret: 'kv_live_revoked0000000000000000' });
    const bad = await testConnection(app.connections.resolve('kanvo-main'));
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(bad.message).toContain('Kanvo rejected the API key (401 Unauthorized: "Missing or invalid API key")');
    expect(bad.message).not.toContain('revoked0000');

    app.connections.update('kanvo-main', { secret: kanvo.keys.read });
    kanvo.inject({ status: 403, body: { success: false, error: 'API key lacks the required scope for this operation' } });
    const forbidden = await testConnection(app.connections.resolve('kanvo-main'));
    expect(forbidden).toMatchObject({ ok: false, status: 403, scope: 'read' });
    expect(forbidden.message).toContain('lacks the "read" scope');
  });
});
