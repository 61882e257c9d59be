import type { ZodError } from 'zod';
import type { ActionDefinition, PlannedRequest, ResolvedConnection, RunContext, TriggerEvent } from '../connectors/define.ts';
import type { ConnectorRegistry, ResolvedNode } from '../connectors/index.ts';
import type { PlannedHttpRequest, RunMode, RunResult, RunStatus, StepStatus } from '../shared/runs.ts';
import { nodeLabel, type RetryPolicy, type Workflow, type WorkflowNode } from '../shared/workflow.ts';
import { CommitGroup } from '../store/commit-group.ts';
import { type ChangeCause, type CrmChange, type CrmStore, isoTime } from '../store/crm.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { buildRunResult, type NodeInfo, type RunJournal, type StepRecord, type StoredRun } from '../store/runs.ts';
import { createDryRunCrm, type DryRunCrm, summarizeChanges } from './dry-run.ts';
import { renderDeep, type Scope } from './expressions.ts';
import { type ExecutionPlan, executionPlan } from './graph.ts';
import { DEFAULT_RETRY, isRetryable, retryDelay, sleep } from './retry.ts';

export interface EngineDeps {
  db: Db;
  crm: CrmStore;
  journal: RunJournal;
  registry: ConnectorRegistry;
  now?: () => Date;
  /** Credentials for a node's connection alias; resolved in the main process only. */
  resolveConnection?: (workflow: Workflow, node: WorkflowNode) => ResolvedConnection | undefined;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The connection's group commit (shared with the webhook receiver); default: the engine's own. */
  commits?: CommitGroup;
}

export interface RunOptions {
  dryRun?: boolean;
  mode?: RunMode;
  /** The saved version being run; null for a document that is not saved. */
  workflowVersion?: number | null;
  eventId?: number | null;
  /** How many runs caused the event that starts this one (loop guard). */
  depth?: number;
  runId?: string;
}

/** A failure whose attempt row is already journaled. */
class JournaledFailure {
  constructor(readonly cause: unknown) {}
}
/** Ends the run as waiting (a Wait step) — not an error. */
class Suspend {
  constructor(readonly resumeAt: string) {}
}
/** Ends the run as failed or needing review; the step row is already journaled. */
class RunHalt {
  constructor(
    readonly status: RunStatus,
    readonly message: string,
  ) {}
}

interface StepOutcome {
  status: StepStatus;
  output: unknown;
  ports: string[];
}

interface RunState {
  id: string;
  plan: ExecutionPlan;
  workflow: Workflow;
  event: TriggerEvent;
  dryRun: boolean;
  depth: number;
  startedAt: string;
  crm: CrmStore;
  dry?: DryRunCrm;
  /** Last journaled attempt per step key, from a previous attempt of this run (resume). */
  journaled: Map<string, StepRecord>;
  /** Every attempt journaled before this execution (resume), oldest first. */
  earlier: StepRecord[];
  /** The run's name as journaled when it started. */
  workflowName: string;
  requests: PlannedHttpRequest[];
  /** Step attempts journaled by this execution, in order (the run result is built from them). */
  log: StepRecord[];
  resumed: boolean;
  mode: RunMode;
  workflowVersion: number | null;
  signal: AbortSignal;
  /** What this run's writes are caused by (loop guard); one object for all its steps. */
  cause: ChangeCause;
}

const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown>)?.then === 'function';

export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray((err as ZodError).issues)) {
    return (err as ZodError).issues
      .map((i) => `${i.path.length ? `field "${i.path.join('.')}" ` : ''}${i.message.charAt(0).toLowerCase()}${i.message.slice(1)}`)
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs workflows: one event, one run. Every run and step attempt is journaled; a local-store write
 * commits with its journal row; waits suspend the run and `resume` continues it, as does a restart
 * after a crash (completed steps are replayed from the journal, never executed twice).
 */
export class Engine {
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly abort = new AbortController();
  /** Changes the live CRM reports while a step runs (its writes are synchronous). */
  private liveChangeSink: CrmChange[] | null = null;
  /** Shared with the webhook receiver, so an event's ack and nearby runs' steps share one commit. */
  private readonly commits: CommitGroup;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? sleep;
    this.commits = deps.commits ?? new CommitGroup(deps.db);
  }

  /** Wire the live CrmStore's `onChange` here so live runs journal what each step changed. */
  readonly onLiveChange = (change: CrmChange): void => {
    this.liveChangeSink?.push(change);
  };

  private record(state: RunState, step: StepRecord): number {
    this.commits.begin();
    state.log.push(step);
    return this.deps.journal.recordStep(state.id, step);
  }

  private finishRecord(state: RunState, id: number, step: StepRecord): void {
    this.commits.begin();
    state.log.push(step);
    this.deps.journal.finishStep(id, step);
  }

  /** Awaits a value only when it really is a promise, committing the batch first. */
  private async settle<T>(value: T | Promise<T>): Promise<T> {
    if (!isPromise(value)) return value;
    this.commits.commit();
    return await value;
  }

  stop(): void {
    this.abort.abort(new Error('Pipewright is shutting down.'));
    this.commits.commit();
  }

  async run(workflow: Workflow, event: TriggerEvent, options: RunOptions = {}): Promise<RunResult> {
    const plan = executionPlan(workflow, this.deps.registry);
    const dryRun = options.dryRun ?? false;
    const state = this.newState(
      plan,
      event,
      options.runId ?? newId(),
      dryRun,
      options.depth ?? 0,
      isoTime(this.now()),
      false,
      options.mode ?? (dryRun ? 'test' : 'live'),
      options.workflowVersion ?? null,
    );
    this.commits.begin();
    this.deps.journal.startRun({
      id: state.id,
      workflowId: workflow.id,
      workflowVersion: state.workflowVersion,
      workflowName: workflow.name,
      document: workflow,
      mode: state.mode,
      dryRun,
      status: 'running',
      trigger: event,
      eventId: options.eventId ?? null,
      depth: state.depth,
      startedAt: state.startedAt,
    });
    return this.execute(state);
  }

  /** Continues a run from its journal: after a wait, or after a crash interrupted it. */
  async resume(
    runId: string,
    loadWorkflow: (id: string, version: number) => Workflow | undefined,
    options: { retry?: boolean } = {},
  ): Promise<RunResult> {
    const stored = this.deps.journal.getRun(runId);
    if (!stored) throw new Error(`There is no run "${runId}".`);
    const workflow =
      stored.workflowVersion === null ? (stored.document as Workflow) : loadWorkflow(stored.workflowId, stored.workflowVersion);
    if (!workflow) throw new Error(`Run ${runId}: its workflow version is gone.`);
    const retryable = stored.status === 'failed' || stored.status === 'needs_review';
    if (options.retry && (!retryable || stored.dryRun)) {
      throw new Error(
        stored.dryRun
          ? 'A test run cannot be retried; test the workflow again.'
          : `Only a failed run can be retried; this one ${stored.status}.`,
      );
    }
    // A finished run is never executed again, however it was reached.
    if (!options.retry && !['queued', 'running', 'waiting'].includes(stored.status)) return this.result(runId, workflow);
    if (stored.dryRun) {
      // The throw-away CRM copy of a test run did not survive; report it rather than guess.
      this.deps.journal.finishRun(runId, {
        status: 'failed',
        finishedAt: this.now().toISOString(),
        error: 'The test run was interrupted; start it again.',
      });
      return this.result(runId, workflow);
    }
    const plan = executionPlan(workflow, this.deps.registry);
    const state = this.newState(
      plan,
      stored.trigger as TriggerEvent,
      runId,
      false,
      stored.depth,
      stored.startedAt,
      true,
      stored.mode,
      stored.workflowVersion,
    );
    state.workflowName = stored.workflowName;
    state.earlier = this.deps.journal.steps(runId);
    for (const step of state.earlier) state.journaled.set(step.key, step);
    this.commits.begin();
    if (options.retry) this.markInDoubtSteps(state);
    this.deps.journal.setStatus(runId, 'running');
    return this.execute(state);
  }

  /** Retrying a run that needs review means the user checked the in-doubt write: it is tried again. */
  private markInDoubtSteps(state: RunState): void {
    for (const [key, step] of state.journaled) {
      if (step.status !== 'running') continue;
      const failed: StepRecord = { ...step, status: 'failed', error: 'Outcome unknown; retried after review.' };
      this.record(state, failed);
      state.journaled.set(key, failed);
    }
  }

  result(runId: string, workflow: Workflow): RunResult {
    const result = this.deps.journal.result(runId, nodeInfoOf(workflow));
    if (!result) throw new Error(`There is no run "${runId}".`);
    return result;
  }

  // Plain parameters and one literal: spreading into an object with more properties is slow in V8.
  private newState(
    plan: ExecutionPlan,
    event: TriggerEvent,
    id: string,
    dryRun: boolean,
    depth: number,
    startedAt: string,
    resumed: boolean,
    mode: RunMode,
    workflowVersion: number | null,
  ): RunState {
    // The copy is read through another connection: it must see everything written so far.
    if (dryRun) this.commits.commit();
    const dry = dryRun ? createDryRunCrm(this.deps.db, this.now) : undefined;
    return {
      id,
      plan,
      workflow: plan.workflow,
      event,
      dryRun,
      depth,
      startedAt,
      crm: dry?.crm ?? this.deps.crm,
      dry,
      journaled: new Map(),
      earlier: [],
      workflowName: plan.workflow.name,
      requests: [],
      log: [],
      resumed,
      mode,
      workflowVersion,
      signal: this.abort.signal,
      cause: { runId: id, workflowId: plan.workflow.id, depth: depth + 1 },
    };
  }

  private async execute(state: RunState): Promise<RunResult> {
    const scope: Scope = {
      trigger: state.event,
      steps: {},
      run: { id: state.id, startedAt: state.startedAt, dryRun: state.dryRun },
      workflow: { id: state.workflow.id, name: state.workflow.name },
    };
    let status: RunStatus = 'succeeded';
    let error: string | null = null;
    let resumeAt: string | null = null;
    try {
      await this.runScope(state, '', '', scope, []);
    } catch (err) {
      if (err instanceof Suspend) {
        status = 'waiting';
        resumeAt = err.resumeAt;
      } else if (err instanceof RunHalt) {
        status = err.status;
        error = err.message;
      } else {
        status = 'failed';
        error = describeError(err);
      }
    } finally {
      state.dry?.close();
    }
    const summary = state.dry ? { changes: summarizeChanges(state.dry.changes), requests: state.requests } : null;
    const finishedAt = status === 'waiting' ? null : isoTime(this.now());
    this.commits.begin();
    this.deps.journal.finishRun(state.id, { status, finishedAt, resumeAt, error, summary });
    if (state.dryRun || status !== 'succeeded') this.commits.commit();
    else this.commits.commitIfDue();
    const stored: StoredRun = {
      id: state.id,
      workflowId: state.workflow.id,
      workflowVersion: state.workflowVersion,
      workflowName: state.workflowName,
      document: null,
      mode: state.mode,
      dryRun: state.dryRun,
      trigger: state.event,
      eventId: null,
      depth: state.depth,
      startedAt: state.startedAt,
      status,
      finishedAt,
      resumeAt,
      error,
      summary,
    };
    // Built from memory: the attempts journaled before this execution, then this execution's.
    const attempts = state.earlier.length ? [...state.earlier, ...state.log] : state.log;
    return buildRunResult(stored, attempts, nodeInfoOf(state.workflow));
  }

  /**
   * Runs the nodes of one scope in order. A node runs when an edge into it carries a port its
   * source fired; otherwise it is skipped. `outer` holds the fired ports of enclosing scopes.
   */
  private async runScope(state: RunState, owner: string, suffix: string, scope: Scope, outer: Map<string, string[]>[]): Promise<void> {
    const fired = new Map<string, string[]>();
    const chain = [fired, ...outer];
    for (const nodeId of state.plan.scopes.get(owner) ?? []) {
      const node = state.plan.nodes.get(nodeId) as WorkflowNode;
      const key = nodeId + suffix;
      const active =
        nodeId === state.plan.triggerId ||
        (state.plan.incoming.get(nodeId) ?? []).some((e) => {
          const port = e.port ?? 'main';
          if (e.from === owner) return port === 'each';
          return chain.some((m) => m.get(e.from)?.includes(port));
        });
      if (!active) {
        this.skip(state, node, key);
        continue;
      }
      const outcome = await this.runNode(state, node, key, scope);
      this.commits.commitIfDue();
      (scope.steps as Record<string, unknown>)[nodeId] = { output: outcome.output, status: outcome.status };
      const resolved = state.plan.resolved.get(nodeId);
      if (resolved?.kind === 'action' && resolved.action.flow === 'loop' && outcome.status === 'succeeded') {
        const items = (outcome.output as { items: unknown[] }).items;
        for (const [index, item] of items.entries()) {
          const loop = { item, index, count: items.length, first: index === 0, last: index === items.length - 1 };
          await this.runScope(state, nodeId, `${suffix}#${index}`, { ...scope, steps: { ...(scope.steps as object) }, loop }, chain);
        }
        fired.set(nodeId, ['done']);
      } else {
        fired.set(nodeId, outcome.ports);
      }
    }
  }

  private skip(state: RunState, node: WorkflowNode, key: string): void {
    if (state.journaled.get(key)) return;
    this.record(state, { key, nodeId: node.id, attempt: 1, status: 'skipped', startedAt: isoTime(this.now()), durationMs: 0 });
  }

  private async runNode(state: RunState, node: WorkflowNode, key: string, scope: Scope): Promise<StepOutcome> {
    const resolved = state.plan.resolved.get(node.id) as ResolvedNode;
    const previous = state.journaled.get(key);
    // Replayed from the journal: done steps, and failures the run went on from (continue / error path).
    const handledFailure = previous?.status === 'failed' && (previous.ports?.length ?? 0) > 0;
    if (previous && (previous.status === 'succeeded' || previous.status === 'skipped' || handledFailure)) {
      return { status: previous.status, output: previous.output, ports: previous.ports ?? [] };
    }
    if (resolved.kind === 'trigger') {
      const step: StepRecord = {
        key,
        nodeId: node.id,
        attempt: 1,
        status: 'succeeded',
        output: state.event,
        ports: ['main'],
        startedAt: state.startedAt,
        durationMs: 0,
      };
      this.commits.begin();
      state.log.push(step);
      // The run row holds the event already: the step row refers to it rather than repeating it.
      this.deps.journal.recordTriggerStep(state.id, step);
      return { status: 'succeeded', output: state.event, ports: ['main'] };
    }
    if (node.disabled) {
      this.record(state, {
        key,
        nodeId: node.id,
        attempt: 1,
        status: 'skipped',
        ports: ['main'],
        startedAt: this.now().toISOString(),
        durationMs: 0,
      });
      return { status: 'skipped', output: null, ports: ['main'] };
    }
    const action = resolved.action;
    if (previous?.status === 'waiting') return this.continueWait(state, node, key, previous);
    if (previous?.status === 'running' && action.effect === 'write' && !action.transactional && !action.retrySafe) {
      throw new RunHalt(
        'needs_review',
        `Step ${nodeLabel(node)} was sending a change when Pipewright stopped, and it cannot tell whether the change was made. Check ${resolved.connector.name} and retry or dismiss this run.`,
      );
    }
    return this.attemptAction(state, node, key, scope, action, (previous?.attempt ?? 0) + 1);
  }

  private continueWait(state: RunState, node: WorkflowNode, key: string, previous: StepRecord): StepOutcome {
    const resumeAt = previous.resumeAt ?? this.now().toISOString();
    if (Date.parse(resumeAt) > this.now().getTime()) throw new Suspend(resumeAt);
    const output = { resumeAt, resumedAt: this.now().toISOString() };
    this.record(state, {
      key,
      nodeId: node.id,
      attempt: previous.attempt,
      status: 'succeeded',
      output,
      ports: ['main'],
      startedAt: previous.startedAt,
      durationMs: Date.parse(output.resumedAt) - Date.parse(previous.startedAt),
    });
    return { status: 'succeeded', output, ports: ['main'] };
  }

  private retryPolicy(state: RunState, node: WorkflowNode): RetryPolicy {
    return Object.assign({}, DEFAULT_RETRY, state.workflow.settings.retry, node.retry);
  }

  private async attemptAction(
    state: RunState,
    node: WorkflowNode,
    key: string,
    scope: Scope,
    action: ActionDefinition,
    firstAttempt: number,
  ): Promise<StepOutcome> {
    const policy = this.retryPolicy(state, node);
    for (let attempt = firstAttempt; ; attempt++) {
      const started = performance.now();
      const base: AttemptBase = { key, nodeId: node.id, attempt, startedAt: isoTime(this.now()) };
      let input: unknown;
      try {
        input = this.renderInput(state, node, action, scope);
        return await this.invoke(state, node, action, scope, input, base, started);
      } catch (err) {
        if (err instanceof Suspend || err instanceof RunHalt) throw err;
        const cause = err instanceof JournaledFailure ? err.cause : err;
        const message = describeError(cause);
        if (!(err instanceof JournaledFailure)) {
          this.record(state, attemptRecord(base, 'failed', input, { error: message, durationMs: performance.now() - started }));
        }
        if (isRetryable(cause) && attempt < policy.maxAttempts && !state.signal.aborted) {
          this.commits.commit();
          await this.sleep(retryDelay(attempt, policy, cause), state.signal);
          continue;
        }
        return this.handleFailure(state, node, key, message);
      }
    }
  }

  private handleFailure(state: RunState, node: WorkflowNode, key: string, message: string): StepOutcome {
    const output = { error: message };
    if (node.onError === 'continue' || node.onError === 'errorPort') {
      const ports = node.onError === 'continue' ? ['main'] : ['error'];
      // The failed attempt is journaled; this row records how the run went on.
      this.record(state, {
        key,
        nodeId: node.id,
        attempt: 0,
        status: 'failed',
        output,
        error: message,
        ports,
        startedAt: this.now().toISOString(),
        durationMs: 0,
      });
      return { status: 'failed', output, ports };
    }
    throw new RunHalt('failed', `Step ${nodeLabel(node)} failed: ${message}`);
  }

  private renderInput(state: RunState, node: WorkflowNode, action: ActionDefinition, scope: Scope): unknown {
    const raw = action.rawParams;
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node.params)) {
      params[k] = raw?.includes(k) ? v : renderDeep(v, scope, state.workflow.settings.timezone);
    }
    return params;
  }

  private context(state: RunState, node: WorkflowNode, input: unknown, scope: Scope, route: string[]): RunContext<unknown> {
    return {
      input,
      crm: state.crm,
      dryRun: state.dryRun,
      cause: state.cause,
      workflow: { id: state.workflow.id, name: state.workflow.name, timezone: state.workflow.settings.timezone },
      run: { id: state.id, startedAt: state.startedAt },
      node: { id: node.id, name: node.name ?? node.id, type: node.type },
      connection: node.connection ? this.deps.resolveConnection?.(state.workflow, node) : undefined,
      scope,
      signal: state.signal,
      now: this.now,
      route: (...ports) => {
        route.push(...ports);
      },
    };
  }

  private async invoke(
    state: RunState,
    node: WorkflowNode,
    action: ActionDefinition,
    scope: Scope,
    rendered: unknown,
    base: AttemptBase,
    started: number,
  ): Promise<StepOutcome> {
    const parsed = action.input.safeParse(rendered);
    if (!parsed.success) throw new Error(explainInputError(parsed.error, node.params, rendered));
    const input = parsed.data;
    const route: string[] = [];
    const ctx = this.context(state, node, input, scope, route);

    if (action.transactional) return this.invokeLocal(state, node, action, ctx, route, base, started);

    const remoteWrite = action.effect === 'write';
    if (remoteWrite && state.dryRun) {
      const planned = action.plan ? await this.settle(action.plan(ctx)) : { request: undefined, output: action.sample };
      const request = planned.request ? redact(planned.request, ctx.connection) : undefined;
      if (request) state.requests.push(request);
      this.record(
        state,
        attemptRecord(base, 'succeeded', input, {
          output: planned.output,
          ports: ['main'],
          simulated: true,
          request,
          durationMs: performance.now() - started,
        }),
      );
      return { status: 'succeeded', output: planned.output, ports: ['main'] };
    }

    // A remote write is journaled as running first: after a crash, its unknown outcome is seen.
    const rowId = remoteWrite ? this.record(state, attemptRecord(base, 'running', input, {})) : undefined;
    // The "running" row must be durable before the request leaves.
    if (rowId !== undefined) this.commits.commit();
    let output: unknown;
    try {
      output = await this.settle(action.run(ctx));
    } catch (err) {
      if (rowId === undefined) throw err;
      this.finishRecord(
        state,
        rowId,
        attemptRecord(base, 'failed', input, { error: describeError(err), durationMs: performance.now() - started }),
      );
      throw new JournaledFailure(err);
    }
    if (action.flow === 'wait') {
      const resumeAt = (output as { resumeAt: string }).resumeAt;
      if (!state.dryRun && Date.parse(resumeAt) > this.now().getTime()) {
        this.record(state, attemptRecord(base, 'waiting', input, { output, resumeAt, durationMs: performance.now() - started }));
        throw new Suspend(resumeAt);
      }
      // Test runs do not wait: the step shows when the run would have continued.
      const simulated = { ...(output as object), skippedInTest: state.dryRun };
      this.record(
        state,
        attemptRecord(base, 'succeeded', input, {
          output: simulated,
          ports: ['main'],
          simulated: state.dryRun,
          durationMs: performance.now() - started,
        }),
      );
      return { status: 'succeeded', output: simulated, ports: ['main'] };
    }
    const ports = action.flow === 'branch' ? route : ['main'];
    const record = attemptRecord(base, 'succeeded', input, { output, ports, durationMs: performance.now() - started });
    if (rowId === undefined) this.record(state, record);
    else this.finishRecord(state, rowId, record);
    return { status: 'succeeded', output, ports };
  }

  /** The local write, its events and its journal row commit together: exactly once. */
  private invokeLocal(
    state: RunState,
    node: WorkflowNode,
    action: ActionDefinition,
    ctx: RunContext<unknown>,
    route: string[],
    base: AttemptBase,
    started: number,
  ): StepOutcome {
    const dry = state.dry;
    const sink: CrmChange[] = dry ? dry.changes : [];
    const mark = sink.length;
    if (!dry) this.liveChangeSink = sink;
    this.commits.begin();
    try {
      return state.crm.transaction(() => {
        const output = state.crm.withCause(ctx.cause, () => action.run(ctx));
        if (isPromise(output)) throw new Error(`${node.type} must not be asynchronous.`);
        // The step's output already holds the new row: live runs keep just which rows changed and how.
        const changes = summarizeChanges(sink, mark, dry !== undefined);
        const ports = action.flow === 'branch' ? route : ['main'];
        this.record(
          state,
          attemptRecord(base, 'succeeded', ctx.input, { output, ports, durationMs: performance.now() - started, changes }),
        );
        return { status: 'succeeded' as const, output, ports };
      });
    } finally {
      this.liveChangeSink = null;
    }
  }
}

/** What every attempt row of a step attempt starts with. */
interface AttemptBase {
  key: string;
  nodeId: string;
  attempt: number;
  startedAt: string;
}

/** A step attempt's journal row (Object.assign: spreading into a larger literal is slow in V8). */
function attemptRecord(base: AttemptBase, status: StepStatus, input: unknown, rest: Partial<StepRecord>): StepRecord {
  return Object.assign(
    { key: base.key, nodeId: base.nodeId, attempt: base.attempt, status, input, startedAt: base.startedAt },
    rest,
  ) as StepRecord;
}

const nodeInfos = new WeakMap<Workflow, NodeInfo>();

function nodeInfoOf(workflow: Workflow): NodeInfo {
  let info = nodeInfos.get(workflow);
  if (!info) {
    const nodes = new Map(workflow.nodes.map((n) => [n.id, n]));
    info = (id) => ({ name: nodes.get(id)?.name ?? id, type: nodes.get(id)?.type ?? '' });
    nodeInfos.set(workflow, info);
  }
  return info;
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Says which field was wrong, and when a template filled it with nothing, which template. */
function explainInputError(error: ZodError, params: Record<string, unknown>, rendered: unknown): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      const raw = valueAt(params, issue.path);
      const value = valueAt(rendered, issue.path);
      if (typeof raw === 'string' && raw.includes('{{') && (value === undefined || value === null || value === '')) {
        return `field "${field}" is empty: ${JSON.stringify(raw)} gave no value for this event`;
      }
      const message = issue.message.replace(/\.$/, '');
      return `${field ? `field "${field}": ` : ''}${message.charAt(0).toLowerCase()}${message.slice(1)}`;
    })
    .join('; ');
}

const SECRET_HEADERS = /^(authorization|x-api-key|api-key|cookie|x-auth-token)$/i;

/** Planned requests are shown to people: never with a credential in them. */
export function redact(request: PlannedRequest, connection?: ResolvedConnection): PlannedHttpRequest {
  const headers = request.headers
    ? Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, SECRET_HEADERS.test(k) ? '••••••' : v]))
    : undefined;
  let out: PlannedHttpRequest = { ...request, ...(headers ? { headers } : {}) };
  if (connection?.secret) {
    const text = JSON.stringify(out).split(connection.secret).join('••••••');
    out = JSON.parse(text) as PlannedHttpRequest;
  }
  return out;
}
