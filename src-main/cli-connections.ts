import { ZodError } from 'zod';
import { type App, ConnectionInUseError } from './app.ts';
import { formatTable } from './cli-format.ts';
import { type CliIo, CliUsageError, runSubcommand, stdio } from './cli-io.ts';
import { apiProfile, apiProfiles, testConnection } from './connectors/http.ts';
import { type ConnectionAuth, ConnectionError, type ConnectionInfo, type RateLimit } from './store/connections.ts';

/**
 * `pipewright connections …`: add, update, list, test, remove and bind connections. Keys are read
 * from the option, from standard input (`--api-key -`, kept out of the shell history and process
 * list) or from PIPEWRIGHT_API_KEY, and are never printed back: listings show at most the last four
 * characters.
 */

export const CONNECTIONS_USAGE = `  connections list [--json]            List connections (keys masked)
  connections add NAME --app APP [--base-url URL] --api-key KEY|- [--entity-id ID]
                  [--auth bearer|apiKey|oauth] [--refresh-token T --expires-at ISO]
                  [--extra KEY=VALUE …] [--rate-limit 10/s]
                                       Add a connection (--api-key - reads the key from stdin)
  connections update NAME [--base-url URL] [--api-key KEY|-] [--entity-id ID] [--rate-limit R]
  connections test NAME                Check the connection with a cheap read
  connections remove NAME              Delete a connection and its stored key
  connections bind WORKFLOW ALIAS NAME Use connection NAME for a workflow's connection alias`;

export interface ConnectionsOptions {
  app?: string;
  'base-url'?: string;
  'api-key'?: string;
  'entity-id'?: string;
  auth?: string;
  'rate-limit'?: string;
  /** App-specific settings such as GHL's locationId: `--extra locationId=abc`, repeatable. */
  extra?: string[];
  'refresh-token'?: string;
  'expires-at'?: string;
  json?: boolean;
}

function extrasOf(options: ConnectionsOptions): Record<string, string> {
  const extras: Record<string, string> = {};
  for (const pair of options.extra ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliUsageError(`--extra "${pair}" must look like KEY=VALUE, e.g. --extra locationId=abc123.`);
    extras[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (options['entity-id']) extras.entityId = options['entity-id'];
  return extras;
}

export interface ConnectionsIo extends CliIo {
  /** All of standard input (for `--api-key -`). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

const defaultIo: ConnectionsIo = {
  ...stdio,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
};

/** "10/s", "100/10s", "600/min" → a token bucket of that rate whose burst is the window's count. */
export function parseRateLimit(text: string): RateLimit {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d*)\s*(s|sec|m|min)\s*$/i.exec(text);
  if (!match) throw new CliUsageError(`--rate-limit "${text}" is not a rate; write e.g. 10/s, 100/10s or 600/min.`);
  const count = Number(match[1]);
  const unit = (match[3] as string).toLowerCase().startsWith('m') ? 60 : 1;
  const seconds = (match[2] ? Number(match[2]) : 1) * unit;
  if (count <= 0 || seconds <= 0) throw new CliUsageError(`--rate-limit "${text}" must be more than zero.`);
  return { requestsPerSecond: count / seconds, burst: Math.max(1, Math.floor(count)) };
}

function explain(e: unknown): string {
  if (e instanceof ZodError) {
    return e.issues.map((i) => `${i.path.length ? `${i.path.join('.')} ` : ''}${i.message}`).join('; ');
  }
  return (e as Error).message;
}

function appName(app: string): string {
  return apiProfile(app)?.name ?? app;
}

function rateText(rate: RateLimit | null): string {
  return rate ? `${Number(rate.requestsPerSecond.toFixed(2))}/s (burst ${rate.burst})` : 'default';
}

export async function connectionsCommand(
  app: App,
  args: string[],
  options: ConnectionsOptions,
  io: ConnectionsIo = defaultIo,
): Promise<number> {
  const [sub, ...rest] = args;
  return runSubcommand(
    io,
    async () => {
      switch (sub) {
        case undefined:
        case 'list':
          return list(app, options, io);
        case 'add':
          return await add(app, rest, options, io);
        case 'update':
          return await update(app, rest, options, io);
        case 'test':
          return await test(app, rest, io);
        case 'remove':
          return await remove(app, rest, io);
        case 'bind':
          return bind(app, rest, io);
        default:
          io.err(`Unknown connections command "${sub}".\n\n${CONNECTIONS_USAGE}`);
          return 2;
      }
    },
    (e) => (e instanceof ConnectionError || e instanceof ConnectionInUseError || e instanceof ZodError ? explain(e) : undefined),
  );
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliUsageError(`Missing ${what}. See "pipewright --help".`);
  return value;
}

async function keyFrom(options: ConnectionsOptions, io: ConnectionsIo, required: boolean): Promise<string | undefined> {
  const given = options['api-key'];
  if (given === '-') {
    const key = (await io.readStdin()).trim();
    if (!key) throw new CliUsageError('--api-key - expects the key on standard input, but it was empty.');
    return key;
  }
  if (given !== undefined) return given.trim();
  const fromEnv = io.env.PIPEWRIGHT_API_KEY?.trim();
  if (fromEnv) return fromEnv;
  if (required)
    throw new CliUsageError('Give the API key with --api-key KEY, --api-key - (read from standard input) or PIPEWRIGHT_API_KEY.');
  return undefined;
}

function authOf(text: string | undefined): ConnectionAuth | undefined {
  if (text === undefined) return undefined;
  if (text === 'bearer' || text === 'apiKey' || text === 'oauth') return text;
  throw new CliUsageError(`--auth must be bearer, apiKey or oauth (got "${text}").`);
}

async function add(app: App, args: string[], options: ConnectionsOptions, io: ConnectionsIo): Promise<number> {
  const name = need(args[0], 'the name of the connection (e.g. kanvo-main)');
  const appId = need(options.app, '--app (e.g. --app kanvo)');
  const profile = apiProfile(appId);
  if (!profile) {
    const known = apiProfiles().map((p) => p.app);
    throw new CliUsageError(`There is no app "${appId}"; Pipewright connects to: ${known.join(', ') || 'none yet'}.`);
  }
  const baseUrl = options['base-url'] ?? profile.defaultBaseUrl;
  if (!baseUrl) throw new CliUsageError(`${profile.name} needs --base-url (the API's address).`);
  const secret = await keyFrom(options, io, true);
  const info = app.connections.add({
    name,
    app: appId,
    baseUrl,
    auth: authOf(options.auth) ?? profile.defaultAuth,
    secret,
    ...(options['refresh-token'] ? { refreshToken: options['refresh-token'] } : {}),
    ...(options['expires-at'] ? { expiresAt: options['expires-at'] } : {}),
    extras: extrasOf(options),
    rateLimit: options['rate-limit'] ? parseRateLimit(options['rate-limit']) : null,
  });
  io.out(`Added connection "${info.name}" (${profile.name}, ${info.baseUrl}, key ${info.secretHint ?? 'set'}).`);
  io.out(`Check it with: pipewright connections test ${info.name}`);
  return 0;
}

async function update(app: App, args: string[], options: ConnectionsOptions, io: ConnectionsIo): Promise<number> {
  const name = need(args[0], 'the name of the connection to update');
  if (options.app) throw new CliUsageError('The app of a connection cannot change; remove it and add a new one.');
  const info = app.connections.update(name, {
    ...(options['base-url'] !== undefined ? { baseUrl: options['base-url'] } : {}),
    ...(options.auth !== undefined ? { auth: authOf(options.auth) } : {}),
    ...(options['api-key'] !== undefined ? { secret: await keyFrom(options, io, true) } : {}),
    ...(options['entity-id'] !== undefined || options.extra ? { extras: extrasOf(options) } : {}),
    ...(options['rate-limit'] !== undefined
      ? { rateLimit: options['rate-limit'] === 'default' ? null : parseRateLimit(options['rate-limit']) }
      : {}),
  });
  io.out(
    `Updated connection "${info.name}" (${appName(info.app)}, ${info.baseUrl ?? 'default address'}, key ${info.secretHint ?? (info.hasSecret ? 'set' : 'missing')}).`,
  );
  return 0;
}

function list(app: App, options: ConnectionsOptions, io: ConnectionsIo): number {
  const rows: ConnectionInfo[] = app.connections.list(options.app);
  if (options.json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    io.out('No connections yet. Add one with "pipewright connections add NAME --app APP --base-url URL --api-key KEY".');
    return 0;
  }
  io.out(
    formatTable(
      ['NAME', 'APP', 'BASE URL', 'AUTH', 'KEY', 'EXTRAS', 'RATE LIMIT', 'USED BY'],
      rows.map((c) => [
        c.name,
        appName(c.app),
        c.baseUrl ?? '(default)',
        c.auth,
        c.hasSecret ? (c.secretHint ?? 'set') : 'missing',
        Object.entries(c.extras)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        rateText(c.rateLimit),
        c.boundTo.map((b) => `${b.workflowId}:${b.alias}`).join(' '),
      ]),
    ),
  );
  return 0;
}

async function test(app: App, args: string[], io: ConnectionsIo): Promise<number> {
  const name = need(args[0], 'the name of the connection to test');
  const result = await testConnection(app.connections.resolve(name));
  if (result.ok) {
    io.out(`✓ ${name}: ${result.message}`);
    return 0;
  }
  io.err(`✗ ${name}: ${result.message}`);
  return 1;
}

async function remove(app: App, args: string[], io: ConnectionsIo): Promise<number> {
  const name = need(args[0], 'the name of the connection to remove');
  if (!app.connections.get(name)) throw new ConnectionError(`There is no connection named "${name}". See \`pipewright connections list\`.`);
  // Refused (with the live workflows named) while a live workflow uses it, as in the app.
  const users = await app.removeConnection(name);
  io.out(
    `Removed connection "${name}" and its stored key.${users.length ? ` These workflows need another connection now: ${users.map((u) => `${u.id} (${u.aliases.join(', ')})`).join(', ')}.` : ''}`,
  );
  return 0;
}

function bind(app: App, args: string[], io: ConnectionsIo): number {
  const [workflowId, alias, name] = args;
  need(workflowId, 'the workflow id');
  need(alias, 'the connection alias (as the workflow names it, e.g. crm)');
  need(name, 'the connection name');
  const doc = app.workflows.document(workflowId as string);
  if (!doc) throw new ConnectionError(`There is no workflow "${workflowId}". See "pipewright list".`);
  const declared = doc.connections[alias as string];
  if (!declared) {
    const aliases = Object.keys(doc.connections);
    throw new ConnectionError(
      `The workflow "${workflowId}" has no connection alias "${alias}"${aliases.length ? ` (aliases: ${aliases.join(', ')})` : ''}.`,
    );
  }
  const info = app.connections.get(name as string);
  if (!info) throw new ConnectionError(`There is no connection named "${name}". See \`pipewright connections list\`.`);
  if (info.app !== declared.app) {
    throw new ConnectionError(
      `The alias "${alias}" needs a ${appName(declared.app)} connection, but "${name}" is for ${appName(info.app)}.`,
    );
  }
  app.connections.bind(workflowId as string, alias as string, name as string);
  io.out(`Workflow "${workflowId}" now uses "${name}" for its ${appName(declared.app)} connection "${alias}".`);
  return 0;
}
