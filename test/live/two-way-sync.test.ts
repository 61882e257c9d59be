import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type RunningHookServer, startHookServer } from '../../src-main/server/hooks.ts';
import { type GhlServer, startGhlServer } from '../fixtures/ghl-server.ts';
import { type KanbertServer, startKanbertServer } from '../fixtures/kanbert-server.ts';
import { tempApp } from '../helpers.ts';

/**
 * Two-way sync without loops, through the real connectors and webhook receiver: a Kanbert change
 * is written to GHL; GHL's webhook about that very write is recognised as an echo and does not run
 * the GHL → … workflow, while a person's change in GHL does.
 */

let ghl: GhlServer;
let kanbert: KanbertServer;
let app: App;
let hooks: RunningHookServer;

beforeEach(async () => {
  ghl = await startGhlServer();
  kanbert = await startKanbertServer();
  app = tempApp();
  hooks = await startHookServer({ app, port: 0, log: () => {} });
  app.settings.set('webhooks.publicUrl', hooks.origin);
  app.connections.add({ name: 'ghl-main', app: 'ghl', baseUrl: ghl.url, secret: ghl.keys.write });
  app.connections.add({ name: 'kanbert-main', app: 'kanbert', baseUrl: kanbert.url, secret: kanbert.keys.write });
  app.save({
    format: 'pipewright.workflow/1',
    id: 'kanbert-to-ghl',
    name: 'Kanbert → GHL',
    connections: { people: { app: 'kanbert' }, ghl: { app: 'ghl' } },
    nodes: [
      { id: 'trigger', type: 'kanbert.contactUpdated', connection: 'people', params: {} },
      {
        id: 'write',
        type: 'ghl.updateContact',
        connection: 'ghl',
        params: {
          contactId: '{{ trigger.data.external_id }}',
          firstName: '{{ trigger.data.first_name }}',
          email: '{{ trigger.data.email }}',
        },
      },
    ],
    edges: [{ from: 'trigger', to: 'write' }],
  });
  app.save({
    format: 'pipewright.workflow/1',
    id: 'ghl-changes',
    name: 'GHL changes: note them',
    connections: { ghl: { app: 'ghl' } },
    nodes: [
      { id: 'trigger', type: 'ghl.contactUpdated', connection: 'ghl', params: {} },
      { id: 'note', type: 'local.createTask', params: { title: 'GHL changed {{ trigger.data.firstName }}' } },
    ],
    edges: [{ from: 'trigger', to: 'note' }],
  });
  app.start();
  await app.setLive('kanbert-to-ghl', true);
  await app.setLive('ghl-changes', true);
});

afterEach(async () => {
  await hooks.close();
  await ghl.close();
  await kanbert.close();
});

const hookUrl = (workflowId: string) => app.triggerHooks(workflowId)[0]?.url as string;
const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as { id: number; echo?: boolean };
};

describe('two-way sync', () => {
  it('does not run again on the echo of its own write, but does on a person’s change', async () => {
    const inGhl = ghl.addContact({ firstName: 'Ines', email: 'ines@example.com' });
    const inKanbert = kanbert.addContact({ first_name: 'Inès', email: 'ines@example.com', external_id: inGhl.id });
    ghl.takeEvents();

    await post(hookUrl('kanbert-to-ghl'), kanbert.payload('contact:update', inKanbert));
    await app.settle();
    expect(app.journal.list({ workflowId: 'kanbert-to-ghl' })[0]?.status).toBe('succeeded');

    // GHL reports the update we just made.
    const [echo] = ghl.takeEvents();
    expect(echo).toMatchObject({ type: 'ContactUpdate', firstName: 'Inès' });
    expect((await post(hookUrl('ghl-changes'), echo)).echo).toBe(true);

    // Someone edits the contact in GHL afterwards: a real change.
    const edited = { ...echo, webhookId: 'a-person-edited', firstName: 'Inès Maria' };
    expect((await post(hookUrl('ghl-changes'), edited)).echo).toBeUndefined();
    await app.settle();

    const titles = app.crm.listTasks().map((t) => t.title);
    expect(titles).toContain('GHL changed Inès Maria');
    expect(titles).not.toContain('GHL changed Inès');
    expect(app.inbox.list({ status: 'echo' })).toHaveLength(1);
  });
});
