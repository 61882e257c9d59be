import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { App } from '../app.ts';
import { builtInConnectors } from '../connectors/index.ts';
import type { IntakeAnswer } from '../engine/webhook-intake.ts';
import type { Answer, Delivery, FromReceiver, ReceiverOptions, ToReceiver } from './hook-messages.ts';

/**
 * The webhook receiver: `POST /hooks/<token>` and nothing else. It has its own port so that a
 * tunnel or reverse proxy can expose it to the internet without exposing the UI's RPC; it binds
 * 127.0.0.1 unless the user chooses another address in Settings.
 *
 * HTTP and the checking of deliveries run on their own thread (hook-worker.ts); this side stores
 * the events it passes on (and checks those it could not) and sends back the answers. The main
 * thread's time goes to storing events and running workflows, which is what the end-to-end
 * throughput is bound by.
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
  /**
   * Modules (file URLs) exporting the connectors the app was given beyond the built-in ones, so
   * the receiver's thread can check their deliveries too (otherwise the main thread does).
   */
  connectorModules?: string[];
}

export interface RunningHookServer {
  /** `http://host:port`: deliveries go to `${origin}/hooks/<token>`. */
  origin: string;
  port: number;
  /** Deliveries passed on to be stored: checked on the receiver's thread, or here. */
  readonly counts: { checkedByReceiver: number; checkedHere: number };
  close(): Promise<void>;
}

export const DEFAULT_HOOK_PORT = 4311;
export const HOOK_BODY_LIMIT = 1024 * 1024;

/**
 * Starts the worker from a constant of ours, so one way works for every build: the sources (run
 * through tsx, whose loader the worker registers for itself) and the bundles (hook-worker is an
 * entry of its own next to the main bundle, with the same extension).
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const ready = workerData.tsx ? import(workerData.tsx).then((api) => api.register()) : Promise.resolve();
ready.then(() => import(workerData.entry));
`;

function workerEntry(): { entry: string; tsx?: string } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const entry = pathToFileURL(join(dirname(here), `hook-worker${ext}`)).href;
  if (ext !== '.ts') return { entry };
  const api = createRequire(import.meta.url).resolve('tsx/esm/api');
  return { entry, tsx: pathToFileURL(api.replace(/\.cjs$/, '.mjs')).href };
}

export async function startHookServer(options: HookServerOptions): Promise<RunningHookServer> {
  const { app } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const receiver: ReceiverOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_HOOK_PORT,
    bodyLimit: options.bodyLimit ?? HOOK_BODY_LIMIT,
    connectorModules: options.connectorModules ?? [],
  };
  const builtIn = new Map(builtInConnectors.map((c) => [c.id, c.webhooks]));
  let worker: Worker | undefined;
  /** Apps whose deliveries the receiver's thread checks with the very code this app uses. */
  let checkedThere = new Set<string>();
  let closing = false;

  const tell = (message: ToReceiver) => worker?.postMessage(message);
  const stopForgetting = app.intake.onForget((token) => tell({ type: 'forget', token }));

  // Answers go back to the thread that asked (after a restart, the old one's are dropped: their
  // connections are gone, and the senders retry).
  const answers = new Map<Worker, Answer[]>();
  const reply = (to: Worker, a: Answer) => {
    if (a.status >= 400) log(`Webhook refused with ${a.status}: ${a.body.error}`);
    const batch = answers.get(to);
    if (batch) {
      batch.push(a);
      return;
    }
    answers.set(to, [a]);
    // Answers resolved together (one fsync) leave together, without waiting for another turn.
    queueMicrotask(() => {
      const items = answers.get(to) ?? [];
      answers.delete(to);
      if (to.threadId !== -1) to.postMessage({ type: 'answers', items } satisfies ToReceiver);
    });
  };

  const counts = { checkedByReceiver: 0, checkedHere: 0 };
  async function deliver(d: Delivery): Promise<Answer> {
    if (d.kind === 'checked') {
      counts.checkedByReceiver++;
      return { seq: d.seq, ...(await app.intake.receiveChecked(d.token, d.checked, d.bytes)) };
    }
    if (d.kind === 'too-large') {
      app.intake.logRejection(app.hooks.byToken(d.token), 413, `The body is larger than ${d.limit} bytes.`, d.limit);
      return { seq: d.seq, status: 413, body: { error: `The body is larger than ${Math.round(d.limit / 1024)} KB.` } };
    }
    counts.checkedHere++;
    const body = Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength);
    const answer: IntakeAnswer = await app.receiveWebhook(d.token, body, d.headers);
    const found = answer.status < 300 ? app.intake.route(d.token) : undefined;
    return { seq: d.seq, ...answer, ...(found && checkedThere.has(found.route.app) ? { route: found.route } : {}) };
  }

  function onMessage(from: Worker, message: FromReceiver): void {
    if (message.type === 'deliveries') {
      for (const d of message.items) {
        deliver(d).then(
          (a) => reply(from, a),
          (err: unknown) => {
            log(`Webhook delivery failed: ${(err as Error).message}`);
            // The sender retries on 5xx; nothing was acknowledged, so nothing is lost.
            reply(from, { seq: d.seq, status: 503, body: { error: 'Pipewright could not store this event just now; please retry.' } });
          },
        );
      }
    } else if (message.type === 'log') log(message.line);
  }

  /** Starts the receiver's thread; resolves once it listens. */
  function spawn(): Promise<{ address: string; family: string; port: number }> {
    const current = new Worker(BOOTSTRAP, { eval: true, workerData: { ...workerEntry(), options: receiver } });
    worker = current;
    current.on('message', (message: FromReceiver) => onMessage(current, message));
    // Without a listener, a failure of the thread would be thrown here, in the main thread.
    current.on('error', (err) => log(`The webhook receiver failed: ${err.message}`));
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      current.once('error', failed);
      // Rejecting after it listened changes nothing: a promise settles once.
      current.once('exit', (code) => reject(new Error(`The webhook receiver stopped (exit code ${code}) before it listened.`)));
      current.on('message', (message: FromReceiver) => {
        if (message.type === 'listen-failed') reject(new Error(message.message));
        if (message.type !== 'listening') return;
        current.off('error', failed);
        checkedThere = new Set(
          message.apps.filter((id) => {
            const used = app.registry.connectors.find((c) => c.id === id)?.webhooks;
            return used !== undefined && (builtIn.get(id) === undefined || builtIn.get(id) === used);
          }),
        );
        // A thread that fails later is started again on the same port: senders retry what it did not answer.
        current.once('exit', (code) => {
          if (closing) return;
          log(`The webhook receiver stopped (exit code ${code}); starting it again.`);
          receiver.port = message.port;
          setTimeout(() => {
            if (!closing) spawn().catch((err: Error) => log(`The webhook receiver could not be started again: ${err.message}`));
          }, 1000).unref();
        });
        resolve(message);
      });
    });
  }

  let address: { address: string; family: string; port: number };
  try {
    address = await spawn();
  } catch (err) {
    stopForgetting();
    await worker?.terminate();
    throw err;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    origin: `http://${host}:${address.port}`,
    port: address.port,
    counts,
    close: async () => {
      closing = true;
      stopForgetting();
      const current = worker;
      if (!current || current.threadId === -1) return; // it is not running
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      tell({ type: 'close' });
      await exited;
    },
  };
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
