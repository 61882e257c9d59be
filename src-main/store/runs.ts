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

  constructor(private readonly db: Db) {
    this.selectRun = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.selectSteps = db.prepare('SELECT * FROM step_attempts WHERE run_id = ? ORDER BY id');
    this.insertRun = db.prepare(
      `INSERT INTO runs (id, workflow_id, workflow_version, workflow_name, document, mode, dry_run, status, trigger, event_id, depth, started_at)
       VALUES (@id, @workflowId, @workflowVersion, @workflowName, @document, @mode, @dryRun, @status, @trigger, @eventId, @depth, @startedAt)`,
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
      'UPDATE runs SET status = @status, finished_at = @finishedAt, resume_at = @resumeAt, error = @error, summary = COALESCE(@summary, summary) WHERE id = @id',
    );
  }

  startRun(run: NewRun): void {
    this.insertRun.run({
      ...run,
      document: run.workflowVersion === null ? JSON.stringify(run.document) : null,
      dryRun: run.dryRun ? 1 : 0,
      trigger: JSON.stringify(run.trigger),
      eventId: run.eventId ?? null,
    });
  }

  /** Inserts a step attempt row; returns its id (to finish it later when it was written as running). */
  recordStep(runId: string, step: StepRecord): number {
    const p = this.stepParams(step);
    const result = this.insertStep.run(
      runId,
      step.key,
      step.nodeId,
      step.attempt,
      p.status,
      json(step.input),
      p.output,
      p.error,
      p.ports,
      step.startedAt,
      p.durationMs,
      p.resumeAt,
      p.simulated,
      p.changes,
      p.request,
    );
    return Number(result.lastInsertRowid);
  }

  finishStep(id: number, step: StepRecord): void {
    const p = this.stepParams(step);
    this.updateStep.run(p.status, p.output, p.error, p.ports, p.durationMs, p.resumeAt, p.simulated, p.changes, p.request, id);
  }

  private stepParams(s: StepRecord) {
    return {
      status: s.status,
      output: json(s.output),
      error: s.error ?? null,
      ports: json(s.ports),
      durationMs: s.durationMs ?? null,
      resumeAt: s.resumeAt ?? null,
      simulated: s.simulated ? 1 : 0,
      changes: json(s.changes),
      request: json(s.request),
    };
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
    this.updateRun.run({
      id,
      status: update.status,
      finishedAt: update.finishedAt ?? null,
      resumeAt: update.resumeAt ?? null,
      error: update.error ?? null,
      summary: json(update.summary),
    });
  }

  getRun(id: string): StoredRun | undefined {
    const row = this.selectRun.get(id) as RunRow | undefined;
    return row ? toStoredRun(row) : undefined;
  }

  /** Every attempt of every step of a run, oldest first. */
  steps(runId: string): (StepRecord & { id: number })[] {
    const rows = this.selectSteps.all(runId) as StepRow[];
    return rows.map((r) => ({
      id: r.id,
      key: r.step_key,
      nodeId: r.node_id,
      attempt: r.attempt,
      status: r.status,
      input: parse(r.input),
      output: parse(r.output),
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
    this.db.prepare('UPDATE runs SET status = ? WHERE id = ?').run(status, id);
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
  const steps: StepResult[] = [...last.values()].map((s) => {
    const info = nodeInfo(s.nodeId);
    return {
      key: s.key,
      nodeId: s.nodeId,
      name: info.name,
      type: info.type,
      status: s.status,
      attempts: s.attempt,
      input: s.input,
      output: s.output,
      ...(s.error ? { error: s.error } : {}),
      ...(s.ports ? { ports: s.ports } : {}),
      startedAt: s.startedAt,
      durationMs: s.durationMs ?? 0,
      ...(s.simulated ? { simulated: true } : {}),
      ...(s.changes ? { changes: s.changes } : {}),
      ...(s.request ? { request: s.request } : {}),
    };
  });
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
