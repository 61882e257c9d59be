import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type RunningServer, startServer } from '../../src-main/server/http.ts';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import type { Workflow } from '../../src-main/shared/workflow.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempApp, tempDir } from '../helpers.ts';

/** The gallery, import, export and connection methods over the browser edition's HTTP RPC, on a real app and store. */

const servers: RunningServer[] = [];
const kanvos: KanvoServer[] = [];

// Registered after helpers.ts's hook, so it runs first: servers stop before their apps close.
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
  while (kanvos.length) await kanvos.pop()?.close();
});

interface Harness {
  app: App;
  /** Every answer's body as text, to check that no key ever comes back. */
  answers: string[];
  rpc(method: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

async function serve(): Promise<Harness> {
  const app = tempApp();
  const server = await startServer({ app, port: 0, staticDir: tempDir('pipewright-static-'), log: () => {} });
  servers.push(server);
  const answers: string[] = [];
  return {
    app,
    answers,
    async rpc(method, body = {}) {
      const res = await fetch(`${server.origin}/rpc/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      answers.push(text);
      return { status: res.status, body: JSON.parse(text) };
    },
  };
}

/** A Kanvo account whose sales pipeline calls its second stage "Called" instead of "Contacted". */
async function kanvoWithCalledStage(): Promise<KanvoServer> {
  const kanvo = await startKanvoServer();
  kanvos.push(kanvo);
  const stage = kanvo.workspaces.main.pipelines[0]?.stages[1];
  if (!stage) throw new Error('the fake Kanvo workspace changed');
  Object.assign(stage, { name: 'Called', slug: 'called' });
  return kanvo;
}

async function withKanvoConnection(h: Harness, kanvo: KanvoServer): Promise<void> {
  const added = await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, apiKey: kanvo.keys.write });
  expect(added.status).toBe(200);
}

describe('templates RPC', () => {
  it('lists the gallery with categories, apps and triggers', async () => {
    const h = await serve();
    const { status, body } = await h.rpc('templates.list');
    expect(status).toBe(200);
    const list = body as MethodOutput<'templates.list'>;
    expect(list.length).toBeGreaterThan(10);
    expect(list.find((t) => t.id === 'kanvo-lead-follow-up')).toMatchObject({
      apps: [{ id: 'kanvo', name: 'Kanvo' }],
      nodeCount: expect.any(Number),
      category: expect.any(String),
      trigger: expect.any(String),
    });
  });

  it('gives a template’s document and requirements; unknown names and file paths are not found', async () => {
    const h = await serve();
    const { status, body } = await h.rpc('templates.get', { template: 'crm-http-new-lead-nurture' });
    expect(status).toBe(200);
    const got = body as MethodOutput<'templates.get'>;
    expect((got.document as Workflow).id).toBe('crm-http-new-lead-nurture');
    expect(got.summary.id).toBe('crm-http-new-lead-nurture');
    expect(got.requirements.connections.map((c) => c.alias)).toEqual(['crm']);
    expect(got.requirements.inputs).toEqual([expect.objectContaining({ key: 'list.listId', field: 'Marketing list' })]);

    for (const template of ['no-such-template', '../package', '/etc/passwd']) {
      const missing = await h.rpc('templates.get', { template });
      expect(missing.status, template).toBe(404);
    }
    expect((await h.rpc('templates.get', {})).status).toBe(400);
  });

  it('refuses a bad template document whole, with every problem, and imports nothing', async () => {
    const h = await serve();
    const good = ((await h.rpc('templates.get', { template: 'local-lead-follow-up' })).body as MethodOutput<'templates.get'>)
      .document as Workflow;
    const bad = {
      ...good,
      nodes: [...good.nodes, { id: 'mystery', type: 'nope.doSomething', version: 1, params: {}, position: { x: 0, y: 300 } }],
    };
    bad.nodes[1] = { ...(bad.nodes[1] as Workflow['nodes'][number]), version: 99 };
    const refused = await h.rpc('templates.get', { document: bad, fileName: 'broken.json' });
    expect(refused.status).toBe(400);
    const error = refused.body as { error: string; issues: { message: string }[] };
    expect(error.error).toMatch(/^The template "broken.json" cannot be used; it has \d+ problems\.$/);
    expect(error.issues.length).toBeGreaterThanOrEqual(2);
    expect(error.issues.map((i) => i.message).join('\n')).toMatch(/version 99/);
    expect(error.issues.map((i) => i.message).join('\n')).toMatch(/nope\.doSomething/);

    const newer = await h.rpc('templates.import', { document: { ...good, format: 'pipewright.workflow/7' } });
    expect(newer.status).toBe(400);
    expect((newer.body as { error: string }).error).toMatch(/newer Pipewright/);
    const notJson = await h.rpc('templates.plan', { document: 'just text' });
    expect(notJson.status).toBe(400);
    expect(h.app.workflows.list()).toEqual([]);
  });

  it('plans against a remote app: a missing stage with its closest match, then ready once mapped', async () => {
    const h = await serve();
    const kanvo = await kanvoWithCalledStage();
    const unbound = (await h.rpc('templates.plan', { template: 'kanvo-lead-follow-up' })).body as MethodOutput<'templates.plan'>;
    expect(unbound.report.ok).toBe(false);
    expect(unbound.bindings).toEqual([
      expect.objectContaining({ alias: 'crm', candidates: [], problem: expect.stringMatching(/No Kanvo/) }),
    ]);

    await withKanvoConnection(h, kanvo);
    const plan = (await h.rpc('templates.plan', { template: 'kanvo-lead-follow-up', bindings: { crm: 'kanvo-main' } }))
      .body as MethodOutput<'templates.plan'>;
    expect(plan.report.items.filter((i) => i.status === 'missing')).toEqual([
      expect.objectContaining({
        kind: 'stage',
        name: 'contacted',
        candidate: 'Called',
        canCreate: false,
        existing: ['New', 'Called', 'Won'],
      }),
    ]);
    const mapped = (
      await h.rpc('templates.plan', {
        template: 'kanvo-lead-follow-up',
        bindings: { crm: 'kanvo-main' },
        mappings: { stages: { contacted: 'Called' } },
      })
    ).body as MethodOutput<'templates.plan'>;
    expect(mapped.report.ok).toBe(true);
    expect(mapped.mapped).toEqual(['Stage "contacted" → "Called"']);
    expect(h.app.workflows.list()).toEqual([]);
  });

  it('imports as a draft bound to the chosen connection; anything still missing answers 400 with each item', async () => {
    const h = await serve();
    const kanvo = await kanvoWithCalledStage();
    await withKanvoConnection(h, kanvo);

    const refused = await h.rpc('templates.import', { template: 'kanvo-lead-follow-up' });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'The template "kanvo-lead-follow-up" cannot be imported yet.',
      issues: [{ message: expect.stringMatching(/^Stage "contacted" \(pipeline "main-sales"\) is missing in Kanvo .*"Called"/) }],
    });
    expect(h.app.workflows.list()).toEqual([]);

    const { status, body } = await h.rpc('templates.import', {
      template: 'kanvo-lead-follow-up',
      bindings: { crm: '' },
      mappings: { stages: { contacted: 'Called' } },
    });
    expect(status).toBe(200);
    const imported = body as MethodOutput<'templates.import'>;
    expect(imported).toMatchObject({ workflowId: 'kanvo-lead-follow-up', version: 1, bindings: { crm: 'kanvo-main' } });
    expect(h.app.workflows.get(imported.workflowId)?.status).toBe('draft');
    expect(JSON.stringify(h.app.workflows.document(imported.workflowId))).toContain('"Called"');
  });

  it('creates missing local stages when asked', async () => {
    const h = await serve();
    const { status, body } = await h.rpc('templates.import', {
      template: 'local-lead-follow-up',
      mappings: { pipelines: { 'main-sales': 'Repairs' } },
      createMissing: true,
    });
    expect(status).toBe(200);
    expect((body as MethodOutput<'templates.import'>).created).toEqual([expect.stringMatching(/^Created the pipeline "Repairs"/)]);
  });

  it('exports a workflow as a template that imports back to the same document, and lists credentials it removed', async () => {
    const h = await serve();
    const imported = (await h.rpc('templates.import', { template: 'local-lead-follow-up' })).body as MethodOutput<'templates.import'>;
    const exported = (await h.rpc('templates.export', { id: imported.workflowId })).body as MethodOutput<'templates.export'>;
    expect(exported.removedSecrets).toEqual([]);
    const again = (await h.rpc('templates.import', { document: exported.template, id: 'follow-up-copy' }))
      .body as MethodOutput<'templates.import'>;
    const reexported = (await h.rpc('templates.export', { id: again.workflowId })).body as MethodOutput<'templates.export'>;
    expect(reexported.template).toEqual({ ...(exported.template as Workflow), id: 'follow-up-copy' });

    const doc = h.app.workflows.document(imported.workflowId) as Workflow;
    h.app.save({
      ...doc,
      connections: { api: { app: 'http' } },
      nodes: [
        ...doc.nodes,
        {
          id: 'notify',
          type: 'http.request',
          version: 1,
          connection: 'api',
          params: { method: 'POST', url: '/notify', headers: { Authorization: 'Bearer abcdef0123456789' } },
          position: { x: 1200, y: 0 },
        },
      ],
      edges: [...doc.edges, { from: 'stage', to: 'notify' }],
    });
    const scrubbed = (await h.rpc('templates.export', { id: imported.workflowId })).body as MethodOutput<'templates.export'>;
    expect(scrubbed.removedSecrets).toEqual(['notify.headers.Authorization']);
    expect(JSON.stringify(scrubbed.template)).not.toContain('abcdef0123456789');
    expect((await h.rpc('templates.export', { id: imported.workflowId, version: 9 })).status).toBe(404);
    expect((await h.rpc('templates.export', { id: 'nope' })).status).toBe(404);
  });
});

describe('connections RPC', () => {
  it('adds a connection with its key masked, tests it, and never sends the key back', async () => {
    const h = await serve();
    const kanvo = await startKanvoServer();
    kanvos.push(kanvo);
    const key = kanvo.keys.write;
    const { status, body } = await h.rpc('connections.add', {
      name: 'kanvo-main',
      app: 'kanvo',
      baseUrl: `${kanvo.url}/`,
      apiKey: ` ${key} `,
      extras: { note: 'sales', '': '' },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      name: 'kanvo-main',
      app: 'kanvo',
      baseUrl: kanvo.url,
      auth: 'bearer',
      hasSecret: true,
      secretHint: `••••${key.slice(-4)}`,
      extras: { note: 'sales' },
    });
    expect(h.app.connections.resolve('kanvo-main').secret).toBe(key);

    const ok = await h.rpc('connections.test', { name: 'kanvo-main' });
    expect(ok.body).toMatchObject({ ok: true, message: expect.stringMatching(/^Kanvo answered/) });

    await h.rpc('connections.add', { name: 'kanvo-wrong', app: 'kanvo', baseUrl: kanvo.url, apiKey: 'kv_live_0000000000000000wrong' });
    const wrong = (await h.rpc('connections.test', { name: 'kanvo-wrong' })).body as MethodOutput<'connections.test'>;
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/rejected the API key/);

    await h.rpc('connections.list');
    await h.rpc('connections.apps');
    for (const answer of h.answers) {
      expect(answer).not.toContain(key);
      expect(answer).not.toContain('0000000000000000wrong');
    }
  });

  it('refuses a bad name, an unknown app, a missing key and a taken name in plain words', async () => {
    const h = await serve();
    const cases: [unknown, RegExp][] = [
      [{ name: '1 bad name', app: 'kanvo', apiKey: 'k' }, /name must start with a letter/],
      [{ name: 'x', app: 'nope', apiKey: 'k' }, /cannot connect to an app called "nope"/],
      [{ name: 'x', app: 'crm-http', apiKey: 'k' }, /needs the address of its API/],
      [{ name: 'x', app: 'kanvo' }, /"apiKey" is required/],
    ];
    for (const [input, message] of cases) {
      const { status, body } = await h.rpc('connections.add', input);
      expect(status).toBe(400);
      expect((body as { error: string }).error).toMatch(message);
    }
    await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', apiKey: 'kv_live_aaaaaaaaaaaa' });
    const taken = await h.rpc('connections.add', { name: 'kanvo-main', app: 'kanvo', apiKey: 'kv_live_bbbbbbbbbbbb' });
    expect((taken.body as { error: string }).error).toMatch(/already exists/);
    expect((await h.rpc('connections.test', { name: 'missing' })).status).toBe(404);

    const apps = (await h.rpc('connections.apps')).body as MethodOutput<'connections.apps'>;
    expect(apps.find((a) => a.id === 'kanvo')).toMatchObject({ name: 'Kanvo', defaultBaseUrl: 'https://kanvocrm.com/api/v1' });
  });
});
