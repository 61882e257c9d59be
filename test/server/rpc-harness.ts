import type { App, AppOptions } from '../../src-main/app.ts';
import { type RunningServer, startServer } from '../../src-main/server/http.ts';
import { afterThisTest, tempApp, tempDir } from '../helpers.ts';

/** Calls a method of the browser edition's HTTP RPC with the session token; answers status and JSON body. */
export type Rpc = (method: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/** An app in a fresh data dir behind a real RPC server on 127.0.0.1; the server stops before the app closes. */
export async function serveApp(options: Partial<AppOptions> = {}): Promise<{ app: App; rpc: Rpc; server: RunningServer }> {
  const app = tempApp(options);
  const server = await startServer({ app, port: 0, staticDir: tempDir('pipewright-static-'), log: () => {} });
  afterThisTest(() => server.close());
  return {
    app,
    server,
    async rpc(method, body = {}) {
      const res = await fetch(`${server.origin}/rpc/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}
