import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { testConnection } from '../../src-main/connectors/http.ts';
import { httpConnector } from '../../src-main/connectors/http-request.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { tempApp } from '../helpers.ts';

/**
 * A small real API on 127.0.0.1 for the generic HTTP step: it answers `/api/items` like a JSON API
 * that wants `Authorization: Bearer <key>` (or the `X-Custom-Key` header) on writes, logs every
 * request, and can be told to answer the next requests with a given status.
 */
interface Seen {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
}

class ItemsApi {
  readonly key = `tok_${randomBytes(16).toString('hex')}`;
  readonly seen: Seen[] = [];
  readonly items: Record<string, unknown>[] = [{ id: 1, name: 'Gutter guard' }];
  private next: { status: number; retryAfter?: string; times: number; method?: string }[] = [];
  private server!: Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get writes(): number {
    return this.seen.filter((s) => s.method !== 'GET').length;
  }

  answer(status: number, options: { retryAfter?: string; times?: number; method?: string } = {}): void {
    this.next.push({ status, times: options.times ?? 1, ...options });
  }

  async listen(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      const query: Record<string, string | string[]> = {};
      for (const key of new Set(url.searchParams.keys())) {
        const all = url.searchParams.getAll(key);
        query[key] = all.length > 1 ? all : (all[0] as string);
      }
      const seen: Seen = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        status: 200,
      };
      this.seen.push(seen);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        seen.status = status;
        res.writeHead(status, {
          'Content-Type': 'application/json',
          'Set-Cookie': 'session=secret-cookie',
          'X-Request-Id': 'r-1',
          ...headers,
        });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const forced = this.next.find((n) => n.times > 0 && (!n.method || n.method === seen.method));
      if (forced) {
        forced.times--;
        return reply(
          forced.status,
          { message: forced.status === 429 ? 'Slow down' : `Forced ${forced.status}` },
          forced.retryAfter ? { 'Retry-After': forced.retryAfter } : {},
        );
      }
      const authorized = req.headers.authorization === `Bearer ${this.key}` || req.headers['x-custom-key'] === this.key;
      if (url.pathname === '/api/items' && seen.method === 'GET') return reply(200, { items: this.items, page: query.page ?? '1' });
      if (url.pathname === '/api/items' && seen.method === 'POST') {
        if (!authorized) return reply(401, { message: 'Missing or bad token' });
        const item = { id: this.items.length + 1, ...(seen.body as object) };
        this.items.push(item);
        return reply(201, item);
      }
      if (url.pathname === '/api/private' && seen.method === 'GET') {
        return authorized ? reply(200, { secret: 'plans' }) : reply(403, { message: 'Token lacks items:admin' });
      }
      if (url.pathname === '/api/' || url.pathname === '/api') return reply(200, { ok: true });
      return reply(404, { message: 'No such item' });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let api: ItemsApi;
let app: App;

beforeEach(async () => {
  api = await new ItemsApi().listen();
  app = tempApp({ connectors: [...builtInConnectors, httpConnector] });
});

afterEach(async () => {
  await api.close();
});

type Node = WorkflowInput['nodes'][number];

function flow(sample: Record<string, unknown>, step: Omit<Node, 'id'>): WorkflowInput {
  return {
    format: 'pipewright.workflow/1',
    id: 'http-flow',
    name: 'HTTP flow',
    connections: step.connection ? { [step.connection]: { app: 'http' } } : {},
    nodes: [
      { id: 'start', type: 'logic.manual', params: { sample } },
      { id: 'call', ...step },
    ],
    edges: [{ from: 'start', to: 'call' }],
  };
}

function connect(extras: Record<string, string> = {}, auth: 'bearer' | 'apiKey' = 'bearer'): void {
  app.connections.add({ name: 'items-api', app: 'http', baseUrl: api.url, auth, secret: api.key, extras });
}

const createItem = (extra: Record<string, unknown> = {}) =>
  flow(
    { name: 'Leaf guard', qty: 3 },
    {
      type: 'http.request',
      connection: 'api',
      params: {
        url: '/items?source=pipewright',
        query: { tag: ['a', 'b'] },
        headers: { 'X-Trace': 'run-{{ run.id }}' },
        body: { name: '{{ trigger.data.name }}', qty: '{{ trigger.data.qty }}' },
        ...extra,
      },
    },
  );

describe('HTTP request golden workflows', () => {
  it('GET: reads a JSON API without a connection, with query and headers from templates', async () => {
    const result = await app.run(
      flow(
        { page: 2 },
        {
          type: 'http.get',
          params: { url: `${api.url}/items?sort=name`, query: { page: '{{ trigger.data.page }}' }, headers: { 'Accept-Language': 'en' } },
        },
      ),
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(api.seen[0]).toMatchObject({ method: 'GET', path: '/api/items', query: { sort: 'name', page: '2' } });
    expect(api.seen[0]?.headers['accept-language']).toBe('en');
    expect(api.seen[0]?.headers.authorization).toBeUndefined();
    const output = result.steps[1]?.output as { status: number; ok: boolean; headers: Record<string, string>; body: unknown };
    expect(output).toMatchObject({ status: 200, ok: true, body: { items: [{ id: 1, name: 'Gutter guard' }], page: '2' } });
    expect(output.headers['x-request-id']).toBe('r-1');
    expect(output.headers['set-cookie']).toBeUndefined();
  });

  it('POST: sends a JSON body from templates with the connection’s key as a Bearer token', async () => {
    connect();
    const result = await app.run(createItem());
    expect(result.status, result.error ?? '').toBe('succeeded');
    const [sent] = api.seen;
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/api/items',
      query: { source: 'pipewright', tag: ['a', 'b'] },
      body: { name: 'Leaf guard', qty: 3 },
    });
    expect(sent?.headers.authorization).toBe(`Bearer ${api.key}`);
    expect(sent?.headers['x-trace']).toBe(`run-${result.runId}`);
    expect(result.steps[1]?.output).toMatchObject({ status: 201, ok: true, body: { id: 2, name: 'Leaf guard' } });
  });

  it('dry run: nothing is sent; the planned request shows the key hidden', async () => {
    connect();
    const result = await app.run(createItem(), { dryRun: true });
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(api.seen).toHaveLength(0);
    expect(result.requests).toEqual([
      {
        method: 'POST',
        url: `${api.url}/items?source=pipewright&tag=a&tag=b`,
        headers: expect.objectContaining({ Authorization: '••••••', 'X-Trace': `run-${result.runId}` }),
        body: { name: 'Leaf guard', qty: 3 },
      },
    ]);
    expect(result.steps[1]).toMatchObject({ simulated: true, output: { status: 200, ok: true } });
    expect(JSON.stringify(result)).not.toContain(api.key);
    expect(JSON.stringify(app.journal.steps(result.runId))).not.toContain(api.key);
  });

  it('an API key in a custom header: sent live, hidden in a dry run', async () => {
    connect({ headerName: 'X-Custom-Key' }, 'apiKey');
    const live = await app.run(createItem());
    expect(live.status, live.error ?? '').toBe('succeeded');
    expect(api.seen[0]?.headers['x-custom-key']).toBe(api.key);
    expect(api.seen[0]?.headers.authorization).toBeUndefined();
    const dry = await app.run(createItem(), { dryRun: true });
    expect(dry.requests[0]?.headers?.['X-Custom-Key']).toBe('••••••');
    expect(JSON.stringify(dry)).not.toContain(api.key);
  });

  it('a connection’s key is never sent to another address', async () => {
    connect();
    const other = await new ItemsApi().listen();
    try {
      const result = await app.run(createItem({ url: `${other.url}/items` }));
      expect(result.status).toBe('failed');
      expect(result.error).toContain(`is not under ${api.url}, the base URL of connection "items-api": its key is only sent there`);
      const sneaky = await app.run(createItem({ url: `http://127.0.0.1:${api.port}/apiary/items` }));
      expect(sneaky.status).toBe('failed');
      expect(other.seen).toHaveLength(0);
      expect(api.seen).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('credentials typed into the headers are refused: they belong in a connection', async () => {
    const result = await app.run(
      flow(
        {},
        { type: 'http.request', params: { url: `${api.url}/items`, headers: { Authorization: 'Bearer typed-in' }, body: { name: 'x' } } },
      ),
    );
    expect(result.error).toContain('Header "Authorization" carries credentials: put the key in an HTTP connection instead');
    expect(api.seen).toHaveLength(0);
  });

  it('401 and 403: the API’s own words, without the key', async () => {
    const anonymousPost = await app.run(flow({}, { type: 'http.request', params: { url: `${api.url}/items`, body: '{"name": "x"}' } }));
    expect(anonymousPost.error).toContain(`HTTP request rejected the credentials`);
    expect(anonymousPost.error).toContain('(401: "Missing or bad token")');

    app.connections.add({ name: 'items-api', app: 'http', baseUrl: api.url, secret: 'tok_wrongwrongwrong' });
    const forbidden = await app.run(flow({}, { type: 'http.get', connection: 'api', params: { url: '/private' } }));
    expect(forbidden.error).toContain(
      `HTTP request refused to let connection "items-api" GET 127.0.0.1:${api.port}/api/private (403: "Token lacks items:admin")`,
    );
    expect(JSON.stringify(forbidden)).not.toContain('tok_wrongwrongwrong');
  });

  it('404: fails the step, or with "Stop on an error answer" off, is the output to branch on', async () => {
    const failed = await app.run(flow({}, { type: 'http.get', params: { url: `${api.url}/items/99` } }));
    expect(failed.error).toContain(`HTTP request could not GET 127.0.0.1:${api.port}/api/items/99: not found (404: "No such item")`);
    const answered = await app.run(flow({}, { type: 'http.get', params: { url: `${api.url}/items/99`, failOnError: 'no' } }));
    expect(answered.status).toBe('succeeded');
    expect(answered.steps[1]?.output).toMatchObject({ status: 404, ok: false, error: 'No such item' });
  });

  it('429 then success: waits at least Retry-After, then sends the POST again', async () => {
    connect();
    api.answer(429, { retryAfter: '1' });
    const started = performance.now();
    const result = await app.run(createItem());
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(api.seen.map((s) => s.status)).toEqual([429, 201]);
    expect(api.items).toHaveLength(2);
  });

  it('500: a GET is retried; a POST is not, unless marked safe to send twice', async () => {
    api.answer(500, { times: 2, method: 'GET' });
    const read = await app.run(flow({}, { type: 'http.get', params: { url: `${api.url}/items` } }));
    expect(read.status).toBe('succeeded');
    expect(api.seen.map((s) => s.status)).toEqual([500, 500, 200]);

    connect();
    api.seen.length = 0;
    api.answer(503, { method: 'POST' });
    const once = await app.run(createItem());
    expect(once.error).toContain('HTTP request had a server error when trying to POST');
    expect(api.seen.map((s) => s.status)).toEqual([503]);

    api.seen.length = 0;
    api.answer(503, { method: 'POST' });
    const safe = await app.run(createItem({ retrySafe: 'yes' }));
    expect(safe.status).toBe('succeeded');
    expect(api.seen.map((s) => s.status)).toEqual([503, 201]);
  });

  it('GET only reads: a method other than POST, PUT, PATCH or DELETE is refused on the send step', async () => {
    const validation = app.validate(flow({}, { type: 'http.request', params: { url: `${api.url}/items`, method: 'GET' } }));
    expect(validation.ok).toBe(false);
    if (!validation.ok) expect(JSON.stringify(validation.issues)).toContain('to read, use');
  });
});

describe('HTTP request in the catalog', () => {
  it('has a read step and a send step with labels and help on every field', () => {
    const nodes = app.registry.catalog().nodes.filter((n) => n.app === 'http');
    expect(nodes.map((n) => [n.type, n.effect])).toEqual([
      ['http.get', 'read'],
      ['http.request', 'write'],
    ]);
    for (const node of nodes) {
      expect(node.label.length).toBeGreaterThan(3);
      expect(node.description.length).toBeGreaterThan(20);
      expect(node.needsConnection).toBe(false);
      for (const [field, schema] of Object.entries(
        (node.input.properties ?? {}) as Record<string, { title?: string; description?: string }>,
      )) {
        expect(schema.title, `${node.type} ${field}`).toBeTruthy();
        expect(schema.description, `${node.type} ${field}`).toBeTruthy();
      }
    }
  });

  it('"test connection" reads the base URL', async () => {
    connect();
    const result = await testConnection(app.connections.resolve('items-api'));
    expect(result).toMatchObject({ ok: true });
    expect(result.message).toContain('answered 200');
  });
});
