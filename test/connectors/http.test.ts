import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ApiError,
  type ApiProfile,
  apiMessageOf,
  collect,
  type Envelope,
  paginate,
  parseRetryAfter,
  TokenBucket,
  unwrap,
} from '../../src-main/connectors/http.ts';

/** A real HTTP server on 127.0.0.1 answering with whatever the test's handler returns. */
interface Answer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}
interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function serve(handler: (req: Seen, n: number) => Answer | Promise<Answer>): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    seen.push(request);
    const answer = await handler(request, seen.length);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

const SECRET = 'tk_live_abcdefghijklmnop1234';
let names = 0;

function profile(envelope: Envelope = 'success', extra: Partial<ApiProfile> = {}): ApiProfile {
  return {
    app: 'testapp',
    name: 'TestApp',
    envelope,
    defaultAuth: 'bearer',
    authHeaders: (_c, secret) => ({ Authorization: `Bearer ${secret}` }),
    rateLimit: { requestsPerSecond: 1000, burst: 1000 },
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
    test: async () => 'ok',
    ...extra,
  };
}

/** Each client gets its own connection name, so rate limiters are not shared between tests unless wanted. */
function client(
  url: string,
  p: ApiProfile = profile(),
  options: ConstructorParameters<typeof ApiClient>[2] = {},
  name = `conn-${++names}`,
) {
  return new ApiClient(p, { alias: 'crm', app: 'testapp', name, baseUrl: url, secret: SECRET, extras: {} }, options);
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('envelopes', () => {
  it.each([
    ['success', { success: true, data: { id: 1 }, meta: { total: 1 } }, { ok: true, data: { id: 1 }, meta: { total: 1 } }],
    ['success', { success: false, error: "Object type 'lead' not found" }, { ok: false, message: "Object type 'lead' not found" }],
    ['dataError', { data: [1, 2], error: null, meta: { next_cursor: 'c2' } }, { ok: true, data: [1, 2], meta: { next_cursor: 'c2' } }],
    ['dataError', { data: null, error: { code: 'duplicate', message: 'Email exists' } }, { ok: false, message: 'Email exists' }],
    ['plain', { contacts: [] }, { ok: true, data: { contacts: [] } }],
    ['success', [1, 2], { ok: true, data: [1, 2] }],
  ] as const)('%s: %j', (envelope, body, expected) => {
    expect(unwrap(body, envelope)).toEqual(expected);
  });

  it.each([
    [{ error: 'Bad thing' }, 'Bad thing'],
    [{ message: 'Nope' }, 'Nope'],
    [{ errors: [{ message: 'a' }, { message: 'b' }] }, 'a; b'],
    [{ errors: { email: ['is invalid'] } }, 'email: is invalid'],
    [{ error: { message: 'Deep' } }, 'Deep'],
    ['plain text', 'plain text'],
    [{}, undefined],
  ])('the API message of %j is %j', (body, message) => {
    expect(apiMessageOf(body)).toBe(message);
  });

  it('unwraps the answer and keeps meta', async () => {
    const { url, seen } = await serve(() => ({ body: { success: true, data: [{ id: 'a' }], meta: { total: 1, page: 1, per_page: 50 } } }));
    const res = await client(url).get('/records', { type: 'lead', search: undefined, done: false });
    expect(res.data).toEqual([{ id: 'a' }]);
    expect(res.meta).toEqual({ total: 1, page: 1, per_page: 50 });
    expect(seen[0]).toMatchObject({ path: '/v1/records', query: { type: 'lead', done: 'false' } });
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('a 200 whose envelope says it failed is an error, not data', async () => {
    const { url } = await serve(() => ({ body: { success: false, error: 'Quota used up' } }));
    const err = await failure(client(url).request({ method: 'POST', path: '/x', body: {}, what: 'make a thing' }));
    expect(err).toMatchObject({ status: 200, apiMessage: 'Quota used up', retryable: false });
    expect(err.message).toBe('TestApp could not make a thing: "Quota used up".');
  });
});

describe('errors', () => {
  it.each([
    [400, { success: false, error: 'title must be a string' }, 'TestApp refused to update it (400: "title must be a string").'],
    [401, { success: false, error: 'Missing or invalid API key' }, 'TestApp rejected the credentials of connection'],
    [403, { success: false, error: 'Forbidden' }, 'lacks the "write" scope needed to update it (403: "Forbidden")'],
    [404, { success: false, error: 'Record not found' }, 'TestApp could not update it: not found (404: "Record not found")'],
    [409, { error: 'Already exists' }, 'TestApp refused to update it (409: "Already exists").'],
  ])('%i becomes a typed error with the API’s own words', async (status, body, message) => {
    const { url } = await serve(() => ({ status, body }));
    const err = await failure(
      client(url).request({ method: 'PATCH', path: '/r/1', body: { title: 1 }, scope: 'write', what: 'update it' }),
    );
    expect(err).toMatchObject({ status, retryable: false, app: 'testapp', method: 'PATCH', path: '/r/1' });
    expect(err.message).toContain(message);
  });

  it('a 403 names the scope the API names, in its own vocabulary', async () => {
    const { url } = await serve(() => ({ status: 403, body: { error: 'Missing scope contact-data:write' } }));
    const p = profile('plain', { scopeIn: (m) => /scope (\S+)/.exec(m)?.[1] });
    const err = await failure(
      client(url, p).request({ method: 'POST', path: '/c', body: {}, scope: 'something-else', what: 'add a contact' }),
    );
    expect(err.scope).toBe('contact-data:write');
    expect(err.message).toContain('lacks the "contact-data:write" scope needed to add a contact');
  });

  it('never puts a credential in a message, even when the API echoes it', async () => {
    const { url } = await serve((req) => ({
      status: 401,
      body: { error: `Key ${SECRET} is revoked (sent ${req.headers.authorization}; also kv_live_otherkey123)` },
    }));
    const p = profile('success', { secretPatterns: [/kv_live_\w+/g] });
    const err = await failure(client(url, p).get('/x'));
    const shown = JSON.stringify({ ...err, message: err.message, apiMessage: err.apiMessage });
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('kv_live_otherkey123');
    expect(err.apiMessage).toBe('Key •••••• is revoked (sent Bearer ••••••; also ••••••)');
  });

  it('an unreachable API is a network error, retried, with the code and no secret', async () => {
    const { url } = await serve(() => ({}));
    const closed = servers.pop() as Server;
    closed.closeAllConnections();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(client(url).request({ method: 'POST', path: '/x', body: {}, what: 'send it' }));
    expect(err).toMatchObject({ status: 0, code: 'ECONNREFUSED', retryable: true, attempts: 3 });
    expect(err.message).toMatch(/^Could not reach TestApp at 127\.0\.0\.1:\d+ to send it \(ECONNREFUSED: .*\) \(tried 3 times\)\.$/);
    expect(err.message).not.toContain(SECRET);
  });

  it('a request without a key fails plainly before anything is sent', async () => {
    const { url, seen } = await serve(() => ({}));
    const c = new ApiClient(profile(), { alias: 'crm', app: 'testapp', name: 'nokey', baseUrl: url, extras: {} });
    await expect(c.get('/x')).rejects.toThrow('The TestApp connection "nokey" has no API key or token');
    expect(seen).toHaveLength(0);
  });
});

describe('retries', () => {
  it.each([
    ['120', 120_000],
    ['1.5', 1500],
    [new Date(Date.now() + 30_000).toUTCString(), 30_000],
    ['Wed, 21 Oct 2015 07:28:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %j is %j ms', (value, ms) => {
    const parsed = parseRetryAfter(value);
    if (ms === undefined || ms === 0) expect(parsed).toBe(ms);
    else expect(parsed).toBeGreaterThan(ms - 1500);
  });

  it('429: waits at least Retry-After, then succeeds — for a POST too, which the API did not act on', async () => {
    const { url, seen } = await serve((_r, n) =>
      n === 1
        ? { status: 429, body: { error: 'Slow down' }, headers: { 'Retry-After': '1' } }
        : { body: { success: true, data: { id: 'x' } } },
    );
    const started = performance.now();
    const res = await client(url).request({ method: 'POST', path: '/x', body: { a: 1 } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res.data).toEqual({ id: 'x' });
    expect(seen).toHaveLength(2);
  });

  it('a Retry-After longer than the client waits goes to the engine’s retry policy with its delay', async () => {
    const { url, seen } = await serve(() => ({ status: 429, headers: { 'Retry-After': '3600' } }));
    const err = await failure(client(url).get('/x'));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3_600_000, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('5xx: a GET is retried with backoff; a POST is not (it may have been done)…', async () => {
    const flaky = await serve((_r, n) => (n < 3 ? { status: 502 } : { body: { success: true, data: 'ok' } }));
    expect((await client(flaky.url).get('/x')).data).toBe('ok');
    expect(flaky.seen).toHaveLength(3);

    const down = await serve(() => ({ status: 500, body: { success: false, error: 'Unexpected error' } }));
    const err = await failure(client(down.url).request({ method: 'POST', path: '/x', body: {} }));
    expect(err).toMatchObject({ status: 500, retryable: false, attempts: 1 });
    expect(down.seen).toHaveLength(1);
  });

  it('…unless the caller marks the POST safe to repeat', async () => {
    const { url, seen } = await serve((_r, n) => (n === 1 ? { status: 503 } : { body: { success: true, data: 'ok' } }));
    await client(url).request({ method: 'POST', path: '/x', body: {}, retrySafe: true });
    expect(seen).toHaveLength(2);
  });

  it('gives up after the attempts allowed, saying how many it made', async () => {
    const { url, seen } = await serve(() => ({ status: 500 }));
    const err = await failure(client(url, profile(), { retry: { maxAttempts: 2 } }).get('/x', undefined, { what: 'read it' }));
    expect(seen).toHaveLength(2);
    expect(err).toMatchObject({ status: 500, retryable: true, attempts: 2 });
    expect(err.message).toBe('TestApp had a server error when trying to read it (500) (tried 2 times).');
  });

  // undici checks its timeouts about once a second, so the slow answers here take longer than that.
  it('a slow answer times out; a GET is retried, a POST is not', async () => {
    const { url, seen } = await serve((_r, n) =>
      n === 1 ? { delayMs: 2500, body: { success: true, data: 'late' } } : { body: { success: true, data: 'quick' } },
    );
    const c = client(url, profile(), { timeouts: { headersMs: 200 } });
    expect((await c.get('/x')).data).toBe('quick');
    expect(seen).toHaveLength(2);

    const slow = await serve(() => ({ delayMs: 2500, body: { success: true, data: 'late' } }));
    const err = await failure(
      client(slow.url, profile(), { timeouts: { headersMs: 200 } }).request({ method: 'POST', path: '/x', body: {}, what: 'send it' }),
    );
    expect(err).toMatchObject({ status: 0, code: 'UND_ERR_HEADERS_TIMEOUT', retryable: false });
    expect(err.message).toMatch(/^TestApp did not answer in time \(127\.0\.0\.1:\d+\) when trying to send it\.$/);
    expect(slow.seen).toHaveLength(1);
  });

  it('the run’s abort signal stops a request at once', async () => {
    const { url } = await serve(() => ({ delayMs: 5000 }));
    const abort = new AbortController();
    const started = performance.now();
    setTimeout(() => abort.abort(new Error('Pipewright is shutting down.')), 100);
    await expect(client(url, profile(), { signal: abort.signal }).get('/x')).rejects.toThrow('Pipewright is shutting down.');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('rate limiting', () => {
  it('a token bucket lets a burst through, then paces requests', () => {
    let now = 0;
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 3 }, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    now = 1000;
    // Two reservations were already owed: after a second, 10 tokens minus those two, capped at the burst.
    expect(bucket.reserve()).toBe(0);
    bucket.pause(500);
    expect(bucket.reserve()).toBe(500);
  });

  it('is shared by every client of one connection, as all workflows share it', async () => {
    const { url, seen } = await serve(() => ({ body: { success: true, data: null } }));
    const p = profile('success', { rateLimit: { requestsPerSecond: 20, burst: 2 } });
    const a = client(url, p, {}, 'shared-conn');
    const b = client(url, p, {}, 'shared-conn');
    const started = performance.now();
    await Promise.all([a.get('/1'), b.get('/2'), a.get('/3'), b.get('/4'), a.get('/5'), b.get('/6')]);
    // Two go at once, the other four at 20 a second.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(seen).toHaveLength(6);

    const other = client(url, p, {}, 'another-conn');
    const quick = performance.now();
    await Promise.all([other.get('/7'), other.get('/8')]);
    expect(performance.now() - quick).toBeLessThan(150);
  });

  it('a 429 makes every request of the connection wait for Retry-After', async () => {
    const { url } = await serve((req) =>
      req.path.endsWith('/first') && !req.headers['x-again']
        ? { status: 429, headers: { 'Retry-After': '1' } }
        : { body: { success: true, data: 1 } },
    );
    const a = client(url, profile(), { retry: { maxAttempts: 1 } }, 'paused-conn');
    const b = client(url, profile(), {}, 'paused-conn');
    await failure(a.get('/first'));
    const started = performance.now();
    await b.get('/second');
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a connection’s own rate limit wins over the app default', async () => {
    const { url } = await serve(() => ({ body: { success: true, data: null } }));
    const c = new ApiClient(profile(), {
      alias: 'crm',
      app: 'testapp',
      name: `own-${++names}`,
      baseUrl: url,
      secret: SECRET,
      extras: {},
      rateLimit: { requestsPerSecond: 10, burst: 1 },
    } as ConstructorParameters<typeof ApiClient>[1]);
    const started = performance.now();
    await Promise.all([c.get('/a'), c.get('/b'), c.get('/c')]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('pagination', () => {
  const items = Array.from({ length: 237 }, (_, i) => ({ id: i + 1 }));

  it('page/per_page to the end, using meta.total', async () => {
    const { url, seen } = await serve((req) => {
      const page = Number(req.query.page);
      const per = Number(req.query.per_page);
      return { body: { success: true, data: items.slice((page - 1) * per, page * per), meta: { total: 237, page, per_page: per } } };
    });
    const all = await collect(client(url), { method: 'GET', path: '/records', query: { type: 'lead' } }, { style: 'page', pageSize: 100 });
    expect(all).toMatchObject({ total: 237, truncated: false, pages: 3 });
    expect(all.items).toEqual(items);
    expect(seen.map((r) => r.query)).toEqual([
      { type: 'lead', page: '1', per_page: '100' },
      { type: 'lead', page: '2', per_page: '100' },
      { type: 'lead', page: '3', per_page: '100' },
    ]);
  });

  it('page/per_page without a total stops at a short page, and follows a server cap on the page size', async () => {
    const { url, seen } = await serve((req) => {
      const page = Number(req.query.page);
      const per = Math.min(Number(req.query.per_page), 50);
      return { body: { success: true, data: items.slice((page - 1) * per, page * per), meta: { page, per_page: per } } };
    });
    const all = await collect(client(url), { method: 'GET', path: '/r' }, { style: 'page', pageSize: 100 });
    expect(all.items).toHaveLength(237);
    expect(seen).toHaveLength(5);
  });

  it('limit/offset', async () => {
    const { url, seen } = await serve((req) => {
      const offset = Number(req.query.offset);
      const limit = Number(req.query.limit);
      return { body: items.slice(offset, offset + limit) };
    });
    const all = await collect(client(url, profile('plain')), { method: 'GET', path: '/r' }, { style: 'offset', pageSize: 100 });
    expect(all.items).toEqual(items);
    expect(seen.map((r) => r.query.offset)).toEqual(['0', '100', '200']);
  });

  it('cursor: page[cursor] in, meta.next_cursor out', async () => {
    const { url, seen } = await serve((req) => {
      const start = req.query['page[cursor]'] ? Number(req.query['page[cursor]']) : 0;
      const size = Number(req.query['page[size]']);
      const next = start + size < items.length ? String(start + size) : null;
      return { body: { data: items.slice(start, start + size), error: null, meta: { next_cursor: next } } };
    });
    const all = await collect(client(url, profile('dataError')), { method: 'GET', path: '/contacts' }, { style: 'cursor', pageSize: 100 });
    expect(all.items).toEqual(items);
    expect(seen.map((r) => r.query['page[cursor]'])).toEqual([undefined, '100', '200']);
  });

  it('stops at maxItems without reading further pages, and says the list was cut short', async () => {
    const { url, seen } = await serve((req) => {
      const page = Number(req.query.page);
      const per = Number(req.query.per_page);
      return { body: { success: true, data: items.slice((page - 1) * per, page * per), meta: { total: 237 } } };
    });
    const some = await collect(client(url), { method: 'GET', path: '/r' }, { style: 'page', pageSize: 100 }, { maxItems: 150 });
    expect(some).toMatchObject({ truncated: true, total: 237 });
    expect(some.items).toHaveLength(150);
    expect(seen).toHaveLength(2);

    seen.length = 0;
    const first: unknown[] = [];
    for await (const item of paginate(client(url), { method: 'GET', path: '/r' }, { style: 'page', pageSize: 100 }, { maxItems: 5 }))
      first.push(item);
    expect(first).toEqual(items.slice(0, 5));
    expect(seen).toHaveLength(1);
  });
});

describe('dry-run plans', () => {
  it('show exactly the request that would be sent', async () => {
    const c = client('https://api.example.com/v1/');
    expect(c.plan({ method: 'DELETE', path: '/webhooks', query: { id: 'wh 1' } })).toEqual({
      method: 'DELETE',
      url: 'https://api.example.com/v1/webhooks?id=wh+1',
      headers: { Accept: 'application/json', 'User-Agent': 'Pipewright/0.1', Authorization: `Bearer ${SECRET}` },
    });
    expect(c.plan({ method: 'POST', path: 'records', body: { a: 1 } })).toMatchObject({
      url: 'https://api.example.com/v1/records',
      headers: { 'Content-Type': 'application/json' },
      body: { a: 1 },
    });
  });
});
