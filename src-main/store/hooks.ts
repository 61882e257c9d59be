import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

/** How a live remote trigger receives its events. */
export type HookMode = 'webhook' | 'poll';

/** The address (`/hooks/<token>`) and state of one live remote trigger. */
export interface Hook {
  token: string;
  workflowId: string;
  nodeId: string;
  app: string;
  connectionName: string | null;
  mode: HookMode;
  /** The app's id of the webhook registered for this address. */
  remoteId: string | null;
  pollCursor: unknown;
  polledAt: string | null;
  lastError: string | null;
  createdAt: string;
}

interface Row {
  token: string;
  workflow_id: string;
  node_id: string;
  app: string;
  connection_name: string | null;
  mode: HookMode;
  remote_id: string | null;
  poll_cursor: string | null;
  polled_at: string | null;
  last_error: string | null;
  created_at: string;
}

const toHook = (r: Row): Hook => ({
  token: r.token,
  workflowId: r.workflow_id,
  nodeId: r.node_id,
  app: r.app,
  connectionName: r.connection_name,
  mode: r.mode,
  remoteId: r.remote_id,
  pollCursor: r.poll_cursor === null ? undefined : JSON.parse(r.poll_cursor),
  polledAt: r.polled_at,
  lastError: r.last_error,
  createdAt: r.created_at,
});

/** A new unguessable hook token: 32 random bytes, URL-safe. */
export function newHookToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Hooks of live triggers. Tokens are looked up on every delivery, so they are kept in memory
 * (a Map lookup takes the same time for a right and a wrong token, unlike a database probe).
 */
export class HookStore {
  private byTokenCache: Map<string, Hook> | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  private cache(): Map<string, Hook> {
    if (!this.byTokenCache) {
      const rows = this.db.prepare('SELECT * FROM hooks').all() as Row[];
      this.byTokenCache = new Map(rows.map((r) => [r.token, toHook(r)]));
    }
    return this.byTokenCache;
  }

  byToken(token: string): Hook | undefined {
    return this.cache().get(token);
  }

  all(): Hook[] {
    return [...this.cache().values()];
  }

  forWorkflow(workflowId: string): Hook[] {
    return this.all().filter((h) => h.workflowId === workflowId);
  }

  create(hook: { workflowId: string; nodeId: string; app: string; connectionName: string | null; mode: HookMode }): Hook {
    const token = newHookToken();
    this.db
      .prepare(
        `INSERT INTO hooks (token, workflow_id, node_id, app, connection_name, mode, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(token, hook.workflowId, hook.nodeId, hook.app, hook.connectionName, hook.mode, this.now().toISOString());
    this.byTokenCache = undefined;
    return this.byToken(token) as Hook;
  }

  update(token: string, change: Partial<Pick<Hook, 'mode' | 'remoteId' | 'pollCursor' | 'polledAt' | 'lastError'>>): void {
    const current = this.byToken(token);
    if (!current) return;
    const next = { ...current, ...change };
    this.db
      .prepare('UPDATE hooks SET mode = ?, remote_id = ?, poll_cursor = ?, polled_at = ?, last_error = ? WHERE token = ?')
      .run(
        next.mode,
        next.remoteId,
        next.pollCursor === undefined ? null : JSON.stringify(next.pollCursor),
        next.polledAt,
        next.lastError,
        token,
      );
    this.cache().set(token, next);
  }

  remove(token: string): void {
    this.db.prepare('DELETE FROM hooks WHERE token = ?').run(token);
    this.cache().delete(token);
  }
}
