import { readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { type RunningServer, startServer } from '../../src-main/server/http.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { tempApp, tempDir } from '../helpers.ts';

const template = JSON.parse(readFileSync('templates/local-lead-follow-up.json', 'utf8')) as WorkflowInput;
const SECRET = 'sk_test_SECRET';

interface Harness {
  app: App;
  server: RunningServer;
  logs: string[];
  /** POST /rpc/<method> with the session token (unless headers say otherwise). */
  rpc(method: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown; text: string }>;
}

const harnesses: Harness[] = [];

async function harness(): Promise<Harness> {
  const app = tempApp();
  const staticDir = tempDir('pipewright-static-');
  writeFileSync(
    join(staticDir, 'index.html'),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'" /><title>Pipewright</title></head><body><div id="root"></div></body></html>`,
  );
  const logs: string[] = [];
  const server = await startServer({ app, port: 0, staticDir, log: (line) => logs.push(line) });
  const h: Harness = {
    app,
    server,
    logs,
    async rpc(method, body = {}, headers = {}) {
      const res = await fetch(`${server.origin}/rpc/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}`, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text };
    },
  };
  harnesses.push(h);
  return h;
}

// Registered after helpers.ts's hook, so it runs first: servers stop before their apps close.
afterEach(async () => {
  while (harnesses.length) await harnesses.pop()?.server.close();
});

/** A raw request, for headers fetch will not let us set (Host). */
function rawRequest(
  server: RunningServer,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** A minimal EventSource: collects events and waits for one that matches. */
function openEvents(
  url: string,
): Promise<{ response: IncomingMessage; waitFor(match: (e: SseEvent) => boolean): Promise<SseEvent>; close(): void }> {
  return new Promise((resolve, reject) => {
    const seen: SseEvent[] = [];
    const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
    const req = request(url, { headers: { Accept: 'text/event-stream' } }, (response) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          const parsed = { event, data: JSON.parse(data) as unknown };
          seen.push(parsed);
          for (const w of [...waiters]) {
            if (w.match(parsed)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(parsed);
            }
          }
        }
      });
      resolve({
        response,
        waitFor: (match) =>
          new Promise((res) => {
            const found = seen.find(match);
            if (found) res(found);
            else waiters.push({ match, resolve: res });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

describe('RPC security', () => {
  it('refuses calls without the session token, or with a wrong one (401)', async () => {
    const h = await harness();
    const none = await h.rpc('app.info', {}, { Authorization: '' });
    expect(none.status).toBe(401);
    expect((none.body as { error: string }).error).toMatch(/pipewright serve/);
    const wrong = await h.rpc('app.info', {}, { Authorization: `Bearer ${h.server.token.slice(0, -2)}xx` });
    expect(wrong.status).toBe(401);
    const events = await rawRequest(h.server, { path: '/events?token=nope' });
    expect(events.status).toBe(401);
  });

  it('refuses a foreign Origin and a foreign Host (DNS rebinding) with 403, even with the token', async () => {
    const h = await harness();
    const origin = await h.rpc('app.info', {}, { Origin: 'https://evil.example' });
    expect(origin.status).toBe(403);
    const host = await rawRequest(h.server, {
      method: 'POST',
      path: '/rpc/app.info',
      headers: { Host: `evil.example:${h.server.port}`, Authorization: `Bearer ${h.server.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(host.status).toBe(403);
    const page = await rawRequest(h.server, { path: '/', headers: { Host: 'rebound.example' } });
    expect(page.status).toBe(403);
    // Our own origin, by either name, is fine.
    expect((await h.rpc('app.info', {}, { Origin: h.server.origin })).status).toBe(200);
    expect((await h.rpc('app.info', {}, { Origin: `http://localhost:${h.server.port}` })).status).toBe(200);
  });

  it('answers 404 for an unknown method, 400 naming the field for bad input, 400 for bad JSON, 413 past 1 MB', async () => {
    const h = await harness();
    const unknown = await h.rpc('workflows.explode');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'There is no method "workflows.explode".' });

    const missing = await h.rpc('workflows.get', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: 'id', error: '"id" is required.' });
    const wrongType = await h.rpc('runs.list', { limit: 'lots' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ field: 'limit' });

    const badJson = await h.rpc('app.info', '{"oops"');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toEqual({ error: 'The request body is not valid JSON.' });

    const huge = await h.rpc('workflows.validate', { document: 'x'.repeat(1024 * 1024 + 10) });
    expect(huge.status).toBe(413);
    // The server is still fine afterwards.
    expect((await h.rpc('app.info')).status).toBe(200);
  });

  it('answers a failing call with a plain message and no stack trace', async () => {
    const h = await harness();
    const res = await h.rpc('crm.records', { type: 'spaceship' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.stringContaining('spaceship') });
    expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
    const gone = await h.rpc('workflows.get', { id: 'nope' });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'There is no workflow "nope".', field: 'id' });
  });

  it('never returns or logs a stored secret', async () => {
    const h = await harness();
    h.app.secrets.set('connection:x:token', SECRET);
    await h.rpc('workflows.save', { document: { ...template, description: `Uses ${SECRET} somewhere` } });
    const calls: [string, unknown, number][] = [
      ['app.info', {}, 200],
      ['catalog.get', {}, 200],
      ['workflows.list', {}, 200],
      ['workflows.get', { id: template.id }, 200],
      ['workflows.versions', { id: template.id }, 200],
      ['runs.start', { workflowId: template.id }, 200],
      ['runs.list', {}, 200],
      ['runs.sampleEvents', { document: template }, 200],
      ['crm.schema', {}, 200],
      ['crm.records', {}, 200],
      ['crm.contacts', {}, 200],
      ['crm.tasks', {}, 200],
      ['connections.list', {}, 200],
      ['settings.get', {}, 200],
      // An error message that would quote it.
      ['crm.records', { type: SECRET }, 400],
    ];
    for (const [method, input, status] of calls) {
      const res = await h.rpc(method, input);
      expect(res.status, `${method}: ${res.text.slice(0, 200)}`).toBe(status);
      expect(res.text, method).not.toContain(SECRET);
    }
    const page = await rawRequest(h.server, { path: `/?token=${h.server.token}`, headers: { Host: `127.0.0.1:${h.server.port}` } });
    expect(page.text).not.toContain(SECRET);
    expect(h.logs.length).toBeGreaterThan(0);
    for (const line of h.logs) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(h.server.token);
    }
  });
});

describe('RPC calls', () => {
  it('round-trips a workflow: save, list (with last run and errors), get, duplicate, delete', async () => {
    const h = await harness();
    const saved = await h.rpc('workflows.save', { document: template, note: 'first' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      ok: true,
      issues: [],
      workflow: { id: template.id, status: 'draft', version: 1, lastRunAt: null, errorCount: 0 },
    });

    const got = await h.rpc('workflows.get', { id: template.id });
    expect(got.body).toMatchObject({
      workflow: { id: template.id, name: template.name },
      document: { id: template.id, nodes: template.nodes },
    });

    const run = await h.rpc('runs.start', { workflowId: template.id, dryRun: false });
    expect(run.body).toMatchObject({ ok: true, run: { workflowId: template.id, dryRun: false } });
    const list = (await h.rpc('workflows.list', { search: template.name.slice(0, 6).toUpperCase() })).body as {
      id: string;
      lastRunAt: string | null;
    }[];
    expect(list.map((w) => w.id)).toEqual([template.id]);
    expect(list[0]?.lastRunAt).not.toBeNull();

    const copy = await h.rpc('workflows.duplicate', { id: template.id });
    expect(copy.body).toMatchObject({ id: `${template.id}-copy`, name: `${template.name} (copy)`, status: 'draft', version: 1 });
    const again = await h.rpc('workflows.duplicate', { id: template.id });
    expect(again.body).toMatchObject({ id: `${template.id}-copy-2` });

    expect((await h.rpc('workflows.delete', { id: `${template.id}-copy` })).body).toEqual({ deleted: true });
    expect((await h.rpc('workflows.delete', { id: `${template.id}-copy` })).body).toEqual({ deleted: false });
    const ids = ((await h.rpc('workflows.list')).body as { id: string }[]).map((w) => w.id);
    expect(ids.sort()).toEqual([template.id, `${template.id}-copy-2`]);
  });

  it('saves an incomplete draft with its issues, refuses a malformed document with issues, and refuses to go live', async () => {
    const h = await harness();
    const draft = { ...template, nodes: [{ id: 'x', type: 'local.nope', params: {} }], edges: [] };
    const saved = await h.rpc('workflows.save', { document: draft });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ ok: true, workflow: { status: 'draft' }, issues: [expect.objectContaining({ nodeId: 'x' })] });
    const live = await h.rpc('workflows.setLive', { id: template.id, live: true });
    expect(live.body).toMatchObject({ ok: false, issues: [expect.objectContaining({ nodeId: 'x' })] });

    const malformed = await h.rpc('workflows.save', { document: { ...template, format: 'something/9' } });
    expect(malformed.status).toBe(200);
    expect(malformed.body).toMatchObject({ ok: false, issues: [expect.objectContaining({ message: expect.any(String) })] });
  });

  it('offers the sample event and recent real events for a test run', async () => {
    const h = await harness();
    await h.rpc('workflows.save', { document: template });
    await h.rpc('runs.start', { workflowId: template.id, dryRun: false });
    const options = (await h.rpc('runs.sampleEvents', { document: template })).body as { label: string; event: { event: string } }[];
    expect(options[0]?.label).toBe('Sample event');
    expect(options.length).toBe(2);
    expect(options.every((o) => o.event.event === 'record.created')).toBe(true);
  });
});

describe('server-sent events', () => {
  it('delivers run.updated after runs.start, and crm.changed and the live run after a record is created', async () => {
    const h = await harness();
    h.app.start();
    const events = await openEvents(`${h.server.origin}/events?token=${h.server.token}`);
    try {
      expect(events.response.statusCode).toBe(200);
      expect(events.response.headers['content-type']).toMatch(/^text\/event-stream/);

      const started = await h.rpc('runs.start', { document: template });
      const runId = (started.body as { run: { runId: string } }).run.runId;
      const update = await events.waitFor((e) => e.event === 'run.updated' && (e.data as { runId: string }).runId === runId);
      expect(update.data).toEqual({ runId, workflowId: template.id, status: 'succeeded', dryRun: true });

      await h.rpc('workflows.save', { document: template });
      await events.waitFor((e) => e.event === 'workflows.changed');
      expect((await h.rpc('workflows.setLive', { id: template.id, live: true })).body).toMatchObject({
        ok: true,
        workflow: { status: 'live' },
      });

      // The template tags the lead's contact, found by the lead's email.
      h.app.crm.upsertContact({ email: 'live.lead@example.com', first_name: 'Live' });
      const record = (
        await h.rpc('crm.createRecord', {
          type: 'lead',
          title: 'Live lead',
          pipeline: 'main-sales',
          data: { email: 'live.lead@example.com' },
        })
      ).body as { id: string };
      await events.waitFor((e) => e.event === 'crm.changed' && (e.data as { id: string }).id === record.id);
      const finished = (e: SseEvent) => {
        const data = e.data as { dryRun: boolean; status: string };
        return e.event === 'run.updated' && !data.dryRun && !['queued', 'running'].includes(data.status);
      };
      const live = await events.waitFor(finished);
      expect(live.data).toMatchObject({ workflowId: template.id, dryRun: false, status: 'succeeded' });
    } finally {
      events.close();
    }
  });
});

describe('static files', () => {
  it('serves index.html for the UI’s routes with a strict CSP, and 404 for missing assets', async () => {
    const h = await harness();
    const res = await fetch(`${h.server.origin}/workflows/abc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<base href="/" />');
    expect((await fetch(`${h.server.origin}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${h.server.origin}/..%2f..%2fetc/passwd`)).status).toBe(404);
    expect((await fetch(`${h.server.origin}/`, { method: 'POST' })).status).toBe(405);
  });
});
