import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectorDefinition, ConnectorWebhooks, ResolvedConnection, RunContext } from '../../src-main/connectors/define.ts';

/** Plumbing shared by the webhook tests: a receiving address, a connection, and running one action. */

export interface ReceivedDelivery {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  body: unknown;
}

/** An HTTP server on 127.0.0.1 standing in for Pipewright's webhook address; answers 200 to everything. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedDelivery[]; close(): Promise<void> }> {
  const received: ReceivedDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      received.push({ headers: lowerCased(req.headers), rawBody, body: JSON.parse(rawBody.toString('utf8')) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${randomBytes(8).toString('hex')}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Node lower-cases incoming header names already; this flattens repeated ones. */
function lowerCased(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
}

/** A connection as the engine resolves it (a fresh name each time: rate limiters are per connection). */
export function connection(app: string, baseUrl: string, secret: string, extras: Record<string, string> = {}): ResolvedConnection {
  return { alias: app, app, name: `${app}-${randomBytes(4).toString('hex')}`, baseUrl, secret, extras };
}

export function webhooksOf(connector: ConnectorDefinition): ConnectorWebhooks {
  if (!connector.webhooks) throw new Error(`${connector.id} declares no webhooks`);
  return connector.webhooks;
}

/** Runs one action of a connector for real against its (fake) API, as a step would. */
export async function runAction(
  connector: ConnectorDefinition,
  key: string,
  params: Record<string, unknown>,
  conn: ResolvedConnection,
): Promise<Record<string, unknown>> {
  const action = connector.actions.find((a) => a.key === key);
  if (!action) throw new Error(`${connector.id} has no action ${key}`);
  const ctx = {
    input: action.input.parse(params),
    connection: conn,
    dryRun: false,
    signal: new AbortController().signal,
    node: { id: key, name: key, type: `${connector.id}.${key}` },
    now: () => new Date(),
  } as unknown as RunContext<unknown>;
  return (await action.run(ctx)) as Record<string, unknown>;
}

export const signal = () => new AbortController().signal;
