import { describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import { startHookServer } from '../../src-main/server/hooks.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { acmeConnector, registered, signAcme } from '../fixtures/acme-connector.ts';
import { flakyConnector } from '../fixtures/flaky-connector.ts';
import { afterThisTest, tempApp } from '../helpers.ts';

/** A live workflow: an Acme contact update adds a local task; its hook is registered with "Acme". */
async function liveApp(options: { failing?: boolean } = {}) {
  const app = tempApp({ connectors: [...builtInConnectors, acmeConnector] });
  // Acme's module is loaded on the receiver's thread too: after a hook's first delivery (checked on
  // the main thread), its deliveries are checked there, so both ways are covered below.
  const connectorModules = [new URL('../fixtures/acme-connector.ts', import.meta.url).href];
  const server = await startHookServer({ app, port: 0, log: () => {}, connectorModules });
  app.settings.set('webhooks.publicUrl', server.origin);
  app.connections.add({ name: 'acme-main', app: 'acme', baseUrl: 'https://acme.invalid', secret: 'key' });
  const workflow: WorkflowInput = {
    format: 'pipewright.workflow/1',
    id: 'acme-follow-up',
    name: 'Acme follow-up',
    connections: { acme: { app: 'acme' } },
    nodes: [
      { id: 'trigger', type: 'acme.contactUpdated', connection: 'acme', params: {} },
      options.failing
        ? { id: 'fail', type: 'logic.stopWithError', params: { message: 'Contact {{ trigger.data.id }} is broken' } }
        : { id: 'task', type: 'local.createTask', params: { title: 'Call {{ trigger.data.email }}' } },
    ],
    edges: [{ from: 'trigger', to: options.failing ? 'fail' : 'task' }],
  };
  app.save(workflow);
  app.start();
  await app.setLive('acme-follow-up', true);
  const [hook] = app.triggerHooks('acme-follow-up');
  if (!hook?.url) throw new Error('the hook has no address');
  return { app, server, url: hook.url, close: () => server.close() };
}

let deliveries = 0;
function delivery(id = `d${++deliveries}`, email = 'pat@example.com', contact = 'c-42') {
  return JSON.stringify({ id, event: 'contact.updated', data: { id: contact, email } });
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-acme-signature': signAcme(body), ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tasksTitled = (app: App, title: string) => app.crm.listTasks().filter((t) => t.title === title).length;

describe('webhook receiver', () => {
  it('registers the webhook on going live, runs a signed delivery, and deletes the webhook on going off', async () => {
    const { app, url, close } = await liveApp();
    const hook = app.triggerHooks('acme-follow-up')[0];
    expect(hook).toMatchObject({ mode: 'webhook', registered: true, lastError: null });
    expect([...registered.values()].some((r) => r.url === url && r.events.includes('contact.updated'))).toBe(true);

    const answer = await post(url, delivery());
    expect(answer).toMatchObject({ status: 200, body: { received: true } });
    // Acknowledged means committed: the event is in the inbox before any run.
    expect(app.inbox.get(answer.body.id as number)?.event).toBe('acme:contact.updated');
    await app.settle();
    expect(app.inbox.get(answer.body.id as number)?.status).toBe('processed');
    expect(tasksTitled(app, 'Call pat@example.com')).toBe(1);

    await app.setLive('acme-follow-up', false);
    expect([...registered.values()].some((r) => r.url === url)).toBe(false);
    expect((await post(url, delivery())).status).toBe(404);
    await close();
  });

  it('runs a delivery sent three times (a sender retrying) once, and lists the repeats as duplicates', async () => {
    const { app, url, server, close } = await liveApp();
    const body = delivery('same-delivery', 'retry@example.com');
    const answers = [await post(url, body), await post(url, body), await post(url, body)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.slice(1).every((a) => a.body.duplicate === true)).toBe(true);
    // The first delivery to a hook is checked on the main thread, the next ones on the receiver's.
    expect(server.counts).toEqual({ checkedHere: 1, checkedByReceiver: 2 });
    await app.settle();
    expect(tasksTitled(app, 'Call retry@example.com')).toBe(1);
    expect(app.journal.list({ workflowId: 'acme-follow-up' })).toHaveLength(1);
    const duplicates = app.inbox.list({ status: 'duplicate' });
    expect(duplicates).toHaveLength(2);
    expect(duplicates[0]?.note).toContain(`#${answers[0]?.body.id}`);
    await close();
  });

  it('refuses a wrong signature, an old signature on a changed body, bad JSON, a missing field, deep nesting and a huge body, and logs each', async () => {
    const { app, url, close } = await liveApp();
    // A first good delivery: the receiver's thread now knows the hook and checks the rest itself.
    expect((await post(url, delivery('d-first', 'first@example.com'))).status).toBe(200);
    const original = delivery('d-sig', 'a@example.com');
    const changed = original.replace('a@example.com', 'attacker@example.com');
    expect((await post(url, original, { 'x-acme-signature': 'sha256=00' })).status).toBe(401);
    expect((await post(url, changed, { 'x-acme-signature': signAcme(original) })).status).toBe(401);
    expect((await post(url, '{"id": "x", "event": ')).status).toBe(400);
    const missing = await post(url, JSON.stringify({ id: 'd-x', event: 'contact.updated' }));
    expect(missing.status).toBe(400);
    expect(missing.body.error).toContain('data');
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const started = performance.now();
    const deepAnswer = await post(url, deep);
    expect(deepAnswer.status).toBe(400);
    expect(deepAnswer.body.error).toContain('nested');
    expect(performance.now() - started).toBeLessThan(2000);
    const huge = JSON.stringify({ id: 'big', event: 'contact.updated', data: { id: 'c', blob: 'x'.repeat(2 * 1024 * 1024) } });
    expect((await post(url, huge)).status).toBe(413);

    const rejected = app.inbox.list({ status: 'rejected' });
    expect(rejected.map((e) => (e.payload as { status: number }).status).sort()).toEqual([400, 400, 400, 401, 401, 413]);
    // A refused body is never stored, only why it was refused.
    expect(JSON.stringify(rejected)).not.toContain('attacker@example.com');
    await app.settle();
    expect(app.journal.list({ workflowId: 'acme-follow-up' })).toHaveLength(1);
    expect(tasksTitled(app, 'Call attacker@example.com')).toBe(0);
    await close();
  });

  it('answers 404 to unknown addresses, in about the same time for near misses and random guesses', async () => {
    const { app, url, close } = await liveApp();
    const token = url.split('/hooks/')[1] as string;
    const nearMiss = `${url.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const random = url.replace(token, 'Zq'.repeat(token.length / 2));
    const time = async (target: string) => {
      const started = performance.now();
      const res = await fetch(target, { method: 'POST', body: '{}' });
      await res.arrayBuffer();
      expect(res.status).toBe(404);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const near: number[] = [];
    const far: number[] = [];
    for (let i = 0; i < 60; i++) {
      near.push(await time(nearMiss));
      far.push(await time(random));
    }
    // Tokens are looked up in a hash map: a near miss costs what any other miss costs.
    expect(Math.abs(median(near) - median(far))).toBeLessThan(1);
    expect(app.inbox.counts().rejected).toBe(120);
    await close();
  });

  it('records the echo of our own write instead of running it again', async () => {
    const { app, url, close } = await liveApp();
    // A workflow writes the contact to Acme, so Acme will send a webhook about it.
    await app.run({
      format: 'pipewright.workflow/1',
      id: 'write-acme',
      name: 'Write to Acme',
      connections: { acme: { app: 'acme' } },
      nodes: [
        { id: 'start', type: 'logic.manual', params: {} },
        { id: 'write', type: 'acme.updateContact', connection: 'acme', params: { id: 'c-7', email: 'Echo@Example.com' } },
      ],
      edges: [{ from: 'start', to: 'write' }],
    });
    const echo = await post(url, delivery('d-echo', 'echo@example.com', 'c-7'));
    expect(echo.body.echo).toBe(true);
    // The same contact changed by a person afterwards is a real event.
    const real = await post(url, delivery('d-real', 'changed@example.com', 'c-7'));
    expect(real.body.echo).toBeUndefined();
    await app.settle();
    expect(app.inbox.get(echo.body.id as number)?.status).toBe('echo');
    expect(tasksTitled(app, 'Call echo@example.com')).toBe(0);
    expect(tasksTitled(app, 'Call changed@example.com')).toBe(1);
    await close();
  });

  it('pauses a workflow after five failed runs in a row, tells the UI, and keeps later events for a replay', async () => {
    const { app, url, close } = await liveApp({ failing: true });
    const changed: string[] = [];
    app.onWorkflowChanged((id) => changed.push(id));
    for (let i = 0; i < 5; i++) {
      await post(url, delivery(`fail-${i}`));
      await app.settle();
    }
    const row = app.workflows.get('acme-follow-up');
    expect(row?.status).toBe('paused');
    expect(row?.pausedReason).toMatch(/Paused after 5 failed runs in a row\. Last error: .*Contact c-42 is broken/);
    expect(changed).toEqual(['acme-follow-up']);

    const later = await post(url, delivery('after-pause'));
    expect(later.status).toBe(200);
    await app.settle();
    const kept = app.inbox.get(later.body.id as number);
    expect(kept?.status).toBe('no_match');
    expect(kept?.note).toContain('paused');
    expect(app.journal.list({ workflowId: 'acme-follow-up' })).toHaveLength(5);
    await close();
  });

  it('starts the receiver’s thread again on the same port when it fails, and keeps receiving', async () => {
    const app = tempApp({ connectors: [...builtInConnectors, flakyConnector] });
    const lines: string[] = [];
    const connectorModules = [new URL('../fixtures/flaky-connector.ts', import.meta.url).href];
    const server = await startHookServer({ app, port: 0, log: (line) => lines.push(line), connectorModules });
    afterThisTest(() => server.close());
    app.settings.set('webhooks.publicUrl', server.origin);
    app.save({
      format: 'pipewright.workflow/1',
      id: 'flaky-tasks',
      name: 'Flaky tasks',
      nodes: [
        { id: 'trigger', type: 'flaky.event', params: {} },
        { id: 'task', type: 'local.createTask', params: { title: 'Flaky {{ trigger.data.id }}' } },
      ],
      edges: [{ from: 'trigger', to: 'task' }],
    });
    app.start();
    await app.setLive('flaky-tasks', true);
    const url = app.triggerHooks('flaky-tasks')[0]?.url as string;
    const send = (body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
        (r) => r.status,
        () => 'no answer',
      );

    expect(await send({ id: 'first' })).toBe(200); // checked on the main thread; the receiver learns the hook
    await send({ id: 'fatal', crashReceiver: true }); // checked on the receiver's thread, which then fails
    await expect.poll(() => lines.some((l) => l.includes('The webhook receiver stopped')), { timeout: 5000 }).toBe(true);
    await expect.poll(() => send({ id: 'after' }), { timeout: 5000, interval: 250 }).toBe(200);
    await app.settle();
    const titles = app.crm.listTasks().map((t) => t.title);
    expect(titles).toContain('Flaky first');
    expect(titles).toContain('Flaky after');
  });
});
