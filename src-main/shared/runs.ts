/** Run results as the CLI and the UI show them. Isomorphic. */

export type RunMode = 'live' | 'test';
export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'needs_review' | 'cancelled';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** One CRM row a (dry) run created, changed or deleted: its state before and after the whole run. */
export interface RecordDiff {
  entity: string;
  id: string;
  op: 'create' | 'update' | 'delete';
  /** The row's title, name or email, to show which row it is. */
  label?: string;
  /** Full rows in dry runs; live runs journal only the changed fields. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  fields: FieldChange[];
}

export interface PlannedHttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface StepResult {
  /** Node id, plus the iteration path inside "For each" loops (e.g. `task#2`). */
  key: string;
  nodeId: string;
  name: string;
  type: string;
  status: StepStatus;
  attempts: number;
  input?: unknown;
  output?: unknown;
  error?: string;
  /** Output ports this step followed (branches). */
  ports?: string[];
  startedAt: string;
  durationMs: number;
  /** Dry run: the output is simulated (a remote write that was not sent). */
  simulated?: boolean;
  changes?: RecordDiff[];
  request?: PlannedHttpRequest;
}

export interface RunResult {
  runId: string;
  workflowId: string;
  workflowVersion: number | null;
  workflowName: string;
  mode: RunMode;
  dryRun: boolean;
  status: RunStatus;
  trigger: unknown;
  startedAt: string;
  finishedAt: string | null;
  /** When a waiting run resumes. */
  resumeAt?: string | null;
  error?: string | null;
  steps: StepResult[];
  /** Dry run: every planned CRM change, one entry per row with its before/after over the whole run. */
  changes: RecordDiff[];
  /** Dry run: every remote request that would have been sent (secrets redacted). */
  requests: PlannedHttpRequest[];
}

export interface RunSummary {
  runId: string;
  workflowId: string;
  workflowName: string;
  mode: RunMode;
  dryRun: boolean;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}
