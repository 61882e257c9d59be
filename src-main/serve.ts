import { spawn } from 'node:child_process';
import { type App, createApp } from './app.ts';
import { startWebhooks } from './server/hooks.ts';
import { PortInUseError, type RunningServer, startServer } from './server/http.ts';
import { ensureRenderer } from './server/renderer-build.ts';

/** `pipewright serve`: the browser edition, with the engine, the scheduler and the dispatcher running. */

export interface ServeOptions {
  dataDir: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Open the default browser at the URL. */
  open?: boolean;
  /** The webhook receiver's port (default: the `webhooks.port` setting, else 4311; 0 picks a free one). */
  hookPort?: number;
}

export const DEFAULT_PORT = 4310;

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

/** Resolves with the exit code once the server has stopped (Ctrl+C or SIGTERM). */
export async function serve(options: ServeOptions): Promise<number> {
  const port = options.port ?? DEFAULT_PORT;
  await ensureRenderer({ say: err });
  const app = createApp({ dataDir: options.dataDir });
  let server: RunningServer;
  try {
    server = await startServer({ app, port });
  } catch (e) {
    await app.close();
    if (e instanceof PortInUseError) {
      err(`Port ${port} is already in use (is Pipewright already running?). Start on another port: pipewright serve --port ${port + 1}`);
      return 1;
    }
    throw e;
  }
  const hooks = await startWebhooks(app, { port: options.hookPort, warn: err });
  // Live processing starts only once the UI can be reached: a failed start leaves no half-run engine.
  app.start();
  out(`Pipewright is running at ${server.url}`);
  if (hooks) out(`Webhooks are received at ${hooks.origin}/hooks/… (see Settings to reach them from the internet).`);
  out('Open that link to use it (it carries this session’s key). Press Ctrl+C to stop.');
  if (options.open) openBrowser(server.url);
  await stopSignal();
  out('Stopping Pipewright…');
  await hooks?.close();
  await shutdown(server, app);
  return 0;
}

async function shutdown(server: RunningServer, app: App): Promise<void> {
  await server.close();
  await app.close();
}

/** Waits for Ctrl+C or SIGTERM; a second one exits at once, for a shutdown that hangs. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const onSignal = () => {
      for (const s of signals) process.off(s, onSignal);
      for (const s of signals) process.once(s, () => process.exit(130));
      resolve();
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

/** Best effort: the URL is printed anyway. `BROWSER=none` turns it off (scripts, tests). */
export function openBrowser(url: string): void {
  if (process.env.BROWSER === 'none') return;
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => err('Could not open a browser; open the link above yourself.'));
    child.unref();
  } catch {
    err('Could not open a browser; open the link above yourself.');
  }
}
