import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../app.ts';
import type { DeliveryHeaders } from '../engine/webhook-intake.ts';

/**
 * The webhook receiver: `POST /hooks/<token>` and nothing else. It has its own port so that a
 * tunnel or reverse proxy can expose it to the internet without exposing the UI's RPC; it binds
 * 127.0.0.1 unless the user chooses another address in Settings.
 */

export interface HookServerOptions {
  app: App;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Largest body accepted, in bytes (default 1 MB). */
  bodyLimit?: number;
  /** One line per refused or failed delivery, without bodies or tokens (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningHookServer {
  /** `http://host:port`: deliveries go to `${origin}/hooks/<token>`. */
  origin: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_HOOK_PORT = 4311;
export const HOOK_BODY_LIMIT = 1024 * 1024;
const HOOK_PATH = /^\/hooks\/([A-Za-z0-9_-]{16,128})\/?$/;

class TooLarge extends Error {}

export async function startHookServer(options: HookServerOptions): Promise<RunningHookServer> {
  const { app } = options;
  const limit = options.bodyLimit ?? HOOK_BODY_LIMIT;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`Webhook ${req.method} failed: ${(err as Error).message}`);
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
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      app.intake.logRejection(app.hooks.byToken(token), 413, `The body is larger than ${limit} bytes.`, limit);
      send(res, 413, { error: `The body is larger than ${Math.round(limit / 1024)} KB.` }, { Connection: 'close' });
      return;
    }
    const answer = await app.receiveWebhook(token, body, headersOf(req));
    if (answer.status >= 400) log(`Webhook refused with ${answer.status}: ${answer.body.error}`);
    send(res, answer.status, answer.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_HOOK_PORT, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { origin: `http://${host}:${address.port}`, port: address.port, close: () => closeServer(server) };
}

/**
 * Starts the receiver where the settings say (`webhooks.host`, `webhooks.port`). When the port is
 * taken it warns and returns undefined: remote triggers then still work by polling.
 */
export async function startWebhooks(
  app: App,
  options: { port?: number; warn?: (line: string) => void } = {},
): Promise<RunningHookServer | undefined> {
  const host = app.settings.get('webhooks.host', '127.0.0.1');
  const port = options.port ?? app.settings.get('webhooks.port', DEFAULT_HOOK_PORT);
  try {
    return await startHookServer({ app, host, port });
  } catch (e) {
    const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
    warn(`Webhooks are not received: ${host}:${port} could not be opened (${(e as Error).message}). Change the webhook port in Settings.`);
    return undefined;
  }
}

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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}
