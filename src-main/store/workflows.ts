import type { Workflow } from '../shared/workflow.ts';
import type { Db } from './db.ts';

export type WorkflowStatus = 'draft' | 'live' | 'paused';

export interface WorkflowRow {
  id: string;
  name: string;
  status: WorkflowStatus;
  version: number;
  triggerType: string | null;
  createdAt: string;
  updatedAt: string;
  /** Why Pipewright paused it (too many failed runs in a row); null otherwise. */
  pausedReason: string | null;
}

export interface WorkflowVersion {
  version: number;
  note: string | null;
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  status: WorkflowStatus;
  current_version: number;
  trigger_type: string | null;
  created_at: string;
  updated_at: string;
  paused_reason: string | null;
}

const toRow = (r: Row): WorkflowRow => ({
  id: r.id,
  name: r.name,
  status: r.status,
  version: r.current_version,
  triggerType: r.trigger_type,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  pausedReason: r.paused_reason,
});

/** Saved workflows; every save is a new version, so history is never lost. */
export class WorkflowStore {
  private readonly liveCache = new Map<string, { version: number; workflow: Workflow }>();
  /** Parsed versions for the engine (versions never change); see runDocument. */
  private readonly versionCache = new Map<string, Workflow>();
  private readonly versionStmt;
  private liveTypes: Set<string> | undefined;
  /** The live workflows, asked for by every event the dispatcher handles. */
  private liveList: { row: WorkflowRow; workflow: Workflow }[] | undefined;
  private readonly liveStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.versionStmt = db.prepare('SELECT document FROM workflow_versions WHERE workflow_id = ? AND version = ?');
    this.liveStmt = db.prepare("SELECT * FROM workflows WHERE status = 'live'");
  }

  /**
   * A version's document for running it, parsed once and shared: runs of the same version reuse it
   * (and the engine's plan cached for it). Callers must not change it.
   */
  runDocument(id: string, version: number): Workflow | undefined {
    const key = `${version}@${id}`;
    let doc = this.versionCache.get(key);
    if (!doc) {
      const row = this.versionStmt.get(id, version) as { document: string } | undefined;
      if (!row) return undefined;
      doc = JSON.parse(row.document) as Workflow;
      if (this.versionCache.size >= 256) this.versionCache.delete(this.versionCache.keys().next().value as string);
      this.versionCache.set(key, doc);
    }
    return doc;
  }

  /** Saves a new version (creating the workflow if new). Returns the version number. */
  save(workflow: Workflow, triggerType: string | null, note?: string): WorkflowRow {
    const at = this.now().toISOString();
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT current_version FROM workflows WHERE id = ?').get(workflow.id) as
        | { current_version: number }
        | undefined;
      const version = (existing?.current_version ?? 0) + 1;
      if (existing) {
        this.db
          .prepare('UPDATE workflows SET name = ?, current_version = ?, trigger_type = ?, updated_at = ? WHERE id = ?')
          .run(workflow.name, version, triggerType, at, workflow.id);
      } else {
        this.db
          .prepare(
            'INSERT INTO workflows (id, name, status, current_version, trigger_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(workflow.id, workflow.name, 'draft', version, triggerType, at, at);
      }
      this.db
        .prepare('INSERT INTO workflow_versions (workflow_id, version, document, note, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(workflow.id, version, JSON.stringify(workflow), note ?? null, at);
      this.forget(workflow.id);
      return this.get(workflow.id) as WorkflowRow;
    })();
  }

  get(id: string): WorkflowRow | undefined {
    const row = this.db.prepare('SELECT * FROM workflows WHERE id = ?').get(id) as Row | undefined;
    return row ? toRow(row) : undefined;
  }

  list(): WorkflowRow[] {
    return (this.db.prepare('SELECT * FROM workflows ORDER BY name COLLATE NOCASE, id').all() as Row[]).map(toRow);
  }

  /** The document of a version (default: the current one). */
  document(id: string, version?: number): Workflow | undefined {
    const row = (
      version === undefined
        ? this.db
            .prepare(
              'SELECT v.document FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id AND v.version = w.current_version WHERE w.id = ?',
            )
            .get(id)
        : this.db.prepare('SELECT document FROM workflow_versions WHERE workflow_id = ? AND version = ?').get(id, version)
    ) as { document: string } | undefined;
    return row ? (JSON.parse(row.document) as Workflow) : undefined;
  }

  versions(id: string): WorkflowVersion[] {
    return (
      this.db.prepare('SELECT version, note, created_at FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC').all(id) as {
        version: number;
        note: string | null;
        created_at: string;
      }[]
    ).map((r) => ({ version: r.version, note: r.note, createdAt: r.created_at }));
  }

  /** Sets the status; `reason` says why a workflow was paused (cleared by any other status). */
  setStatus(id: string, status: WorkflowStatus, reason?: string): void {
    const result = this.db
      .prepare('UPDATE workflows SET status = ?, paused_reason = ?, updated_at = ? WHERE id = ?')
      .run(status, status === 'paused' ? (reason ?? null) : null, this.now().toISOString(), id);
    if (result.changes === 0) throw new Error(`There is no workflow "${id}".`);
    this.forget(id);
  }

  private forget(id: string): void {
    this.liveCache.delete(id);
    this.liveList = undefined;
    // An id can be reused after a removal: its old versions must not be served again.
    for (const key of this.versionCache.keys()) if (key.endsWith(`@${id}`)) this.versionCache.delete(key);
    this.liveTypes = undefined;
  }

  /** Trigger types of the live workflows (cached until a workflow is saved or switched). */
  liveTriggerTypes(): ReadonlySet<string> {
    this.liveTypes ??= new Set(
      (
        this.db.prepare("SELECT DISTINCT trigger_type FROM workflows WHERE status = 'live' AND trigger_type IS NOT NULL").all() as {
          trigger_type: string;
        }[]
      ).map((r) => r.trigger_type),
    );
    return this.liveTypes;
  }

  remove(id: string): boolean {
    this.forget(id);
    return this.db.prepare('DELETE FROM workflows WHERE id = ?').run(id).changes > 0;
  }

  /** Live workflows whose trigger is one of `triggerTypes`, with their current documents (cached until one is saved or switched). */
  live(triggerTypes?: readonly string[]): { row: WorkflowRow; workflow: Workflow }[] {
    if (!this.liveList) {
      const rows = (this.liveStmt.all() as Row[]).map(toRow);
      this.liveList = rows.map((row) => {
        let cached = this.liveCache.get(row.id);
        if (!cached || cached.version !== row.version) {
          cached = { version: row.version, workflow: this.document(row.id) as Workflow };
          this.liveCache.set(row.id, cached);
        }
        return { row, workflow: cached.workflow };
      });
    }
    if (!triggerTypes) return this.liveList;
    return this.liveList.filter(({ row }) => row.triggerType !== null && triggerTypes.includes(row.triggerType));
  }
}
