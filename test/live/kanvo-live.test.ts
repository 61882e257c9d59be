import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type RunningHookServer, startHookServer } from '../../src-main/server/hooks.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempApp } from '../helpers.ts';

/** Going live with a Kanvo trigger, against the fake Kanvo API: webhook registration, delivery, polling. */

let kanvo: KanvoServer;
let app: App;
let hooks: RunningHookServer;

const workflow: WorkflowInput = {
  format: 'pipewright.workflow/1',
  id: 'kanvo-new-lead',
  name: 'Kanvo new lead: follow-up task',
  connections: { crm: { app: 'kanvo' } },
  nodes: [
    { id: 'trigger', type: 'kanvo.recordCreated', connection: 'crm', params: { objectType: 'lead' } },
    { id: 'task', type: 'local.createTask', params: { title: 'Follow up {{ trigger.data.title }}' } },
  ],
  edges: [{ from: 'trigger', to: 'task' }],
};

beforeEach(async () => {
  kanvo = await startKanvoServer();
  app = tempApp();
  hooks = await startHookServer({ app, port: 0, log: () => {} });
  app.save(workflow);
  app.start();
});

afterEach(async () => {
  await hooks.close();
  await kanvo.close();
});

const followUps = (title: string) => app.crm.listTasks().filter((t) => t.title === `Follow up ${title}`).length;
const recordData = (r: ReturnType<KanvoServer['addRecord']>) => {
  const { workspace: _w, deleted_at: _d, ...data } = r;
  return { ...data, object_types: { slug: 'lead', name: 'Lead' } };
};

describe('Kanvo trigger going live', () => {
  it('registers a signed webhook with Kanvo, runs its deliveries once, and deletes it on going off', async () => {
    app.settings.set('webhooks.publicUrl', hooks.origin);
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.admin });
    await app.setLive('kanvo-new-lead', true);

    const [hook] = app.triggerHooks('kanvo-new-lead');
    expect(hook).toMatchObject({ mode: 'webhook', registered: true, lastError: null });
    const remote = [...kanvo.webhooks.values()];
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({ url: hook?.url, events: ['record.created'] });
    // The one-time signing secret is kept encrypted, never in plain text in the store.
    const secret = remote[0]?.secret as string;
    expect(readFileSync(join(app.options.dataDir, 'pipewright.db')).includes(secret)).toBe(false);

    const record = kanvo.addRecord({ title: 'Harbor Dental' });
    const [delivery] = await kanvo.deliver('record.created', recordData(record));
    expect(delivery?.status).toBe(200);
    await app.settle();
    expect(followUps('Harbor Dental')).toBe(1);

    // Kanvo retrying the very same delivery: acknowledged, recorded as a duplicate, not run again.
    const again = await fetch(delivery?.url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kanvo-signature': delivery?.signature as string },
      body: delivery?.rawBody,
    });
    expect(again.status).toBe(200);
    await app.settle();
    expect(followUps('Harbor Dental')).toBe(1);
    expect(app.inbox.list({ status: 'duplicate' })).toHaveLength(1);

    await app.setLive('kanvo-new-lead', false);
    expect(kanvo.webhooks.size).toBe(0);
    expect(app.triggerHooks('kanvo-new-lead')).toEqual([]);
  });

  it('falls back to polling, with the reason, when the key may not manage webhooks', async () => {
    app.settings.set('webhooks.publicUrl', hooks.origin);
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.write });
    await app.setLive('kanvo-new-lead', true);
    const [hook] = app.triggerHooks('kanvo-new-lead');
    expect(hook?.mode).toBe('poll');
    expect(hook?.lastError).toMatch(/Could not register the webhook with Kanvo: .*admin.*Polling instead\./s);
    expect(kanvo.webhooks.size).toBe(0);
  });

  it('polls Kanvo when there is no public address: each new lead runs once', async () => {
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.read });
    kanvo.addRecord({ title: 'Before going live' });
    await app.setLive('kanvo-new-lead', true);
    const [hook] = app.triggerHooks('kanvo-new-lead');
    expect(hook).toMatchObject({ mode: 'poll', url: null, lastError: null });
    expect(hook?.polledAt).not.toBeNull();

    kanvo.addRecord({ title: 'Maple Roofing' });
    kanvo.addRecord({ title: 'Not a lead', type: 'job' });
    await app.pollNow();
    await app.settle();
    await app.pollNow();
    await app.settle();
    expect(followUps('Maple Roofing')).toBe(1);
    expect(followUps('Before going live')).toBe(0);
    expect(followUps('Not a lead')).toBe(0);
    expect(app.journal.list({ workflowId: 'kanvo-new-lead' })).toHaveLength(1);
  });
});

describe('changing the public address', () => {
  it('moves a polling Kanvo trigger to a registered webhook, and back to polling when it is cleared', async () => {
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.admin });
    await app.setLive('kanvo-new-lead', true);
    const before = app.triggerHooks('kanvo-new-lead')[0];
    expect(before?.mode).toBe('poll');

    await app.changeSetting('webhooks.publicUrl', hooks.origin);
    const after = app.triggerHooks('kanvo-new-lead')[0];
    expect(after).toMatchObject({ mode: 'webhook', registered: true, lastError: null });
    expect([...kanvo.webhooks.values()].map((w) => w.url)).toEqual([after?.url]);

    await app.changeSetting('webhooks.publicUrl', null);
    expect(app.triggerHooks('kanvo-new-lead')[0]).toMatchObject({ mode: 'poll', registered: false, url: null });
    expect(kanvo.webhooks.size).toBe(0);
  });
});
