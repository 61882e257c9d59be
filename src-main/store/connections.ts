import { z } from 'zod';
import type { ResolvedConnection } from '../connectors/define.ts';
import { nodeLabel, type Workflow, type WorkflowNode } from '../shared/workflow.ts';
import type { Db } from './db.ts';
import type { SecretStore } from './secrets.ts';

/**
 * Connections to remote apps (app + base URL + credentials + per-app extras) and the binding of a
 * workflow's connection aliases to them. Credentials go only through the SecretStore (encrypted);
 * everything this store returns to callers outside the main process is masked.
 */

export const ConnectionAuth = z.enum(['bearer', 'apiKey', 'oauth']).meta({
  title: 'How to sign in',
  description: 'An API key, a bearer token, or an OAuth access token (with its refresh token).',
});
export type ConnectionAuth = z.infer<typeof ConnectionAuth>;

export const RateLimit = z
  .object({
    requestsPerSecond: z.number().positive().max(10_000).meta({ title: 'Requests per second', description: 'Sustained rate.' }),
    burst: z.int().min(1).max(100_000).meta({ title: 'Burst', description: 'How many requests may go at once after a pause.' }),
  })
  .meta({
    title: 'Rate limit',
    description: "How fast Pipewright may call this connection, shared by all workflows. Leave empty for the app's default.",
  });
export type RateLimit = z.infer<typeof RateLimit>;

export const ConnectionName = z
  .string()
  .trim()
  .regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$/, 'must start with a letter and use at most 64 letters, digits, ".", "-" and "_"')
  .meta({ title: 'Name', description: 'A short name you choose, e.g. kanvo-main.' });

const BaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be a web address starting with https:// (or http:// for a local server)' })
  .transform((url) => url.replace(/\/+$/, ''))
  .meta({ title: 'Base URL', description: "The API's address, e.g. https://kanvocrm.com/api/v1." });

const Extras = z.record(z.string(), z.string()).meta({
  title: 'Extra settings',
  description: 'Settings some apps need besides the key, e.g. the generic CRM API’s entityId.',
});

export const ConnectionInput = z.object({
  name: ConnectionName,
  app: z.string().min(1).meta({ title: 'App' }),
  baseUrl: BaseUrl.optional(),
  auth: ConnectionAuth.default('bearer'),
  /** The API key, bearer token or OAuth access token. */
  secret: z.string().min(1, 'must not be empty').optional().meta({ title: 'API key or token', widget: 'password' }),
  refreshToken: z.string().min(1).optional().meta({ title: 'Refresh token', widget: 'password' }),
  expiresAt: z.iso.datetime({ offset: true }).optional().meta({ title: 'Access token expires at' }),
  extras: Extras.default({}),
  rateLimit: RateLimit.nullable().optional(),
});
export type ConnectionInput = z.input<typeof ConnectionInput>;

/** Only what is given changes (no defaults here: an update must not reset the auth kind). */
export const ConnectionPatch = z.object({
  baseUrl: BaseUrl.nullable().optional(),
  auth: ConnectionAuth.optional(),
  secret: z.string().min(1, 'must not be empty').optional(),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  extras: Extras.optional(),
  rateLimit: RateLimit.nullable().optional(),
});
export type ConnectionPatch = z.input<typeof ConnectionPatch>;

/** What may be shown anywhere (renderer, CLI, logs): never the credential itself. */
export interface ConnectionInfo {
  name: string;
  app: string;
  baseUrl: string | null;
  auth: ConnectionAuth;
  extras: Record<string, string>;
  rateLimit: RateLimit | null;
  hasSecret: boolean;
  /** At most the last four characters, e.g. "••••3f9a"; null for short or missing secrets. */
  secretHint: string | null;
  hasRefreshToken: boolean;
  expiresAt: string | null;
  /** Workflow aliases explicitly bound to this connection. */
  boundTo: { workflowId: string; alias: string }[];
  createdAt: string;
  updatedAt: string;
}

/** What connectors receive in the main process: the credential in clear, plus how to use it. */
export interface ConnectionCredentials extends ResolvedConnection {
  auth: ConnectionAuth;
  rateLimit: RateLimit | null;
  refreshToken?: string;
  expiresAt?: string;
  /** Keeps renewed OAuth tokens (encrypted), so a restart does not lose them. */
  saveTokens?(tokens: { accessToken: string; refreshToken?: string; expiresAt?: string }): void;
}

export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

interface Row {
  name: string;
  app: string;
  base_url: string | null;
  auth: ConnectionAuth;
  extras: string;
  rate_limit: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConnectionStoreOptions {
  now?: () => Date;
  /** The app's display name ("Kanvo") for messages; defaults to the app id. */
  appName?: (app: string) => string | undefined;
}

const HINT_MIN_LENGTH = 12;

const FIELD_NAMES: Record<string, string> = {
  name: 'name',
  baseUrl: 'base URL',
  secret: 'API key',
  refreshToken: 'refresh token',
  expiresAt: 'expiry time',
  rateLimit: 'rate limit',
};

/** Parses with zod but reports in plain sentences (a ZodError's own message is JSON). */
function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return `${field ? `The connection's ${FIELD_NAMES[field] ?? field}` : 'The connection'} ${issue.message}`;
  });
  throw new ConnectionError(`${problems.join('. ')}.`);
}

/** Shows that a key is set, and which one, without giving away enough to use it. */
export function maskSecret(secret: string | undefined): string | null {
  if (!secret || secret.length < HINT_MIN_LENGTH) return null;
  return `••••${secret.slice(-4)}`;
}

export class ConnectionStore {
  private readonly now: () => Date;
  private readonly appName: (app: string) => string;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    options: ConnectionStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.appName = (app) => options.appName?.(app) ?? app;
  }

  private secretName(name: string, part: 'token' | 'refresh' | 'expires' | `webhook:${string}`): string {
    return `connection:${name}:${part}`;
  }

  private row(name: string): Row | undefined {
    return this.db.prepare('SELECT * FROM connections WHERE name = ?').get(name) as Row | undefined;
  }

  private info(row: Row): ConnectionInfo {
    const secret = this.secrets.get(this.secretName(row.name, 'token'));
    const bindings = this.db
      .prepare('SELECT workflow_id, alias FROM workflow_bindings WHERE connection_name = ? ORDER BY workflow_id, alias')
      .all(row.name) as { workflow_id: string; alias: string }[];
    return {
      name: row.name,
      app: row.app,
      baseUrl: row.base_url,
      auth: row.auth,
      extras: JSON.parse(row.extras) as Record<string, string>,
      rateLimit: row.rate_limit ? (JSON.parse(row.rate_limit) as RateLimit) : null,
      hasSecret: secret !== undefined,
      secretHint: maskSecret(secret),
      hasRefreshToken: this.secrets.has(this.secretName(row.name, 'refresh')),
      expiresAt: this.secrets.get(this.secretName(row.name, 'expires')) ?? null,
      boundTo: bindings.map((b) => ({ workflowId: b.workflow_id, alias: b.alias })),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private storeCredentials(name: string, input: { secret?: string; refreshToken?: string; expiresAt?: string }): void {
    if (input.secret !== undefined) this.secrets.set(this.secretName(name, 'token'), input.secret);
    if (input.refreshToken !== undefined) this.secrets.set(this.secretName(name, 'refresh'), input.refreshToken);
    if (input.expiresAt !== undefined) this.secrets.set(this.secretName(name, 'expires'), input.expiresAt);
  }

  add(input: ConnectionInput): ConnectionInfo {
    const parsed = parseInput(ConnectionInput, input);
    if (this.row(parsed.name)) {
      throw new ConnectionError(`A connection named "${parsed.name}" already exists; update it or choose another name.`);
    }
    const at = this.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO connections (name, app, base_url, auth, extras, rate_limit, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          parsed.name,
          parsed.app,
          parsed.baseUrl ?? null,
          parsed.auth,
          JSON.stringify(parsed.extras),
          parsed.rateLimit ? JSON.stringify(parsed.rateLimit) : null,
          at,
          at,
        );
      this.storeCredentials(parsed.name, parsed);
    })();
    return this.get(parsed.name) as ConnectionInfo;
  }

  /** Changes only what the patch names; `extras` are merged (an empty value removes one). */
  update(name: string, patch: ConnectionPatch): ConnectionInfo {
    const row = this.row(name);
    if (!row) throw new ConnectionError(this.missing(name));
    const parsed = parseInput(ConnectionPatch, patch);
    const extras = { ...(JSON.parse(row.extras) as Record<string, string>), ...(parsed.extras ?? {}) };
    for (const [key, value] of Object.entries(extras)) if (value === '') delete extras[key];
    const rateLimit = parsed.rateLimit === undefined ? row.rate_limit : parsed.rateLimit && JSON.stringify(parsed.rateLimit);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE connections SET base_url = ?, auth = ?, extras = ?, rate_limit = ?, updated_at = ? WHERE name = ?')
        .run(
          parsed.baseUrl === undefined ? row.base_url : parsed.baseUrl,
          parsed.auth ?? row.auth,
          JSON.stringify(extras),
          rateLimit,
          this.now().toISOString(),
          name,
        );
      this.storeCredentials(name, parsed);
    })();
    return this.get(name) as ConnectionInfo;
  }

  /** Replaces the OAuth tokens after a refresh. */
  setTokens(name: string, tokens: { accessToken: string; refreshToken?: string; expiresAt?: string }): void {
    if (!this.row(name)) throw new ConnectionError(this.missing(name));
    this.storeCredentials(name, { secret: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt });
  }

  /** A webhook's signing secret (returned once by the app when the webhook is registered). */
  setWebhookSecret(name: string, webhookId: string, secret: string): void {
    if (!this.row(name)) throw new ConnectionError(this.missing(name));
    this.secrets.set(this.secretName(name, `webhook:${webhookId}`), secret);
  }

  webhookSecret(name: string, webhookId: string): string | undefined {
    return this.secrets.get(this.secretName(name, `webhook:${webhookId}`));
  }

  list(app?: string): ConnectionInfo[] {
    const rows = (
      app
        ? this.db.prepare('SELECT * FROM connections WHERE app = ? ORDER BY name').all(app)
        : this.db.prepare('SELECT * FROM connections ORDER BY app, name').all()
    ) as Row[];
    return rows.map((r) => this.info(r));
  }

  get(name: string): ConnectionInfo | undefined {
    const row = this.row(name);
    return row && this.info(row);
  }

  /** Deletes the connection, its credentials and its bindings. */
  remove(name: string): boolean {
    if (!this.row(name)) return false;
    this.db.transaction(() => {
      for (const secret of this.secrets.names()) {
        if (secret.startsWith(`connection:${name}:`)) this.secrets.remove(secret);
      }
      this.db.prepare('DELETE FROM connections WHERE name = ?').run(name);
    })();
    return true;
  }

  /** The connection with its credential in clear: main process only, never returned to the renderer. */
  resolve(name: string, alias = name): ConnectionCredentials {
    const row = this.row(name);
    if (!row) throw new ConnectionError(this.missing(name));
    const refreshToken = this.secrets.get(this.secretName(name, 'refresh'));
    const expiresAt = this.secrets.get(this.secretName(name, 'expires'));
    return {
      alias,
      app: row.app,
      name: row.name,
      ...(row.base_url ? { baseUrl: row.base_url } : {}),
      secret: this.secrets.get(this.secretName(name, 'token')),
      extras: JSON.parse(row.extras) as Record<string, string>,
      auth: row.auth,
      rateLimit: row.rate_limit ? (JSON.parse(row.rate_limit) as RateLimit) : null,
      ...(refreshToken ? { refreshToken } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      saveTokens: (tokens) => this.setTokens(name, tokens),
    };
  }

  bind(workflowId: string, alias: string, connectionName: string): void {
    if (!this.row(connectionName)) throw new ConnectionError(this.missing(connectionName));
    this.db
      .prepare(
        `INSERT INTO workflow_bindings (workflow_id, alias, connection_name) VALUES (?, ?, ?)
         ON CONFLICT(workflow_id, alias) DO UPDATE SET connection_name = excluded.connection_name`,
      )
      .run(workflowId, alias, connectionName);
  }

  unbind(workflowId: string, alias: string): boolean {
    return this.db.prepare('DELETE FROM workflow_bindings WHERE workflow_id = ? AND alias = ?').run(workflowId, alias).changes > 0;
  }

  /** Alias → connection name, for the workflow's explicit bindings. */
  bindings(workflowId: string): Record<string, string> {
    const rows = this.db.prepare('SELECT alias, connection_name FROM workflow_bindings WHERE workflow_id = ?').all(workflowId) as {
      alias: string;
      connection_name: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.alias, r.connection_name]));
  }

  /**
   * The connection a step uses: the workflow's explicit binding of its alias, else a connection
   * named like the alias, else the only connection of the alias's app. Anything else is an error
   * telling the operator what to do.
   */
  resolveFor(
    workflow: Pick<Workflow, 'id' | 'connections'>,
    node: Pick<WorkflowNode, 'id' | 'name' | 'type' | 'connection'>,
  ): ConnectionCredentials | undefined {
    const alias = node.connection;
    if (alias === undefined) return undefined;
    const nodeApp = node.type.split('.')[0] as string;
    const app = workflow.connections[alias]?.app ?? nodeApp;
    const appName = this.appName(app);
    const step = `Step ${nodeLabel(node)}`;
    if (app !== nodeApp) {
      throw new ConnectionError(
        `${step} is a ${this.appName(nodeApp)} step, but its connection alias '${alias}' is declared for ${appName}; choose a ${this.appName(nodeApp)} connection for it.`,
      );
    }
    const bound = this.bindings(workflow.id)[alias];
    if (bound) {
      const row = this.row(bound);
      if (row && row.app !== app) {
        throw new ConnectionError(
          `${step} uses the connection alias '${alias}' (${appName}), which is bound to "${bound}", a ${this.appName(row.app)} connection; bind a ${appName} connection instead.`,
        );
      }
      if (row) return this.resolve(bound, alias);
    }
    const named = this.row(alias);
    if (named && named.app === app) return this.resolve(alias, alias);
    const candidates = this.db.prepare('SELECT name FROM connections WHERE app = ? ORDER BY name').all(app) as { name: string }[];
    if (candidates.length === 1) return this.resolve((candidates[0] as { name: string }).name, alias);
    if (candidates.length === 0) {
      throw new ConnectionError(
        `${step} uses the connection alias '${alias}' (${appName}): no ${appName} connection is set up; add one with \`pipewright connections add NAME --app ${app} --base-url URL --api-key KEY\`.`,
      );
    }
    throw new ConnectionError(
      `${step} uses the connection alias '${alias}' (${appName}): there are ${candidates.length} ${appName} connections (${candidates.map((c) => c.name).join(', ')}); choose one with \`pipewright connections bind ${workflow.id} ${alias} NAME\`.`,
    );
  }

  private missing(name: string): string {
    return `There is no connection named "${name}". See \`pipewright connections list\`.`;
  }
}
