import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type Rpc, serveApp } from './rpc-harness.ts';

/**
 * Version history over the browser edition's HTTP RPC: `workflows.diff` (plain-language changes
 * between two saved versions, named as the catalog and the bound accounts name them) and
 * `workflows.restore` (an earlier version saved again as the newest one).
 */

const template = JSON.parse(readFileSync('templates/local-lead-follow-up.json', 'utf8')) as WorkflowInput;

const serve = () => serveApp();

type Changes = MethodOutput<'workflows.diff'>;
type Saved = MethodOutput<'workflows.save'>;

/** The template with a two-day wait before its last step. */
function withWait(amount: number): WorkflowInput {
  const doc = structuredClone(template);
  doc.nodes.push({
    id: 'wait',
    type: 'logic.wait',
    version: 1,
    name: 'Wait',
    params: { mode: 'duration', amount, unit: 'days' },
    position: { x: 700, y: 160 },
  });
  doc.edges = [...(doc.edges ?? []).filter((e) => e.to !== 'stage'), { from: 'tag', to: 'wait' }, { from: 'wait', to: 'stage' }];
  return doc;
}

async function save(rpc: Rpc, document: WorkflowInput, note?: string): Promise<Saved> {
  const res = await rpc('workflows.save', { document, ...(note ? { note } : {}) });
  expect(res.status).toBe(200);
  return res.body as Saved;
}

async function diff(rpc: Rpc, id: string, from: number, to: number): Promise<string[]> {
  const res = await rpc('workflows.diff', { id, from, to });
  expect(res.status).toBe(200);
  return (res.body as Changes).map((c) => c.text);
}

describe('workflows.diff', () => {
  it('describes changed settings with the catalog’s field names', async () => {
    const { rpc } = await serve();
    await save(rpc, withWait(2));
    const edited = withWait(3);
    const task = edited.nodes.find((n) => n.id === 'task');
    if (task) task.params = { ...task.params, title: 'Phone {{ trigger.data.title }}' };
    await save(rpc, edited, 'Longer wait');

    expect(await diff(rpc, template.id, 1, 2)).toEqual([
      `Task of 'Add follow-up task': "Call {{ trigger.data.title }}" → "Phone {{ trigger.data.title }}"`,
      'Wait: 2 days → 3 days',
    ]);
    // Backwards works too: comparing a newer version with an older one.
    expect(await diff(rpc, template.id, 2, 1)).toContain('Wait: 3 days → 2 days');
  });

  it('names an added step and where it runs, and gives each change its step', async () => {
    const { rpc } = await serve();
    await save(rpc, template);
    await save(rpc, withWait(2));
    const res = await rpc('workflows.diff', { id: template.id, from: 1, to: 2 });
    expect(res.status).toBe(200);
    const changes = res.body as Changes;
    expect(changes).toContainEqual({ kind: 'stepAdded', nodeId: 'wait', text: "Added step 'Wait' after 'Tag the lead's contact'" });
    expect(changes.map((c) => c.text)).toContain("'Move to Contacted' no longer runs after 'Tag the lead's contact'");
  });

  it('names the accounts bound to the connections a step switched between', async () => {
    const { app, rpc } = await serve();
    app.connections.add({ name: 'kanvo-sales', app: 'kanvo', baseUrl: 'http://127.0.0.1:9', secret: 'key-sales-0000' });
    app.connections.add({ name: 'kanvo-support', app: 'kanvo', baseUrl: 'http://127.0.0.1:9', secret: 'key-support-0000' });
    const doc = structuredClone(template);
    doc.connections = { crm: { app: 'kanvo' } };
    doc.nodes.push({
      id: 'remote_task',
      type: 'kanvo.createTask',
      version: 1,
      name: 'Task in Kanvo',
      connection: 'crm',
      params: { title: 'Call {{ trigger.data.title }}' },
      position: { x: 1120, y: 0 },
    });
    doc.edges = [...(doc.edges ?? []), { from: 'stage', to: 'remote_task' }];
    await save(rpc, doc);
    const rebound = structuredClone(doc);
    rebound.connections = { support: { app: 'kanvo' } };
    rebound.nodes = rebound.nodes.map((n) => (n.id === 'remote_task' ? { ...n, connection: 'support' } : n));
    await save(rpc, rebound, 'Tasks go to the support team');
    app.connections.bind(template.id, 'crm', 'kanvo-sales');
    app.connections.bind(template.id, 'support', 'kanvo-support');

    expect(await diff(rpc, template.id, 1, 2)).toEqual([
      "Removed connection 'crm' (Kanvo (kanvo-sales))",
      "Added connection 'support': Kanvo (kanvo-support)",
      `Step 'Task in Kanvo' uses connection "support" (was "crm")`,
    ]);
  });

  it('says "no changes" with an empty list and answers 404 naming an unknown version', async () => {
    const { rpc } = await serve();
    await save(rpc, template);
    await save(rpc, template);
    expect(await diff(rpc, template.id, 1, 2)).toEqual([]);

    const missing = await rpc('workflows.diff', { id: template.id, from: 1, to: 9 });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ field: 'to', error: `"${template.name}" has no version 9; it has versions 1 to 2.` });
    const unknown = await rpc('workflows.diff', { id: 'nope', from: 1, to: 2 });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'There is no workflow "nope".' });
  });
});

describe('workflows.restore', () => {
  it('saves the earlier document as a new version with a note, keeping the history', async () => {
    const { app, rpc } = await serve();
    await save(rpc, withWait(2), 'Created');
    await save(rpc, withWait(5), 'Wait longer');
    const res = await rpc('workflows.restore', { id: template.id, version: 1 });
    expect(res.status).toBe(200);
    const restored = res.body as Saved;
    expect(restored).toMatchObject({ ok: true, workflow: { version: 3 }, issues: [] });

    const versions = (await rpc('workflows.versions', { id: template.id })).body as MethodOutput<'workflows.versions'>;
    expect(versions.map((v) => [v.version, v.note])).toEqual([
      [3, 'Restored version 1'],
      [2, 'Wait longer'],
      [1, 'Created'],
    ]);
    expect(app.workflows.document(template.id)).toEqual(app.workflows.document(template.id, 1));
    expect(await diff(rpc, template.id, 2, 3)).toEqual(['Wait: 5 days → 2 days']);
  });

  it('turns a live workflow into a draft when the restored version has problems', async () => {
    const { rpc } = await serve();
    const broken = structuredClone(template);
    broken.nodes = broken.nodes.map((n) => (n.id === 'task' ? { ...n, params: { ...n.params, title: '' } } : n));
    await save(rpc, broken, 'Started');
    await save(rpc, template, 'Fixed the task');
    expect((await rpc('workflows.setLive', { id: template.id, live: true })).body).toMatchObject({ ok: true });

    const res = await rpc('workflows.restore', { id: template.id, version: 1 });
    expect(res.status).toBe(200);
    const restored = res.body as Extract<Saved, { ok: true }>;
    expect(restored.workflow).toMatchObject({ version: 3, status: 'draft' });
    expect(restored.issues.length).toBeGreaterThan(0);

    // A restored version without problems stays live.
    await rpc('workflows.setLive', { id: template.id, live: false });
    await rpc('workflows.restore', { id: template.id, version: 2 });
    expect((await rpc('workflows.setLive', { id: template.id, live: true })).body).toMatchObject({ ok: true });
    const again = (await rpc('workflows.restore', { id: template.id, version: 4 })).body as Extract<Saved, { ok: true }>;
    expect(again.workflow).toMatchObject({ version: 5, status: 'live' });
  });

  it('answers 404 for an unknown version, naming it', async () => {
    const { rpc } = await serve();
    await save(rpc, template);
    const res = await rpc('workflows.restore', { id: template.id, version: 4 });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ field: 'version', error: `"${template.name}" has no version 4; it has only version 1.` });
    expect(((await rpc('workflows.versions', { id: template.id })).body as unknown[]).length).toBe(1);
  });
});
