import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './db.ts';

/** How long a shared transaction may stay open at most (it is committed sooner when the event loop is free). */
export const GROUP_COMMIT_MS = 10;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Group commit on the one connection: journal rows, local-store writes and inbox events written
 * while the event loop is busy share one transaction, committed as soon as the loop is free (and
 * after GROUP_COMMIT_MS at the latest), so no transaction is ever held across I/O.
 *
 * Every group commits with `synchronous = NORMAL` (WAL mode: durable across an application
 * crash). A durable write (`writeDurably`, what a webhook's 2xx waits for) must also survive a
 * power loss: after its group commits, the WAL file is fsynced on libuv's thread pool, and the
 * write resolves when that fsync has finished. That is what `synchronous = FULL` does, without
 * blocking the event loop for the fsync: runs and requests go on while the disk flushes, and
 * every durable write committed meanwhile shares the next fsync.
 */
export class CommitGroup {
  private open = false;
  private started = 0;
  /** Durable writes in the open group. */
  private waiters: Waiter[] = [];
  /** Durable writes committed, waiting for the next fsync. */
  private unsynced: Waiter[] = [];
  private syncing = false;
  private walFd: number | undefined;
  /** Counted for the benchmarks and tests: how many groups committed, how many fsyncs made them durable. */
  readonly stats = { commits: 0, fsyncs: 0 };

  private readonly beginStmt;
  private readonly commitStmt;
  /** The WAL file of an on-disk database in WAL mode; undefined when there is nothing to fsync. */
  private readonly walFile: string | undefined;

  constructor(private readonly db: Db) {
    this.beginStmt = db.prepare('BEGIN');
    this.commitStmt = db.prepare('COMMIT');
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    this.walFile = wal ? `${db.name}-wal` : undefined;
  }

  /** Joins the open group, or opens one (unless a caller's own transaction is open). */
  begin(): void {
    if (this.open || this.db.inTransaction) return;
    this.open = true;
    this.beginStmt.run();
    this.started = performance.now();
    setImmediate(() => this.commit());
  }

  /** Commits once the group is older than GROUP_COMMIT_MS (called between units of work). */
  commitIfDue(): void {
    if (this.open && performance.now() - this.started >= GROUP_COMMIT_MS) this.commit();
  }

  commit(): void {
    if (!this.open) return;
    this.open = false;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      if (this.db.inTransaction) this.commitStmt.run();
      this.stats.commits++;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const w of waiters) w.reject(err as Error);
      throw err;
    }
    if (waiters.length === 0) return;
    for (const w of waiters) this.unsynced.push(w);
    this.sync();
  }

  /**
   * Runs `write` in the group and resolves with its result once the group is committed and on
   * disk (fsynced). `write` must leave nothing behind when it throws (one statement, or its own
   * savepoint): its error rejects the promise and the rest of the group still commits.
   */
  writeDurably<T>(write: () => T): Promise<T> {
    if (!this.open && this.db.inTransaction) {
      return Promise.reject(new Error('A durable write cannot join a caller’s own transaction.'));
    }
    this.begin();
    let result: T;
    try {
      result = write();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve: () => resolve(result), reject }));
  }

  /** Closes the WAL file handle (the connection itself is the caller's). */
  close(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
  }

  /** One fsync at a time; writes committed while it runs wait for the next one. */
  private sync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const batch = this.unsynced;
    this.unsynced = [];
    let fd: number | undefined;
    try {
      fd = this.walHandle();
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
      return;
    }
    if (fd === undefined) {
      for (const w of batch) w.resolve();
      return;
    }
    this.syncing = true;
    this.stats.fsyncs++;
    fsync(fd, (err) => {
      this.syncing = false;
      for (const w of batch) {
        if (err) w.reject(err);
        else w.resolve();
      }
      this.sync();
    });
  }

  /** The WAL file, opened once (SQLite keeps it while the connection is open). */
  private walHandle(): number | undefined {
    if (this.walFile === undefined) return undefined;
    if (this.walFd === undefined) {
      this.walFd = openSync(this.walFile, 'r+');
      // The WAL file's own directory entry must be on disk too, once (not possible on Windows).
      if (process.platform !== 'win32') {
        const dir = openSync(dirname(this.walFile), 'r');
        try {
          fsyncSync(dir);
        } finally {
          closeSync(dir);
        }
      }
    }
    return this.walFd;
  }
}
