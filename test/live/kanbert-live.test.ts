import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type RunningHookServer, startHookServer } from '../../src-main/server/hooks.ts';
import { type KanbertServer, startKanbertServer } from '../fixtures/kanbert-server.ts';
import { tempApp } from '../helpers.ts';

/** A Kanbert trigger live behind a public address: Kanbert cannot register webhooks, the user pastes the address. */

let kanbert: KanbertServer;
let app: App;
let hooks: RunningHookServer;

beforeEach(async () => {
  kanbert = await startKanbertServer();
  app = tempApp();
  hooks = await startHookServer({ app, port: 0, log: () => {} });
  app.settings.set('webhooks.publicUrl', hooks.origin);
  app.connections.add({ name: 'kanbert-main', app: 'kanbert', baseUrl: kanbert.url, secret: kanbert.keys.write });
  app.save({
    format: 'pipewright.workflow/1',
    id: 'kanbert-new-contact',
    name: 'Kanbert new contact: local contact',
    connections: { people: { app: 'kanbert' } },
    nodes: [
      { id: 'trigger', type: 'kanbert.contactCreated', connection: 'people', params: {} },
      {
        id: 'copy',
        type: 'local.createOrUpdateContact',
        params: { email: '{{ trigger.data.email }}', first_name: '{{ trigger.data.first_name }}', tags: 'from-kanbert' },
      },
    ],
    edges: [{ from: 'trigger', to: 'copy' }],
  });
  app.start();
  await app.setLive('kanbert-new-contact', true);
});

afterEach(async () => {
  await hooks.close();
  await kanbert.close();
});

describe('Kanbert trigger going live', () => {
  it('gives an address to paste into Kanbert, and runs a delivery Kanbert sends three times only once', async () => {
    const [hook] = app.triggerHooks('kanbert-new-contact');
    expect(hook).toMatchObject({ mode: 'webhook', registered: false, lastError: null });
    expect(hook?.url).toMatch(new RegExp(`^${hooks.origin}/hooks/[A-Za-z0-9_-]{43}$`));

    const contact = kanbert.addContact({ first_name: 'Ines', email: 'ines@example.com' });
    // Kanbert sends the same body again when an answer is slow (its documented retries).
    const body = JSON.stringify(kanbert.payload('contact:create', contact));
    for (let i = 0; i < 3; i++) {
      const res = await fetch(hook?.url as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
    }
    await app.settle();
    expect(app.journal.list({ workflowId: 'kanbert-new-contact' })).toHaveLength(1);
    expect(app.inbox.list({ status: 'duplicate' })).toHaveLength(2);
    expect(app.crm.findContactByEmail('ines@example.com')?.tags).toContain('from-kanbert');
  });
});
