import type { Db } from './db.ts';

/** How long a shared transaction may stay open at most (it is committed sooner when the event loop is free). */
export const GROUP_COMMIT_MS = 10;

/**
 * Group commit on the one connection: journal rows, local-store writes and inbox events written
 * while the event loop is busy share one transaction, committed as soon as the loop is free (and
 * after GROUP_COMMIT_MS at the latest), so no transaction is ever held across I/O.
 *
 * Groups commit with `synchronous = NORMAL` (durable across an application crash). A durable write
 * (`writeDurably`, what a webhook's 2xx waits for) makes its group commit with `synchronous = FULL`,
 * so it survives a power loss too; every write waiting in that group shares the one fsync. SQLite
 * cannot change the level inside a transaction, so an open NORMAL group is committed first (the
 * later fsync of the WAL covers it as well).
 */
export class CommitGroup {
  private open = false;
  private full = false;
  private started = 0;
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  private readonly beginStmt;
  private readonly commitStmt;

  constructor(private readonly db: Db) {
    this.beginStmt = db.prepare('BEGIN');
    this.commitStmt = db.prepare('COMMIT');
  }

  /** Joins the open group, or opens one (unless a caller's own transaction is open). */
  begin(): void {
    if (this.open || this.db.inTransaction) return;
    this.openGroup(false);
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
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const w of waiters) w.reject(err as Error);
      throw err;
    }
    for (const w of waiters) w.resolve();
  }

  /**
   * Runs `write` in a durable group and resolves with its result once the group is committed with
   * an fsync. `write` must leave nothing behind when it throws (one statement, or its own
   * savepoint): its error rejects the promise and the rest of the group still commits.
   */
  writeDurably<T>(write: () => T): Promise<T> {
    if (this.open && !this.full) this.commit();
    if (!this.open) {
      if (this.db.inTransaction) return Promise.reject(new Error('A durable write cannot join a caller’s own transaction.'));
      this.openGroup(true);
    }
    let result: T;
    try {
      result = write();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve: () => resolve(result), reject }));
  }

  private openGroup(full: boolean): void {
    if (full !== this.full) {
      this.db.pragma(`synchronous = ${full ? 'FULL' : 'NORMAL'}`);
      this.full = full;
    }
    this.beginStmt.run();
    this.open = true;
    this.started = performance.now();
    setImmediate(() => this.commit());
  }
}
