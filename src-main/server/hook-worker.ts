import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { ConnectorDefinition, ConnectorWebhooks } from '../connectors/define.ts';
import { builtInConnectors } from '../connectors/index.ts';
import { checkDelivery, type DeliveryHeaders, type HookRoute } from '../engine/webhook-intake.ts';
import type { Answer, Delivery, FromReceiver, ReceiverOptions, ToReceiver } from './hook-messages.ts';

/**
 * The webhook receiver's thread: HTTP, reading bodies, signatures, JSON and the apps' own
 * validation run here, so the main thread only stores events and runs workflows. For hooks it
 * has been told about (after their first delivery went through the main thread), it checks
 * deliveries itself; anything else, and anything it would refuse, goes to the main thread, which
 * holds the store and gives the authoritative answer. Either way a 2xx is sent only when the
 * main thread reports the event durably stored.
 */

const port = parentPort;
if (!port) throw new Error('hook-worker.ts runs as a worker thread (see hooks.ts).');
const options = (workerData as { options: ReceiverOptions }).options;

const HOOK_PATH = /^\/hooks\/([A-Za-z0-9_-]{16,128})\/?$/;
const webhooksByApp = new Map<string, ConnectorWebhooks>();
const isConnector = (v: unknown): v is ConnectorDefinition =>
  typeof v === 'object' && v !== null && typeof (v as ConnectorDefinition).id === 'string' && 'triggers' in v;
for (const c of builtInConnectors) if (c.webhooks) webhooksByApp.set(c.id, c.webhooks);
for (const url of options.connectorModules) {
  for (const value of Object.values(await import(url)))
    if (isConnector(value) && value.webhooks) webhooksByApp.set(value.id, value.webhooks);
}

const routes = new Map<string, HookRoute>();
const waiting = new Map<number, ServerResponse>();
let nextSeq = 1;
let outbox: Delivery[] = [];

function post(message: FromReceiver): void {
  port?.postMessage(message);
}

/** Deliveries of one turn of the event loop go to the main thread in one message. */
function pass(delivery: Delivery, res: ServerResponse): void {
  waiting.set(delivery.seq, res);
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(delivery);
}

function flush(): void {
  const items = outbox;
  outbox = [];
  if (items.length) post({ type: 'deliveries', items });
}

class TooLarge extends Error {}

const server: Server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    post({ type: 'log', line: `Webhook ${req.method} failed: ${(err as Error).message}` });
    // The sender retries on 5xx; nothing was acknowledged, so nothing is lost.
    send(res, 503, { error: 'Pipewright could not store this event just now; please retry.' });
  });
});
server.requestTimeout = 15_000;
server.headersTimeout = 10_000;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0] as string;
  const token = HOOK_PATH.exec(path)?.[1];
  if (!token) {
    req.resume();
    send(res, 404, { error: 'There is no webhook at this address.' });
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    send(res, 405, { error: 'Webhooks are delivered with POST.' }, { Allow: 'POST' });
    return;
  }
  const seq = nextSeq++;
  let body: Buffer;
  try {
    body = await readBody(req, options.bodyLimit);
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err;
    // Logged by the main thread; the answer does not depend on it.
    pass({ seq, token, kind: 'too-large', limit: options.bodyLimit }, res);
    return;
  }
  const headers = headersOf(req);
  const route = routes.get(token);
  const webhooks = route && webhooksByApp.get(route.app);
  if (route && webhooks) {
    let checked: ReturnType<typeof checkDelivery> | undefined;
    try {
      checked = checkDelivery(route, webhooks, body, headers, new Date().toISOString());
    } catch {
      checked = undefined; // the main thread answers (and logs) unexpected failures
    }
    if (checked?.ok) {
      const { ok: _ok, ...event } = checked;
      pass({ seq, token, kind: 'checked', checked: event, bytes: body.length }, res);
      return;
    }
  }
  pass({ seq, token, kind: 'raw', body, headers }, res);
}

function answer(a: Answer): void {
  const res = waiting.get(a.seq);
  if (!res) return;
  waiting.delete(a.seq);
  if (a.route && webhooksByApp.has(a.route.app)) routes.set(a.route.token, a.route);
  send(res, a.status, a.body, a.status === 413 ? { Connection: 'close' } : {});
}

port.on('message', (message: ToReceiver) => {
  if (message.type === 'answers') for (const a of message.items) answer(a);
  else if (message.type === 'forget') routes.delete(message.token);
  else if (message.type === 'close') {
    server.close(() => {
      post({ type: 'closed' });
      port.close();
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  }
});

server.once('error', (err) => post({ type: 'listen-failed', message: err.message }));
server.listen(options.port, options.host, () => {
  const address = server.address() as AddressInfo;
  post({ type: 'listening', address: address.address, family: address.family, port: address.port, apps: [...webhooksByApp.keys()] });
});

function headersOf(req: IncomingMessage): DeliveryHeaders {
  const out: DeliveryHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** The body, refused past `limit` before it is buffered whole (declared or streamed). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    throw new TooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.pause();
      throw new TooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}
