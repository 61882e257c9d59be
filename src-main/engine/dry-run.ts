import Database from 'better-sqlite3';
import type { FieldChange, RecordDiff } from '../shared/runs.ts';
import { CRM_TABLES, type CrmChange, type CrmEvent, CrmStore } from '../store/crm.ts';
import { type Db, migrate } from '../store/db.ts';

/**
 * Dry runs write to a throw-away in-memory copy of the CRM tables, so later steps see the
 * simulated state and live data is never touched (no transaction is held on the live connection).
 */
export interface DryRunCrm {
  crm: CrmStore;
  changes: CrmChange[];
  events: CrmEvent[];
  close(): void;
}

let emptySchema: Buffer | undefined;

/** A new in-memory database with the full schema, from a cached image (faster than migrating). */
function emptyDatabase(): Db {
  if (!emptySchema) {
    const db = new Database(':memory:');
    migrate(db);
    emptySchema = db.serialize();
    db.close();
  }
  return new Database(emptySchema);
}

export function createDryRunCrm(live: Db, now: () => Date): DryRunCrm {
  const copy = emptyDatabase();
  copy.pragma('foreign_keys = OFF');
  if (live.memory) {
    // An in-memory live database cannot be attached by name; copy it whole instead.
    const whole = new Database(live.serialize());
    for (const table of CRM_TABLES) {
      const rows = whole.prepare(`SELECT * FROM ${table}`).raw().all() as unknown[][];
      if (rows.length === 0) continue;
      const insert = copy.prepare(`INSERT INTO ${table} VALUES (${rows[0]?.map(() => '?').join(', ')})`);
      copy.transaction(() => rows.forEach((r) => insert.run(...r)))();
    }
    whole.close();
  } else {
    copy.prepare('ATTACH DATABASE ? AS live').run(live.name);
    copy.transaction(() => {
      for (const table of CRM_TABLES) copy.exec(`INSERT INTO main.${table} SELECT * FROM live.${table}`);
    })();
    copy.exec('DETACH DATABASE live');
  }
  copy.pragma('foreign_keys = ON');
  const changes: CrmChange[] = [];
  const events: CrmEvent[] = [];
  const crm = new CrmStore(copy, { now, onChange: (c) => changes.push(c), onEvent: (e) => events.push(e) });
  return { crm, changes, events, close: () => copy.close() };
}

const NOISE = new Set(['updated_at', 'created_at']);

function flatten(row: Record<string, unknown> | null): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!row) return out;
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (k === 'data' && v && typeof v === 'object' && !Array.isArray(v)) {
      const data = v as Record<string, unknown>;
      for (const dk of Object.keys(data)) out.set(`data.${dk}`, data[dk]);
    } else out.set(k, v);
  }
  return out;
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  return JSON.stringify(x) === JSON.stringify(y);
}

export function fieldChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): FieldChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const fields: FieldChange[] = [];
  // The fields of `before`, then those only `after` has.
  for (const [key, x] of a) {
    if (NOISE.has(key)) continue;
    const y = b.get(key);
    if (!sameValue(x, y)) fields.push({ field: key, before: x ?? null, after: y ?? null });
  }
  for (const [key, y] of b) {
    if (a.has(key) || NOISE.has(key)) continue;
    if (!sameValue(undefined, y)) fields.push({ field: key, before: null, after: y ?? null });
  }
  return fields;
}

/**
 * One diff per row: its state before the first change and after the last. With `rows: false` (a
 * live run's journal: the step's output already holds the new row) the diff keeps just which rows
 * changed and how, without the rows themselves or a created row's fields.
 */
export function summarizeChanges(changes: readonly CrmChange[], from = 0, rows = true): RecordDiff[] {
  const byRow = new Map<string, { entity: string; id: string; before: CrmChange['before']; after: CrmChange['after'] }>();
  for (let i = from; i < changes.length; i++) {
    const c = changes[i] as CrmChange;
    const key = `${c.entity}:${c.id}`;
    const seen = byRow.get(key);
    if (seen) seen.after = c.after;
    else byRow.set(key, { entity: c.entity, id: c.id, before: c.before, after: c.after });
  }
  const diffs: RecordDiff[] = [];
  for (const row of byRow.values()) {
    const deleted = row.after === null || Boolean(row.after?.deleted_at);
    const op = row.before === null ? 'create' : deleted ? 'delete' : 'update';
    const fields = !rows && op === 'create' ? [] : fieldChanges(row.before, row.after);
    if (op === 'update' && fields.length === 0) continue;
    const shown = (row.after ?? row.before ?? {}) as Record<string, unknown>;
    const label = shown.title ?? shown.name ?? shown.email ?? shown.summary ?? shown.body;
    // Keys in this order, label only when there is one (built in place: conditional spreads are slow).
    const diff = { entity: row.entity, id: row.id, op } as RecordDiff;
    if (label) diff.label = String(label);
    diff.before = rows ? row.before : null;
    diff.after = rows ? row.after : null;
    diff.fields = fields;
    diffs.push(diff);
  }
  return diffs;
}
