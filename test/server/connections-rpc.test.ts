import { describe, expect, it } from 'vitest';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { afterThisTest } from '../helpers.ts';
import { type Rpc, serveApp } from './rpc-harness.ts';

/**
 * Editing and removing connections over the browser edition's HTTP RPC (`connections.update`,
 * `connections.usage`, `connections.remove`), on a real app, store and fake Kanvo API.
 */

type Info = MethodOutput<'connections.update'>;
type Listed = MethodOutput<'connections.list'>;
type Users = MethodOutput<'connections.usage'>;

async function kanvoServer(): Promise<KanvoServer> {
  const server = await startKanvoServer();
  afterThisTest(() => server.close());
  return server;
}

/** Every answer's text, to check that no key ever comes back. */
async function serve(): Promise<{ app: Awaited<ReturnType<typeof serveApp>>['app']; rpc: Rpc; answers: string[] }> {
  const { app, rpc } = await serveApp();
  const answers: string[] = [];
  return {
    app,
    answers,
    async rpc(method, body) {
      const res = await rpc(method, body);
      answers.push(JSON.stringify(res.body));
      return res;
    },
  };
}

/** A local trigger and a task created in Kanvo through the alias `crm`. */
function kanvoTaskWorkflow(id: string, name: string): WorkflowInput {
  return {
    format: 'pipewright.workflow/1',
    id,
    name,
    connections: { crm: { app: 'kanvo' } },
    nodes: [
      { id: 'trigger', type: 'local.recordCreated', params: { objectType: 'lead' } },
      { id: 'task', type: 'kanvo.createTask', connection: 'crm', params: { title: 'Call {{ trigger.data.title }}' } },
    ],
    edges: [{ from: 'trigger', to: 'task' }],
  };
}

async function save(rpc: Rpc, document: WorkflowInput): Promise<void> {
  const res = await rpc('workflows.save', { document });
  expect(res.body).toMatchObject({ ok: true });
}

describe('connections.update', () => {
  it('changes the base URL and keeps the stored key when the key field is empty', async () => {
    const kanvo = await kanvoServer();
    const h = await serve();
    const key = kanvo.keys.write;
    // At first the address is wrong: nothing listens there.
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', baseUrl: 'http://127.0.0.1:9', apiKey: key });
    expect((await h.rpc('connections.test', { name: 'kanvo-main' })).body).toMatchObject({ ok: false });
    // The edit form tests its changes before they are saved; nothing is stored by that.
    const draft = await h.rpc('connections.test', { name: 'kanvo-main', baseUrl: kanvo.url, apiKey: '' });
    expect(draft.body).toMatchObject({ ok: true, message: expect.stringMatching(/^Kanvo answered/) });
    const badDraft = await h.rpc('connections.test', { name: 'kanvo-main', baseUrl: 'kanvo.example' });
    expect(badDraft).toMatchObject({
      status: 400,
      body: { field: 'baseUrl', error: expect.stringMatching(/^The connection's base URL must be/) },
    });
    expect(h.app.connections.get('kanvo-main')?.baseUrl).toBe('http://127.0.0.1:9');

    const res = await h.rpc('connections.update', { name: 'kanvo-main', app: 'kanvo', baseUrl: `${kanvo.url}/`, apiKey: '' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'kanvo-main',
      app: 'kanvo',
      baseUrl: kanvo.url,
      auth: 'bearer',
      hasSecret: true,
      secretHint: `••••${key.slice(-4)}`,
      extras: {},
    } satisfies Info);

    // The kept key still signs in: Kanvo accepts it at the new address.
    kanvo.clearLog();
    const test = await h.rpc('connections.test', { name: 'kanvo-main' });
    expect(test.body).toMatchObject({ ok: true, message: expect.stringMatching(/^Kanvo answered/) });
    expect(kanvo.requests.length).toBeGreaterThan(0);
    for (const request of kanvo.requests) expect(request.headers.authorization).toBe(`Bearer ${key}`);
    expect(h.app.connections.resolve('kanvo-main').secret).toBe(key);

    for (const answer of h.answers) expect(answer).not.toContain(key);
  });

  it('replaces the extra settings, sets or clears the rate limit, and takes a new key', async () => {
    const h = await serve();
    await h.rpc('connections.add', {
      name: 'crm-main',
      app: 'crm-http',
      baseUrl: 'http://127.0.0.1:9/api',
      apiKey: 'ak_first_key_000000000000',
      extras: { entityId: 'e1', region: 'eu' },
    });
    const updated = await h.rpc('connections.update', {
      name: 'crm-main',
      extras: { entityId: ' e2 ', '': '', team: 'sales' },
      rateLimit: { requestsPerSecond: 2, burst: 5 },
      apiKey: ' ak_second_key_00000000009f3a ',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      baseUrl: 'http://127.0.0.1:9/api',
      extras: { entityId: 'e2', team: 'sales' },
      secretHint: '••••9f3a',
    });
    const [listed] = (await h.rpc('connections.list')).body as Listed;
    expect(listed).toMatchObject({ extras: { entityId: 'e2', team: 'sales' }, rateLimit: { requestsPerSecond: 2, burst: 5 } });
    expect(h.app.connections.resolve('crm-main').secret).toBe('ak_second_key_00000000009f3a');

    // Only what is given changes; a null rate limit goes back to the app's default.
    await h.rpc('connections.update', { name: 'crm-main', rateLimit: null });
    const [after] = (await h.rpc('connections.list')).body as Listed;
    expect(after).toMatchObject({ extras: { entityId: 'e2', team: 'sales' }, rateLimit: null, baseUrl: 'http://127.0.0.1:9/api' });
    for (const answer of h.answers) expect(answer).not.toContain('ak_second_key');
  });

  it('says which field is wrong and what was expected', async () => {
    const h = await serve();
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', apiKey: 'kv_live_aaaaaaaaaaaa' });
    await h.rpc('connections.add', { name: 'crm-main', app: 'crm-http', baseUrl: 'http://127.0.0.1:9', apiKey: 'ak_aaaaaaaaaaaa' });
    const cases: [unknown, number, string | undefined, RegExp][] = [
      [{ name: 'nope', baseUrl: 'https://example.com' }, 404, 'name', /^There is no connection named "nope"\.$/],
      [{ name: 'kanvo-main', app: 'ghl' }, 400, 'app', /app of a connection cannot change: "kanvo-main" stays a Kanvo connection/],
      [{ name: 'kanvo-main', baseUrl: 'ftp://example.com' }, 400, undefined, /base URL must be a web address starting with https:\/\//],
      [{ name: 'crm-main', baseUrl: ' ' }, 400, 'baseUrl', /needs the address of its API \(the base URL\)/],
      [{ name: 'kanvo-main', rateLimit: { requestsPerSecond: 5, burst: 0 } }, 400, 'rateLimit.burst', /"rateLimit\.burst" too small/],
      [{ name: 'kanvo-main', rateLimit: { requestsPerSecond: 0, burst: 5 } }, 400, 'rateLimit.requestsPerSecond', /too small/],
    ];
    for (const [input, status, field, message] of cases) {
      const res = await h.rpc('connections.update', input);
      expect(res.status, JSON.stringify(input)).toBe(status);
      const body = res.body as { error: string; field?: string };
      expect(body.error).toMatch(message);
      expect(body.field).toBe(field);
    }
    // Nothing changed.
    expect(h.app.connections.get('kanvo-main')).toMatchObject({ app: 'kanvo', baseUrl: 'https://kanvocrm.com/api/v1', rateLimit: null });
  });

  it('with an empty base URL uses the app’s default address', async () => {
    const h = await serve();
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', baseUrl: 'http://127.0.0.1:9', apiKey: 'kv_live_aaaaaaaaaaaa' });
    const res = await h.rpc('connections.update', { name: 'kanvo-main', baseUrl: '' });
    expect(res.body).toMatchObject({ baseUrl: 'https://kanvocrm.com/api/v1', hasSecret: true });
  });
});

describe('connections.usage and connections.remove', () => {
  it('refuses while a live workflow uses the connection, naming it; removes it and its key once it is off', async () => {
    const kanvo = await kanvoServer();
    const h = await serve();
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, apiKey: kanvo.keys.write });
    await save(h.rpc, kanvoTaskWorkflow('lead-to-kanvo', 'Leads to Kanvo tasks'));
    await save(h.rpc, kanvoTaskWorkflow('draft-to-kanvo', 'Draft Kanvo tasks'));
    expect((await h.rpc('workflows.setLive', { id: 'lead-to-kanvo', live: true })).body).toMatchObject({ ok: true });

    expect((await h.rpc('connections.usage', { name: 'kanvo-main' })).body).toEqual([
      { id: 'draft-to-kanvo', name: 'Draft Kanvo tasks', status: 'draft', aliases: ['crm'] },
      { id: 'lead-to-kanvo', name: 'Leads to Kanvo tasks', status: 'live', aliases: ['crm'] },
    ] satisfies Users);

    const refused = await h.rpc('connections.remove', { name: 'kanvo-main' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error:
        'The live workflow "Leads to Kanvo tasks" uses the connection "kanvo-main". Turn off "Leads to Kanvo tasks" first, or give it another connection.',
      field: 'name',
    });
    expect(h.app.connections.get('kanvo-main')).toBeDefined();
    expect(h.app.connections.resolve('kanvo-main').secret).toBe(kanvo.keys.write);

    await h.rpc('workflows.setLive', { id: 'lead-to-kanvo', live: false });
    const removed = await h.rpc('connections.remove', { name: 'kanvo-main' });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({
      removed: true,
      workflows: [
        { id: 'draft-to-kanvo', name: 'Draft Kanvo tasks', status: 'draft', aliases: ['crm'] },
        { id: 'lead-to-kanvo', name: 'Leads to Kanvo tasks', status: 'draft', aliases: ['crm'] },
      ],
    });
    expect(h.app.connections.get('kanvo-main')).toBeUndefined();
    expect(h.app.secrets.names().filter((n) => n.startsWith('connection:kanvo-main:'))).toEqual([]);
    expect(() => h.app.connections.resolve('kanvo-main')).toThrow(/no connection named "kanvo-main"/);
    expect((await h.rpc('connections.list')).body).toEqual([]);
    expect((await h.rpc('connections.remove', { name: 'kanvo-main' })).status).toBe(404);
    expect((await h.rpc('connections.usage', { name: 'kanvo-main' })).status).toBe(404);
  });

  it('names several live workflows in one sentence', async () => {
    const kanvo = await kanvoServer();
    const h = await serve();
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, apiKey: kanvo.keys.write });
    for (const [id, name] of [
      ['a', 'Alpha'],
      ['b', 'Beta'],
      ['c', 'Gamma'],
    ]) {
      await save(h.rpc, kanvoTaskWorkflow(id as string, name as string));
      await h.rpc('workflows.setLive', { id, live: true });
    }
    const refused = await h.rpc('connections.remove', { name: 'kanvo-main' });
    expect((refused.body as { error: string }).error).toBe(
      'The live workflows "Alpha", "Beta" and "Gamma" use the connection "kanvo-main". Turn off "Alpha", "Beta" and "Gamma" first, or give them another connection.',
    );
  });

  it('finds users the way a run resolves connections: binding, same name, only one of its app', async () => {
    const h = await serve();
    const add = (name: string) => h.app.connections.add({ name, app: 'kanvo', baseUrl: 'http://127.0.0.1:9', secret: `key-${name}-0000` });
    add('kanvo-sales');
    await save(h.rpc, kanvoTaskWorkflow('only-one', 'Only one Kanvo'));
    const usage = async (name: string) => ((await h.rpc('connections.usage', { name })).body as Users).map((u) => u.id);
    // The only Kanvo connection serves every unbound Kanvo alias.
    expect(await usage('kanvo-sales')).toEqual(['only-one']);

    add('kanvo-support');
    add('crm');
    await save(h.rpc, { ...kanvoTaskWorkflow('bound', 'Bound to support') });
    h.app.connections.bind('bound', 'crm', 'kanvo-support');
    // Now `crm` of the unbound workflow is the connection named "crm"; the bound one uses its binding.
    expect(await usage('kanvo-sales')).toEqual([]);
    expect(await usage('kanvo-support')).toEqual(['bound']);
    expect(await usage('crm')).toEqual(['only-one']);
  });

  it('lets a paused workflow’s connection go after asking, deleting the webhook it registered with the app', async () => {
    const kanvo = await kanvoServer();
    const h = await serve();
    h.app.settings.set('webhooks.publicUrl', 'https://hooks.example.com/');
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, apiKey: kanvo.keys.admin });
    await save(h.rpc, {
      format: 'pipewright.workflow/1',
      id: 'kanvo-new-lead',
      name: 'New Kanvo lead',
      connections: { crm: { app: 'kanvo' } },
      nodes: [
        { id: 'trigger', type: 'kanvo.recordCreated', connection: 'crm', params: { objectType: 'lead' } },
        { id: 'task', type: 'local.createTask', params: { title: 'Call {{ trigger.data.title }}' } },
      ],
      edges: [{ from: 'trigger', to: 'task' }],
    });
    expect((await h.rpc('workflows.setLive', { id: 'kanvo-new-lead', live: true })).body).toMatchObject({ ok: true });
    expect(kanvo.webhooks.size).toBe(1);
    h.app.workflows.setStatus('kanvo-new-lead', 'paused', '5 runs in a row failed.');

    expect((await h.rpc('connections.usage', { name: 'kanvo-main' })).body).toEqual([
      { id: 'kanvo-new-lead', name: 'New Kanvo lead', status: 'paused', aliases: ['crm'] },
    ]);
    const removed = await h.rpc('connections.remove', { name: 'kanvo-main' });
    expect(removed.status).toBe(200);
    expect(kanvo.webhooks.size).toBe(0);
    expect(h.app.hooks.forWorkflow('kanvo-new-lead')).toEqual([]);
    expect(h.app.secrets.names().filter((n) => n.startsWith('connection:kanvo-main:'))).toEqual([]);
  });
});
