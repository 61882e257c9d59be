import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Api, createApi } from '../api.ts';
import type { App } from '../app.ts';
import type { EventName } from '../shared/contract.ts';
import { isLoopback, LocalOrigin, newToken, requestToken, tokenMatches } from './security.ts';
import { staticResponse } from './static.ts';

/**
 * The browser edition: the built renderer, the typed RPC (`POST /rpc/<method>`) and live updates
 * as server-sent events (`GET /events`), on 127.0.0.1 only. The wire protocol is the one
 * src-renderer/rpc.ts speaks.
 */

export interface ServerOptions {
  app: App;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The built renderer (default: out/renderer). */
  staticDir?: string;
  /** One line per request, without bodies, query strings or tokens (default: stdout). */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** Where to open the UI, with the session token. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The port is taken (usually by another Pipewright). */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is already in use.`);
    this.name = 'PortInUseError';
  }
}

export const BODY_LIMIT = 1024 * 1024;
const HEARTBEAT_MS = 20_000;
const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

const NO_TOKEN = 'The session token is missing or wrong. Open Pipewright from the link printed by `pipewright serve`.';
const FOREIGN = 'This request did not come from the Pipewright page; it was refused.';

/** Headers every response carries: no sniffing, no framing, no token in a Referer. */
const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`Pipewright only listens on this computer (127.0.0.1), not on "${host}".`);
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const token = newToken();
  const api = createApi(options.app, { edition: 'browser' });
  const streams = new Set<ServerResponse>();
  // Known once listening (port 0 picks one).
  let local = new LocalOrigin(options.port ?? 4310);

  const server = createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    handle(req, res, url)
      .catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof HttpError ? err.message : 'Pipewright could not answer this request.';
        if (status === 413) res.setHeader('Connection', 'close');
        if (!res.headersSent) sendJson(res, status, { error: message });
        else res.end();
        return status >= 500 ? (err as Error).message : undefined;
      })
      .then((note) => {
        const status = res.statusCode;
        // Static files that were found are not worth a line each.
        if (url.pathname.startsWith('/rpc/') || url.pathname === '/events' || status >= 400) {
          const ms = Math.round(performance.now() - started);
          log(`${req.method} ${url.pathname} ${status} ${ms}ms${note ? ` — ${note}` : ''}`);
        }
      });
  });
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string | undefined> {
    for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
    if (!local.hostAllowed(req.headers.host)) throw new HttpError(403, FOREIGN);
    if (!local.originAllowed(req.headers.origin)) throw new HttpError(403, FOREIGN);

    if (url.pathname.startsWith('/rpc/')) return rpc(req, res, url);
    if (url.pathname === '/events') return events(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, 'Only GET is allowed here.');
    }
    const file = staticResponse(staticDir, url.pathname);
    res.writeHead(file.status, { ...file.headers, 'Content-Length': file.body.length });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return undefined;
  }

  async function rpc(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string | undefined> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, 'RPC calls use POST.');
    }
    if (!tokenMatches(requestToken(req, url, false), token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, NO_TOKEN);
    }
    let method: string;
    try {
      method = decodeURIComponent(url.pathname.slice('/rpc/'.length));
    } catch {
      throw new HttpError(404, 'There is no such method.');
    }
    const body = await readBody(req);
    let input: unknown = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'The request body is not valid JSON.');
      }
    }
    const result = await api.call(method, input);
    if (result.ok) {
      sendJson(res, 200, result.value);
      return undefined;
    }
    sendJson(res, result.status, result.error);
    return result.status >= 500 ? result.error.error : undefined;
  }

  async function events(req: IncomingMessage, res: ServerResponse, url: URL): Promise<undefined> {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      throw new HttpError(405, 'Events are read with GET.');
    }
    if (!tokenMatches(requestToken(req, url, true), token)) throw new HttpError(401, NO_TOKEN);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const send = (event: EventName, payload: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    const unsubscribe = api.subscribe(send);
    // Comments keep proxies and idle timers from closing a quiet stream.
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(options.port ?? 4310) : err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port ?? 4310, host);
  });

  const port = (server.address() as AddressInfo).port;
  local = new LocalOrigin(port);
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () => closeServer(server, streams, api),
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': body.length });
  res.end(body);
}

/** The request body, refused past BODY_LIMIT before it is buffered whole. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > BODY_LIMIT) throw tooLarge(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw tooLarge(req);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(req: IncomingMessage): HttpError {
  // Stop reading the rest; the answer closes the connection (see the error handler).
  req.pause();
  return new HttpError(413, `The request is larger than ${BODY_LIMIT / 1024 / 1024} MB.`);
}

async function closeServer(server: Server, streams: Set<ServerResponse>, api: Api): Promise<void> {
  for (const res of streams) res.end();
  streams.clear();
  api.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // A call still running (a long test run) gets a moment to answer, then its connection is cut.
    setTimeout(() => server.closeAllConnections(), 3000).unref();
  });
}
