import { createHash } from 'node:crypto';
import type { Db } from './db.ts';

/** The note of an event recorded as an echo. */
export const ECHO_NOTE = 'It only carries back a change Pipewright itself made, so it was not run again.';

/** How long a write of ours is remembered: an app's webhook for it arrives well within this. */
export const ECHO_WINDOW_MS = 10 * 60 * 1000;

/** A stable hash of field values, independent of key order. */
export function fieldsHash(fields: Record<string, unknown>): string {
  return createHash('sha256').update(stableJson(fields)).digest('base64url');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Our own writes to remote apps (connection, resource id, hash of the fields written), kept for
 * ECHO_WINDOW_MS: an incoming event that only carries them back is an echo, recorded and not run.
 */
export class EchoStore {
  private readonly insert;
  private readonly find;
  private readonly prune;
  /** Latest expiry per connection: most events come when nothing of ours is remembered, and skip the lookup. */
  private latest: Map<string, string> | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare(
      `INSERT INTO echoes (connection_name, resource_id, fields_hash, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET expires_at = excluded.expires_at`,
    );
    this.find = db.prepare('SELECT 1 FROM echoes WHERE connection_name = ? AND resource_id = ? AND fields_hash = ? AND expires_at > ?');
    this.prune = db.prepare('DELETE FROM echoes WHERE expires_at <= ?');
  }

  remember(connectionName: string, resourceId: string, fields: Record<string, unknown>): void {
    const expires = new Date(this.now().getTime() + ECHO_WINDOW_MS).toISOString();
    this.insert.run(connectionName, resourceId, fieldsHash(fields), expires);
    this.latestExpiries().set(connectionName, expires);
  }

  /** Whether any write through this connection is still remembered (a cheap check before hashing an event). */
  remembers(connectionName: string): boolean {
    const latest = this.latestExpiries().get(connectionName);
    return !!latest && latest > this.now().toISOString();
  }

  isEcho(connectionName: string, resourceId: string, fields: Record<string, unknown>): boolean {
    if (!this.remembers(connectionName)) return false;
    return this.find.get(connectionName, resourceId, fieldsHash(fields), this.now().toISOString()) !== undefined;
  }

  private latestExpiries(): Map<string, string> {
    if (!this.latest) {
      const rows = this.db
        .prepare('SELECT connection_name AS name, MAX(expires_at) AS latest FROM echoes GROUP BY connection_name')
        .all() as {
        name: string;
        latest: string;
      }[];
      this.latest = new Map(rows.map((r) => [r.name, r.latest]));
    }
    return this.latest;
  }

  /** Forgets writes older than the window. */
  forgetExpired(): number {
    return this.prune.run(this.now().toISOString()).changes;
  }
}
