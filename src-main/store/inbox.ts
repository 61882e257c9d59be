import type { Db } from './db.ts';

/** The event inbox: every event that may start runs is committed here before it is processed. */

export type InboxStatus = 'pending' | 'processed' | 'no_match' | 'duplicate' | 'loop_stopped' | 'failed';

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
});

export interface NewInboxEvent {
  source: string;
  event: string;
  payload: unknown;
  receivedAt: string;
  dedupeKey?: string | null;
  causeRunId?: string | null;
  causeWorkflowId?: string | null;
  depth?: number;
}

export class Inbox {
  private readonly insert;
  private readonly mark;
  private readonly pendingStmt;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO inbox (source, event, payload, dedupe_key, received_at, cause_run_id, cause_workflow_id, depth)
       VALUES (@source, @event, @payload, @dedupeKey, @receivedAt, @causeRunId, @causeWorkflowId, @depth)
       ON CONFLICT DO NOTHING`,
    );
    this.mark = db.prepare('UPDATE inbox SET status = @status, processed_at = @at, note = @note WHERE id = @id');
    this.pendingStmt = db.prepare("SELECT * FROM inbox WHERE status = 'pending' ORDER BY id LIMIT ?");
  }

  /** Adds an event; returns its id, or undefined when its dedupe key was seen before. */
  add(event: NewInboxEvent): number | undefined {
    const result = this.insert.run({
      source: event.source,
      event: event.event,
      payload: JSON.stringify(event.payload),
      dedupeKey: event.dedupeKey ?? null,
      receivedAt: event.receivedAt,
      causeRunId: event.causeRunId ?? null,
      causeWorkflowId: event.causeWorkflowId ?? null,
      depth: event.depth ?? 0,
    });
    return result.changes > 0 ? Number(result.lastInsertRowid) : undefined;
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

  list(filter: { status?: InboxStatus; limit?: number } = {}): InboxEvent[] {
    const rows = filter.status
      ? this.db.prepare('SELECT * FROM inbox WHERE status = ? ORDER BY id DESC LIMIT ?').all(filter.status, filter.limit ?? 100)
      : this.db.prepare('SELECT * FROM inbox ORDER BY id DESC LIMIT ?').all(filter.limit ?? 100);
    return (rows as Row[]).map(toEvent);
  }
}
