import type { PlannedHttpRequest, RecordDiff, RunMode, RunResult, RunStatus, RunSummary, StepResult, StepStatus } from '../shared/runs.ts';
import type { Db } from './db.ts';

/** The run journal: a row per run and per step attempt. All of its SQL lives here. */

export interface NewRun {
  id: string;
  workflowId: string;
  workflowVersion: number | null;
  workflowName: string;
  document: unknown;
  mode: RunMode;
  dryRun: boolean;
  status: RunStatus;
  trigger: unknown;
  eventId?: number | null;
  depth: number;
  startedAt: string;
}

export interface StepRecord {
  key: string;
  nodeId: string;
  attempt: number;
  status: StepStatus;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  ports?: string[] | null;
  startedAt: string;
  durationMs?: number | null;
  resumeAt?: string | null;
  simulated?: boolean;
  changes?: RecordDiff[] | null;
  request?: PlannedHttpRequest | null;
}

export interface StoredRun {
  id: string;
  workflowId: string;
  workflowVersion: number | null;
  workflowName: string;
  /** Null when the run's workflow version is saved (look it up there). */
  document: unknown;
  mode: RunMode;
  dryRun: boolean;
  status: RunStatus;
  trigger: unknown;
  eventId: number | null;
  depth: number;
  startedAt: string;
  finishedAt: string | null;
  resumeAt: string | null;
  error: string | null;
  summary: { changes: RecordDiff[]; requests: PlannedHttpRequest[] } | null;
}

interface RunRow {
  id: string;
  workflow_id: string;
  workflow_version: number | null;
  workflow_name: string;
  document: string | null;
  mode: RunMode;
  dry_run: number;
  status: RunStatus;
  trigger: string;
  event_id: number | null;
  depth: number;
  started_at: string;
  finished_at: string | null;
  resume_at: string | null;
  error: string | null;
  summary: string | null;
}

interface StepRow {
  id: number;
  run_id: string;
  step_key: string;
  node_id: string;
  attempt: number;
  status: StepStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  ports: string | null;
  started_at: string;
  duration_ms: number | null;
  resume_at: string | null;
  simulated: number;
  changes: string | null;
  request: string | null;
}

/** Repeats the partial index's condition, so SQLite sees it may use the index. */
const ACTIVE = "status IN ('queued', 'running', 'waiting')";

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(s: string | null): T | undefined => (s === null ? undefined : (JSON.parse(s) as T));

/** Nearly every step follows just "main". */
const portsJson = (ports: string[] | null | undefined): string | null =>
  ports?.length === 1 && ports[0] === 'main' ? '["main"]' : json(ports);

/**
 * Stored as a trigger step's output instead of a second copy of the run's trigger event (which the
 * run row already holds). Not valid JSON, so no serialised output can look like it.
 */
const SAME_AS_TRIGGER = '=trigger';

/** Serialised workflow documents, per document object: runs of one unsaved document share it. */
const documents = new WeakMap<object, string>();
function documentJson(doc: unknown): string {
  if (typeof doc !== 'object' || doc === null) return JSON.stringify(doc);
  let text = documents.get(doc);
  if (text === undefined) {
    text = JSON.stringify(doc);
    documents.set(doc, text);
  }
  return text;
}

export interface RunFilter {
  workflowId?: string;
  status?: RunStatus;
  mode?: RunMode;
  since?: string;
  limit?: number;
  offset?: number;
}

export class RunJournal {
  private readonly insertRun;
  private readonly insertStep;
  private readonly updateStep;
  private readonly updateRun;
  private readonly selectRun;
  private readonly selectSteps;
  private readonly selectTrigger;
  private readonly updateStatus;

  constructor(private readonly db: Db) {
    this.selectRun = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.selectSteps = db.prepare('SELECT * FROM step_attempts WHERE run_id = ? ORDER BY id');
    this.selectTrigger = db.prepare('SELECT trigger FROM runs WHERE id = ?').pluck();
    this.updateStatus = db.prepare('UPDATE runs SET status = ? WHERE id = ?');
    this.insertRun = db.prepare(
      `INSERT INTO runs (id, workflow_id, workflow_version, workflow_name, document, mode, dry_run, status, trigger, event_id, depth, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Positional parameters bind faster than named ones on this hot path.
    this.insertStep = db.prepare(
      `INSERT INTO step_attempts (run_id, step_key, node_id, attempt, status, input, output, error, ports, started_at, duration_ms, resume_at, simulated, changes, request)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateStep = db.prepare(
      `UPDATE step_attempts SET status = ?, output = ?, error = ?, ports = ?, duration_ms = ?, resume_at = ?, simulated = ?, changes = ?, request = ?
       WHERE id = ?`,
    );
    this.updateRun = db.prepare(
      'UPDATE runs SET status = ?, finished_at = ?, resume_at = ?, error = ?, summary = COALESCE(?, summary) WHERE id = ?',
    );
  }

  startRun(run: NewRun): void {
    this.insertRun.run(
      run.id,
      run.workflowId,
      run.workflowVersion,
      run.workflowName,
      run.workflowVersion === null ? documentJson(run.document) : null,
      run.mode,
      run.dryRun ? 1 : 0,
      run.status,
      JSON.stringify(run.trigger),
      run.eventId ?? null,
      run.depth,
      run.startedAt,
    );
  }

  /** Inserts a step attempt row; returns its id (to finish it later when it was written as running). */
  recordStep(runId: string, step: StepRecord): number {
    return this.insert(runId, step, json(step.output));
  }

  /** A trigger step, whose output is the run's trigger event: the row points at the run's copy. */
  recordTriggerStep(runId: string, step: StepRecord): number {
    return this.insert(runId, step, SAME_AS_TRIGGER);
  }

  private insert(runId: string, s: StepRecord, output: string | null): number {
    const result = this.insertStep.run(
      runId,
      s.key,
      s.nodeId,
      s.attempt,
      s.status,
      json(s.input),
      output,
      s.error ?? null,
      portsJson(s.ports),
      s.startedAt,
      s.durationMs ?? null,
      s.resumeAt ?? null,
      s.simulated ? 1 : 0,
      json(s.changes),
      json(s.request),
    );
    return Number(result.lastInsertRowid);
  }

  finishStep(id: number, s: StepRecord): void {
    this.updateStep.run(
      s.status,
      json(s.output),
      s.error ?? null,
      portsJson(s.ports),
      s.durationMs ?? null,
      s.resumeAt ?? null,
      s.simulated ? 1 : 0,
      json(s.changes),
      json(s.request),
      id,
    );
  }

  finishRun(
    id: string,
    update: {
      status: RunStatus;
      finishedAt?: string | null;
      resumeAt?: string | null;
      error?: string | null;
      summary?: StoredRun['summary'];
    },
  ): void {
    this.updateRun.run(update.status, update.finishedAt ?? null, update.resumeAt ?? null, update.error ?? null, json(update.summary), id);
  }

  getRun(id: string): StoredRun | undefined {
    const row = this.selectRun.get(id) as RunRow | undefined;
    return row ? toStoredRun(row) : undefined;
  }

  /** Every attempt of every step of a run, oldest first. */
  steps(runId: string): (StepRecord & { id: number })[] {
    const rows = this.selectSteps.all(runId) as StepRow[];
    let trigger: string | undefined;
    const output = (text: string | null): unknown => {
      if (text !== SAME_AS_TRIGGER) return parse(text);
      trigger ??= this.selectTrigger.get(runId) as string;
      return JSON.parse(trigger);
    };
    return rows.map((r) => ({
      id: r.id,
      key: r.step_key,
      nodeId: r.node_id,
      attempt: r.attempt,
      status: r.status,
      input: parse(r.input),
      output: output(r.output),
      error: r.error,
      ports: parse<string[]>(r.ports) ?? null,
      startedAt: r.started_at,
      durationMs: r.duration_ms,
      resumeAt: r.resume_at,
      simulated: r.simulated === 1,
      changes: parse<RecordDiff[]>(r.changes) ?? null,
      request: parse<PlannedHttpRequest>(r.request) ?? null,
    }));
  }

  /** The run as the CLI and UI show it. */
  result(id: string, nodeInfo: NodeInfo): RunResult | undefined {
    const run = this.getRun(id);
    return run ? buildRunResult(run, this.steps(id), nodeInfo) : undefined;
  }

  list(filter: RunFilter = {}): RunSummary[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 50, offset: filter.offset ?? 0 };
    const conditions: [keyof RunFilter, string][] = [
      ['workflowId', 'workflow_id = @workflowId'],
      ['status', 'status = @status'],
      ['mode', 'mode = @mode'],
      ['since', 'started_at >= @since'],
    ];
    for (const [key, sql] of conditions) {
      if (filter[key] === undefined) continue;
      where.push(sql);
      params[key] = filter[key];
    }
    const sql = `SELECT id, workflow_id, workflow_name, mode, dry_run, status, started_at, finished_at, error FROM runs
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid DESC LIMIT @limit OFFSET @offset`;
    return (this.db.prepare(sql).all(params) as RunRow[]).map((r) => ({
      runId: r.id,
      workflowId: r.workflow_id,
      workflowName: r.workflow_name,
      mode: r.mode,
      dryRun: r.dry_run === 1,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      error: r.error,
    }));
  }

  /**
   * Per workflow (or for one): its latest real (not dry) run and how many real runs failed or need
   * review, for the workflow list. Test runs are left out: they say nothing about how the automation is doing.
   */
  summaryByWorkflow(workflowId?: string): Map<string, WorkflowRunSummary> {
    const rows = this.db
      .prepare(
        `SELECT workflow_id, MAX(started_at) AS last_run_at,
           (SELECT r2.status FROM runs r2 WHERE r2.workflow_id = r.workflow_id AND r2.dry_run = 0
              ORDER BY r2.started_at DESC, r2.rowid DESC LIMIT 1) AS last_run_status,
           SUM(CASE WHEN status IN ('failed', 'needs_review') THEN 1 ELSE 0 END) AS error_count
         FROM runs r WHERE dry_run = 0 ${workflowId === undefined ? '' : 'AND workflow_id = @workflowId'} GROUP BY workflow_id`,
      )
      .all(workflowId === undefined ? {} : { workflowId }) as {
      workflow_id: string;
      last_run_at: string;
      last_run_status: RunStatus;
      error_count: number;
    }[];
    return new Map(
      rows.map((r) => [r.workflow_id, { lastRunAt: r.last_run_at, lastRunStatus: r.last_run_status, errorCount: r.error_count }]),
    );
  }

  /** Runs a crash interrupted: they resume from their journal. */
  interrupted(): string[] {
    return (
      this.db.prepare(`SELECT id FROM runs WHERE ${ACTIVE} AND status IN ('queued', 'running') ORDER BY started_at`).all() as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  /** Waiting runs whose time has come. */
  dueWaits(now: string): string[] {
    return (
      this.db.prepare(`SELECT id FROM runs WHERE ${ACTIVE} AND status = 'waiting' AND resume_at <= ? ORDER BY resume_at`).all(now) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  nextWait(): string | undefined {
    const row = this.db.prepare(`SELECT MIN(resume_at) AS at FROM runs WHERE ${ACTIVE} AND status = 'waiting'`).get() as {
      at: string | null;
    };
    return row.at ?? undefined;
  }

  setStatus(id: string, status: RunStatus): void {
    this.updateStatus.run(status, id);
  }
}

export interface WorkflowRunSummary {
  lastRunAt: string;
  lastRunStatus: RunStatus;
  errorCount: number;
}

export type NodeInfo = (nodeId: string) => { name: string; type: string };

/** The last attempt of each step, in the order the steps first ran. */
export function buildRunResult(run: StoredRun, attempts: Iterable<StepRecord>, nodeInfo: NodeInfo): RunResult {
  const last = new Map<string, StepRecord>();
  for (const step of attempts) {
    // Re-inserting keeps a key at its first position in a Map, so order follows first runs.
    last.set(step.key, step);
  }
  const steps: StepResult[] = [];
  for (const s of last.values()) {
    const info = nodeInfo(s.nodeId);
    // Optional keys are added in place, in this order (conditional spreads are slow in V8).
    const step: StepResult = {
      key: s.key,
      nodeId: s.nodeId,
      name: info.name,
      type: info.type,
      status: s.status,
      attempts: s.attempt,
      input: s.input,
      output: s.output,
    } as StepResult;
    if (s.error) step.error = s.error;
    if (s.ports) step.ports = s.ports;
    step.startedAt = s.startedAt;
    step.durationMs = s.durationMs ?? 0;
    if (s.simulated) step.simulated = true;
    if (s.changes) step.changes = s.changes;
    if (s.request) step.request = s.request;
    steps.push(step);
  }
  return {
    runId: run.id,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    workflowName: run.workflowName,
    mode: run.mode,
    dryRun: run.dryRun,
    status: run.status,
    trigger: run.trigger,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    resumeAt: run.resumeAt,
    error: run.error,
    steps,
    changes: run.summary?.changes ?? [],
    requests: run.summary?.requests ?? [],
  };
}

function toStoredRun(r: RunRow): StoredRun {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    workflowVersion: r.workflow_version,
    workflowName: r.workflow_name,
    document: r.document === null ? null : JSON.parse(r.document),
    mode: r.mode,
    dryRun: r.dry_run === 1,
    status: r.status,
    trigger: JSON.parse(r.trigger),
    eventId: r.event_id,
    depth: r.depth,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    resumeAt: r.resume_at,
    error: r.error,
    summary: parse<StoredRun['summary']>(r.summary) ?? null,
  };
}
