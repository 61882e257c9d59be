import type { Db } from './db.ts';

/** The event inbox: every event that may start runs is committed here before it is processed. */

export type InboxStatus = 'pending' | 'processed' | 'no_match' | 'duplicate' | 'echo' | 'loop_stopped' | 'rejected' | 'failed';

/** Statuses an event ends in (a pending one is waiting to be processed). */
export const INBOX_STATUSES: readonly InboxStatus[] = [
  'pending',
  'processed',
  'no_match',
  'duplicate',
  'echo',
  'loop_stopped',
  'rejected',
  'failed',
];

export interface InboxEvent {
  id: number;
  source: string;
  event: string;
  payload: Record<string, unknown>;
  receivedAt: string;
  status: InboxStatus;
  causeRunId: string | null;
  causeWorkflowId: string | null;
  depth: number;
  note: string | null;
  /** The workflow a webhook delivery was addressed to (its hook); null: any live workflow that listens. */
  workflowId: string | null;
  processedAt: string | null;
}

interface Row {
  id: number;
  source: string;
  event: string;
  payload: string;
  received_at: string;
  status: InboxStatus;
  cause_run_id: string | null;
  cause_workflow_id: string | null;
  depth: number;
  note: string | null;
  workflow_id: string | null;
  processed_at: string | null;
}

const toEvent = (r: Row): InboxEvent => ({
  id: r.id,
  source: r.source,
  event: r.event,
  payload: JSON.parse(r.payload),
  receivedAt: r.received_at,
  status: r.status,
  causeRunId: r.cause_run_id,
  causeWorkflowId: r.cause_workflow_id,
  depth: r.depth,
  note: r.note,
  workflowId: r.workflow_id,
  processedAt: r.processed_at,
});

export interface NewInboxEvent {
  source: string;
  event: string;
  payload?: unknown;
  /** The payload as JSON text already (instead of `payload`). */
  payloadJson?: string;
  receivedAt: string;
  dedupeKey?: string | null;
  causeRunId?: string | null;
  causeWorkflowId?: string | null;
  depth?: number;
  workflowId?: string | null;
  /** Recorded already settled (a rejected delivery, an echo); default pending. */
  status?: InboxStatus;
  note?: string | null;
}

export class Inbox {
  private readonly insert;
  private readonly mark;
  private readonly pendingStmt;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO inbox (source, event, payload, dedupe_key, received_at, cause_run_id, cause_workflow_id, depth, workflow_id, status, note, processed_at)
       VALUES (@source, @event, @payload, @dedupeKey, @receivedAt, @causeRunId, @causeWorkflowId, @depth, @workflowId, @status, @note,
               CASE WHEN @status = 'pending' THEN NULL ELSE @receivedAt END)
       ON CONFLICT DO NOTHING`,
    );
    // A note the event arrived with (a replay's origin) is kept; the outcome is added after it.
    this.mark = db.prepare(
      `UPDATE inbox SET status = @status, processed_at = @at,
       note = CASE WHEN note IS NULL THEN @note WHEN @note IS NULL THEN note ELSE note || ' ' || @note END WHERE id = @id`,
    );
    this.pendingStmt = db.prepare("SELECT * FROM inbox WHERE status = 'pending' ORDER BY id LIMIT ?");
  }

  /** Adds an event; returns its id, or undefined when its dedupe key was seen before. */
  add(event: NewInboxEvent): number | undefined {
    const result = this.insert.run({
      source: event.source,
      event: event.event,
      payload: event.payloadJson ?? JSON.stringify(event.payload),
      dedupeKey: event.dedupeKey ?? null,
      receivedAt: event.receivedAt,
      causeRunId: event.causeRunId ?? null,
      causeWorkflowId: event.causeWorkflowId ?? null,
      depth: event.depth ?? 0,
      workflowId: event.workflowId ?? null,
      status: event.status ?? 'pending',
      note: event.note ?? null,
    });
    return result.changes > 0 ? Number(result.lastInsertRowid) : undefined;
  }

  /** The event that already holds this dedupe key. */
  byDedupeKey(source: string, dedupeKey: string): InboxEvent | undefined {
    const row = this.db.prepare('SELECT * FROM inbox WHERE source = ? AND dedupe_key = ?').get(source, dedupeKey) as Row | undefined;
    return row ? toEvent(row) : undefined;
  }

  /**
   * Adds an event, or, when its dedupe key was seen before, records the repeat as a duplicate of
   * the first (shown in the events list, never processed). Returns the new row's id and whether it
   * was a duplicate.
   */
  addOrRecordDuplicate(event: NewInboxEvent): { id: number; duplicateOf?: number } {
    const id = this.add(event);
    if (id !== undefined) return { id };
    const first = event.dedupeKey ? this.byDedupeKey(event.source, event.dedupeKey) : undefined;
    const repeat = this.add({
      ...event,
      dedupeKey: null,
      status: 'duplicate',
      note: first ? `The same delivery as event #${first.id}; not processed again.` : 'A repeated delivery; not processed again.',
    }) as number;
    return { id: repeat, duplicateOf: first?.id };
  }

  /** Queues a copy of an event to be processed again (the user's "replay"); returns the copy's id. */
  replay(id: number, at: string): number {
    const original = this.get(id);
    if (!original) throw new Error(`There is no event #${id}.`);
    if (original.status === 'rejected') throw new Error(`Event #${id} was rejected when it arrived; there is nothing to replay.`);
    return this.add({
      source: original.source,
      event: original.event,
      payload: original.payload,
      receivedAt: at,
      workflowId: original.workflowId,
      note: `Replay of event #${id}.`,
    }) as number;
  }

  pending(limit = 100): InboxEvent[] {
    return (this.pendingStmt.all(limit) as Row[]).map(toEvent);
  }

  markDone(id: number, status: Exclude<InboxStatus, 'pending'>, at: string, note?: string): void {
    this.mark.run({ id, status, at, note: note ?? null });
  }

  get(id: number): InboxEvent | undefined {
    const row = this.db.prepare('SELECT * FROM inbox WHERE id = ?').get(id) as Row | undefined;
    return row ? toEvent(row) : undefined;
  }

  /** Newest first; `before` pages back from an id. */
  list(filter: { status?: InboxStatus; workflowId?: string; before?: number; limit?: number } = {}): InboxEvent[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.workflowId) {
      where.push('(workflow_id = ? OR id IN (SELECT event_id FROM runs WHERE workflow_id = ? AND event_id IS NOT NULL))');
      args.push(filter.workflowId, filter.workflowId);
    }
    if (filter.before !== undefined) {
      where.push('id < ?');
      args.push(filter.before);
    }
    const sql = `SELECT * FROM inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 100) as Row[]).map(toEvent);
  }

  /**
   * Deletes settled events received before `before` (ISO time), at most `limit` of them, oldest
   * first; pending events are always kept. Returns how many were deleted. Ids grow with arrival,
   * so the cutoff is found by a binary search over ids instead of scanning every row's time.
   */
  prune(before: string, limit = 2000): number {
    const oldest = this.db.prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM inbox').get() as { lo: number | null; hi: number | null };
    if (oldest.lo === null || oldest.hi === null) return 0;
    const receivedAt = this.db.prepare('SELECT received_at FROM inbox WHERE id >= ? ORDER BY id LIMIT 1').pluck();
    // The first id received at or after `before` (hi + 1 when every event is older).
    let lo = oldest.lo;
    let hi = oldest.hi + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const at = receivedAt.get(mid) as string | undefined;
      if (at !== undefined && at < before) lo = mid + 1;
      else hi = mid;
    }
    const ids = this.db
      .prepare("SELECT id FROM inbox WHERE id < ? AND status != 'pending' ORDER BY id LIMIT ?")
      .pluck()
      .all(lo, limit) as number[];
    if (ids.length === 0) return 0;
    const last = ids[ids.length - 1] as number;
    return this.db.prepare("DELETE FROM inbox WHERE id >= ? AND id <= ? AND status != 'pending'").run(ids[0], last).changes;
  }

  /** How many events are in each status. */
  counts(): Partial<Record<InboxStatus, number>> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM inbox GROUP BY status').all() as { status: InboxStatus; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
