import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MethodOutput, WorkflowSummary } from '../../src-main/shared/contract.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type GhlServer, startGhlServer } from '../fixtures/ghl-server.ts';
import { type KanbertServer, startKanbertServer } from '../fixtures/kanbert-server.ts';
import { afterThisTest } from '../helpers.ts';
import { type Rpc, serveApp } from './rpc-harness.ts';

/**
 * How live workflows receive events, and why one was paused, over the browser edition's HTTP RPC:
 * the `triggers` and `pausedReason` of a workflow summary, and `workflows.checkNow`.
 */

const template = JSON.parse(readFileSync('templates/local-lead-follow-up.json', 'utf8')) as WorkflowInput;

const serve = () => serveApp();

async function kanbertServer(): Promise<KanbertServer> {
  const server = await startKanbertServer();
  afterThisTest(() => server.close());
  return server;
}

async function ghlServer(): Promise<GhlServer> {
  const server = await startGhlServer();
  afterThisTest(() => server.close());
  return server;
}

/** A workflow started by a remote app's trigger that adds a local task. */
function remoteWorkflow(id: string, app: string, trigger: string): WorkflowInput {
  return {
    format: 'pipewright.workflow/1',
    id,
    name: `New ${app} contact`,
    connections: { crm: { app } },
    nodes: [
      { id: 'trigger', type: trigger, connection: 'crm', params: {} },
      { id: 'task', type: 'local.createTask', params: { title: 'Call {{ trigger.data.email }}' } },
    ],
    edges: [{ from: 'trigger', to: 'task' }],
  };
}

async function summaryOf(rpc: Rpc, id: string): Promise<WorkflowSummary> {
  const answer = await rpc('workflows.get', { id });
  expect(answer.status).toBe(200);
  return (answer.body as MethodOutput<'workflows.get'>).workflow;
}

describe('live triggers in workflow summaries', () => {
  it('shows a Kanbert trigger without a public address as polling, and "check now" reads its changes', async () => {
    const kanbert = await kanbertServer();
    const h = await serve();
    h.app.connections.add({ name: 'kanbert-main', app: 'kanbert', baseUrl: kanbert.url, secret: kanbert.keys.write });
    h.app.settings.set('webhooks.pollSeconds', 90);
    const workflow = remoteWorkflow('kanbert-contacts', 'kanbert', 'kanbert.contactCreated');
    await h.rpc('workflows.save', { document: workflow });

    // A draft receives nothing yet.
    expect(await summaryOf(h.rpc, workflow.id)).toMatchObject({ status: 'draft', triggers: [], pausedReason: null });

    expect((await h.rpc('workflows.setLive', { id: workflow.id, live: true })).body).toMatchObject({ ok: true });
    const live = await summaryOf(h.rpc, workflow.id);
    expect(live.triggers).toEqual([
      {
        nodeId: 'trigger',
        app: 'kanbert',
        appName: 'Kanbert',
        mode: 'poll',
        url: null,
        registered: false,
        lastError: null,
        // Going live reads the current state once, so later changes are new.
        polledAt: expect.any(String),
        pollSeconds: 90,
      },
    ]);

    kanbert.addContact({ first_name: 'Anna', last_name: 'Berger', email: 'anna.berger@example.com' });
    const checked = await h.rpc('workflows.checkNow', { id: workflow.id });
    expect(checked.status).toBe(200);
    const after = checked.body as WorkflowSummary;
    expect(after).toMatchObject({ id: workflow.id, status: 'live', triggers: [{ mode: 'poll', lastError: null }] });
    expect(Date.parse(after.triggers[0]?.polledAt as string)).toBeGreaterThanOrEqual(Date.parse(live.triggers[0]?.polledAt as string));
    const [event] = h.app.inbox.list({ workflowId: workflow.id });
    expect(event).toMatchObject({ source: 'kanbert', event: 'kanbert:contact.create' });
    await h.app.settle();
    expect(h.app.crm.listTasks().some((t) => t.title === 'Call anna.berger@example.com')).toBe(true);

    // The list carries the same facts; off again, nothing is received.
    const list = (await h.rpc('workflows.list', {})).body as WorkflowSummary[];
    expect(list.find((w) => w.id === workflow.id)?.triggers).toMatchObject([{ app: 'kanbert', mode: 'poll' }]);
    await h.rpc('workflows.setLive', { id: workflow.id, live: false });
    expect((await summaryOf(h.rpc, workflow.id)).triggers).toEqual([]);
  });

  it('tells a GHL trigger without a public address what is missing, and gives the address to paste once set', async () => {
    const ghl = await ghlServer();
    const h = await serve();
    h.app.connections.add({ name: 'ghl-main', app: 'ghl', baseUrl: ghl.url, secret: ghl.keys.write });
    const workflow = remoteWorkflow('ghl-contacts', 'ghl', 'ghl.contactCreated');
    await h.rpc('workflows.save', { document: workflow });
    await h.rpc('workflows.setLive', { id: workflow.id, live: true });
    expect((await summaryOf(h.rpc, workflow.id)).triggers).toEqual([
      {
        nodeId: 'trigger',
        app: 'ghl',
        appName: 'GHL Contacts',
        mode: 'webhook',
        url: null,
        registered: false,
        lastError: 'Set the public address in Settings so GHL Contacts can reach this computer.',
        polledAt: null,
        pollSeconds: null,
      },
    ]);
    const listed = ((await h.rpc('workflows.list', {})).body as WorkflowSummary[]).find((w) => w.id === workflow.id);
    expect(listed?.triggers[0]?.lastError).toContain('public address');

    // Turned off and on again with the address set, the trigger gets it.
    await h.rpc('settings.set', { key: 'webhooks.publicUrl', value: 'https://hooks.example.com/' });
    await h.rpc('workflows.setLive', { id: workflow.id, live: false });
    await h.rpc('workflows.setLive', { id: workflow.id, live: true });
    const [hook] = (await summaryOf(h.rpc, workflow.id)).triggers;
    expect(hook).toMatchObject({ mode: 'webhook', registered: false, lastError: null, pollSeconds: null });
    expect(hook?.url).toMatch(/^https:\/\/hooks\.example\.com\/hooks\/[\w-]+$/);
  });

  it('lists no triggers for live workflows started by the local CRM', async () => {
    const h = await serve();
    await h.rpc('workflows.save', { document: template });
    await h.rpc('workflows.setLive', { id: template.id, live: true });
    expect(await summaryOf(h.rpc, template.id)).toMatchObject({ status: 'live', triggers: [], pausedReason: null });
    // "Check now" on such a workflow is harmless: nothing polls.
    expect(await h.rpc('workflows.checkNow', { id: template.id })).toMatchObject({ status: 200, body: { id: template.id, triggers: [] } });
  });

  it('answers "check now" for an unknown workflow with 404, and a missing id with the field', async () => {
    const h = await serve();
    expect(await h.rpc('workflows.checkNow', { id: 'nope' })).toEqual({
      status: 404,
      body: { error: 'There is no workflow "nope".', field: 'id' },
    });
    expect(await h.rpc('workflows.checkNow', {})).toMatchObject({ status: 400, body: { field: 'id' } });
  });
});

describe('paused workflows', () => {
  it('says why a workflow was paused after failed runs in a row, and going live again clears it', async () => {
    const h = await serve();
    await h.rpc('settings.set', { key: 'workflows.pauseAfterFailures', value: 2 });
    const failing: WorkflowInput = {
      format: 'pipewright.workflow/1',
      id: 'always-fails',
      name: 'Always fails',
      nodes: [
        { id: 'trigger', type: 'local.recordCreated', params: {} },
        { id: 'fail', type: 'logic.stopWithError', params: { message: 'The quote template is missing' } },
      ],
      edges: [{ from: 'trigger', to: 'fail' }],
    };
    expect((await h.rpc('workflows.save', { document: failing })).body).toMatchObject({ ok: true, issues: [] });
    await h.rpc('workflows.setLive', { id: failing.id, live: true });
    for (const title of ['First lead', 'Second lead']) {
      await h.rpc('crm.createRecord', { type: 'lead', title });
      await h.app.settle();
    }

    const paused = await summaryOf(h.rpc, failing.id);
    expect(paused.status).toBe('paused');
    expect(paused.pausedReason).toMatch(/^Paused after 2 failed runs in a row\. Last error: .*The quote template is missing/);
    expect(paused.triggers).toEqual([]);
    const listed = ((await h.rpc('workflows.list', {})).body as WorkflowSummary[]).find((w) => w.id === failing.id);
    expect(listed).toMatchObject({ status: 'paused', pausedReason: paused.pausedReason });

    const back = await h.rpc('workflows.setLive', { id: failing.id, live: true });
    expect(back.body).toMatchObject({ ok: true, workflow: { status: 'live', pausedReason: null } });
  });
});
