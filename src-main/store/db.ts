import Database from 'better-sqlite3';
import { migrations } from './migrations/index.ts';

export type Db = Database.Database;

/** WAL pages before SQLite checkpoints by itself (when no Checkpointer does it on another thread). */
export const WAL_AUTOCHECKPOINT_PAGES = 10000;

export interface OpenOptions {
  /** Read-only connections skip migrations. */
  readonly?: boolean;
}

/** Opens (creating if needed) a Pipewright database file and brings its schema up to date. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false });
  // First, so that opening a file another process is creating or migrating waits instead of failing.
  db.pragma('busy_timeout = 5000');
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; the commits that acknowledge a
  // webhook are also fsynced (CommitGroup.writeDurably).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Fewer, larger checkpoints (each one fsyncs) and a page cache that holds a group commit.
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma('cache_size = -65536');
  if (!options.readonly) migrate(db);
  return db;
}

/**
 * Applies every migration newer than the file's `user_version`, each in its own write
 * transaction that checks the version again, so two processes opening a new file at once (two
 * CLI commands, or one beside the app) apply each migration once.
 */
export function migrate(db: Db): void {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (schemaVersion(db) >= latest) return;
  for (const migration of migrations) {
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
