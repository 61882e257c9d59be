import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectorDefinition, TriggerEvent } from './connectors/define.ts';
import { builtInConnectors, ConnectorRegistry } from './connectors/index.ts';
import { Activation, DEFAULT_POLL_SECONDS, type LiveSettings, type TriggerHookInfo } from './engine/activation.ts';
import { Dispatcher } from './engine/dispatcher.ts';
import { rememberingWrites } from './engine/echo-memory.ts';
import { DEFAULT_PAUSE_AFTER_FAILURES, FailureGuard } from './engine/failure-guard.ts';
import { InProcessQueue, type RunQueue } from './engine/queue.ts';
import { DEFAULT_KEEP_EVENTS_DAYS, InboxRetention } from './engine/retention.ts';
import { Engine } from './engine/runner.ts';
import { Scheduler } from './engine/scheduler.ts';
import { type Validation, validateWorkflow } from './engine/validate.ts';
import { type DeliveryHeaders, type IntakeAnswer, WebhookIntake } from './engine/webhook-intake.ts';
import type { ConnectionUser } from './shared/contract.ts';
import type { RunMode, RunResult, RunStatus } from './shared/runs.ts';
import { describeSchemaIssues, Workflow, type WorkflowIssue } from './shared/workflow.ts';
import { Checkpointer } from './store/checkpointer.ts';
import { CommitGroup } from './store/commit-group.ts';
import { ConnectionStore } from './store/connections.ts';
import { type CrmChange, CrmStore } from './store/crm.ts';
import { type Db, openDatabase } from './store/db.ts';
import { seedDemoWorkspace } from './store/demo.ts';
import { EchoStore } from './store/echoes.ts';
import { HookStore } from './store/hooks.ts';
import { Inbox } from './store/inbox.ts';
import { RunJournal } from './store/runs.ts';
import { loadKey, SecretStore } from './store/secrets.ts';
import { SettingsStore } from './store/settings.ts';
import { type WorkflowRow, WorkflowStore } from './store/workflows.ts';

export interface AppOptions {
  dataDir: string;
  now?: () => Date;
  /** Seed the demo workspace into a new, empty store (default true). */
  demo?: boolean;
  /** Runs executed at once by the queue. */
  concurrency?: number;
  /** Runs of one workflow executed at once (default 4). */
  perWorkflowConcurrency?: number;
  /** The connectors available (default: the built-in ones). */
  connectors?: readonly ConnectorDefinition[];
  /** The key secrets are encrypted with (32 bytes); the Electron shell keeps it in safeStorage. Default: loadKey(). */
  secretKey?: Buffer;
}

/** A run changed status: what the UI's live updates are made of. */
export interface RunUpdate {
  runId: string;
  workflowId: string;
  status: RunStatus;
  dryRun: boolean;
}

/** A workflow that failed validation: every problem, in plain words. */
export class InvalidWorkflowError extends Error {
  constructor(readonly issues: WorkflowIssue[]) {
    super(
      `The workflow has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.map((i) => `  - ${i.message}`).join('\n')}`,
    );
    this.name = 'InvalidWorkflowError';
  }
}

export interface RunRequest {
  /** The trigger event; defaults to the workflow's sample event. */
  event?: TriggerEvent;
  dryRun?: boolean;
  mode?: RunMode;
}

/**
 * The composition root in plain Node: the Electron shell, the browser edition's server and the CLI
 * all build the same app from here.
 */
/** A connection that live workflows use cannot be removed; the message names them. */
export class ConnectionInUseError extends Error {
  constructor(
    name: string,
    readonly workflows: readonly ConnectionUser[],
  ) {
    const names = wordList(workflows.map((w) => `"${w.name}"`));
    const one = workflows.length === 1;
    super(
      `The live workflow${one ? '' : 's'} ${names} use${one ? 's' : ''} the connection "${name}". Turn off ${names} first, or give ${one ? 'it' : 'them'} another connection.`,
    );
    this.name = 'ConnectionInUseError';
  }
}

/** "A", "A and B", "A, B and C". */
function wordList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export class App {
  readonly db: Db;
  readonly crm: CrmStore;
  readonly registry: ConnectorRegistry;
  readonly workflows: WorkflowStore;
  readonly journal: RunJournal;
  readonly inbox: Inbox;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly connections: ConnectionStore;
  readonly hooks: HookStore;
  readonly echoes: EchoStore;
  /** Group commit shared by the engine and the webhook receiver. */
  readonly commits: CommitGroup;
  readonly activation: Activation;
  readonly intake: WebhookIntake;
  readonly engine: Engine;
  readonly queue: RunQueue;
  readonly dispatcher: Dispatcher;
  readonly retention: InboxRetention;
  readonly scheduler: Scheduler;
  readonly now: () => Date;
  private started = false;
  private checkpointer: Checkpointer | undefined;
  // Listener sets stay empty (and cost nothing) unless a UI transport subscribes.
  private readonly runListeners = new Set<(update: RunUpdate) => void>();
  private readonly crmListeners = new Set<(change: CrmChange) => void>();
  private readonly workflowListeners = new Set<(workflowId: string) => void>();
  private readonly failures: FailureGuard;

  constructor(readonly options: AppOptions) {
    this.now = options.now ?? (() => new Date());
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.db = openDatabase(join(options.dataDir, 'pipewright.db'));
    this.commits = new CommitGroup(this.db);
    this.echoes = new EchoStore(this.db, this.now);
    this.hooks = new HookStore(this.db, this.now);
    this.registry = new ConnectorRegistry(rememberingWrites(options.connectors ?? builtInConnectors, this.echoes));
    this.inbox = new Inbox(this.db);
    this.journal = new RunJournal(this.db);
    this.workflows = new WorkflowStore(this.db, this.now);
    this.settings = new SettingsStore(this.db);
    this.secrets = new SecretStore(this.db, options.secretKey ?? loadKey(options.dataDir));
    this.connections = new ConnectionStore(this.db, this.secrets, {
      now: this.now,
      appName: (app) => this.registry.connectors.find((c) => c.id === app)?.name,
    });

    let engine: Engine | undefined;
    this.crm = new CrmStore(this.db, {
      now: this.now,
      onChange: (change) => {
        engine?.onLiveChange(change);
        for (const listener of this.crmListeners) listener(change);
      },
      onEvent: (event, cause) => {
        // The inbox holds events that may start runs; a change no live workflow listens to is not one.
        const live = this.workflows.liveTriggerTypes();
        if (!this.registry.triggersFor(event.event).some((type) => live.has(type))) return;
        this.inbox.add({
          source: 'local',
          event: event.event,
          payload: event,
          receivedAt: event.timestamp,
          causeRunId: cause?.runId,
          causeWorkflowId: cause?.workflowId,
          depth: cause?.depth ?? 0,
        });
        this.dispatcher?.poke();
      },
    });
    if ((options.demo ?? true) && this.crm.isEmpty()) seedDemoWorkspace(new CrmStore(this.db, { now: this.now }));

    engine = new Engine({
      db: this.db,
      crm: this.crm,
      journal: this.journal,
      registry: this.registry,
      now: this.now,
      commits: this.commits,
      resolveConnection: (workflow, node) => this.connections.resolveFor(workflow, node),
    });
    this.engine = engine;
    this.queue = new InProcessQueue(
      async (runId) => {
        if (this.runListeners.size) this.notifyStored(runId, 'running');
        const result = await this.engine.resume(runId, (id, version) => this.workflows.runDocument(id, version));
        this.notifyRun(result);
        if (result.mode === 'live' && !result.dryRun) this.watchFailures(result);
      },
      { concurrency: options.concurrency ?? 8, perGroup: options.perWorkflowConcurrency ?? 4 },
      (runId, err) => {
        console.error(`Run ${runId} could not be executed: ${(err as Error).message}`);
        this.notifyStored(runId);
      },
    );
    this.dispatcher = new Dispatcher({
      db: this.db,
      crm: this.crm,
      inbox: this.inbox,
      journal: this.journal,
      workflows: this.workflows,
      registry: this.registry,
      queue: this.queue,
      now: this.now,
    });
    this.scheduler = new Scheduler({
      inbox: this.inbox,
      journal: this.journal,
      workflows: this.workflows,
      queue: this.queue,
      now: this.now,
      onEvent: () => this.dispatcher.poke(),
    });
    this.retention = new InboxRetention({
      inbox: this.inbox,
      now: this.now,
      keepDays: () => this.settings.get('inbox.keepDays', DEFAULT_KEEP_EVENTS_DAYS),
    });
    this.failures = new FailureGuard(() => this.settings.get('workflows.pauseAfterFailures', DEFAULT_PAUSE_AFTER_FAILURES));
    this.intake = new WebhookIntake({
      hooks: this.hooks,
      inbox: this.inbox,
      commits: this.commits,
      registry: this.registry,
      connections: this.connections,
      echoes: this.echoes,
      now: this.now,
      onEvent: () => this.dispatcher.poke(),
    });
    this.activation = new Activation({
      hooks: this.hooks,
      registry: this.registry,
      connections: this.connections,
      inbox: this.inbox,
      echoes: this.echoes,
      commits: this.commits,
      settings: () => this.liveSettings(),
      now: this.now,
      onEvent: () => this.dispatcher.poke(),
      onHookChanged: (token) => this.intake.forget(token),
    });
  }

  /** Where webhooks reach this computer from the internet, and how often triggers without one poll. */
  liveSettings(): LiveSettings {
    const stored = this.settings.get<unknown>('webhooks.publicUrl', null);
    const publicUrl = typeof stored === 'string' ? stored.trim() : '';
    return {
      ...(publicUrl ? { publicUrl } : {}),
      pollSeconds: this.settings.get('webhooks.pollSeconds', DEFAULT_POLL_SECONDS),
    };
  }

  /**
   * Changes a setting. A new public address reconnects every live remote trigger (webhooks are
   * registered at the new address, or polling starts or stops).
   */
  async changeSetting(key: string, value: unknown): Promise<void> {
    const before = this.liveSettings().publicUrl;
    this.settings.set(key, value);
    if (key !== 'webhooks.publicUrl' || this.liveSettings().publicUrl === before) return;
    for (const { workflow } of this.workflows.live()) await this.activation.activate(workflow, { reconnect: true });
  }

  /** One webhook delivery to `/hooks/<token>`: answered once the event is durably in the inbox. */
  receiveWebhook(token: string, rawBody: Buffer, headers: DeliveryHeaders): Promise<IntakeAnswer> {
    return this.intake.receive(token, rawBody, headers);
  }

  /** How each remote trigger of a workflow receives its events (address, registration, polling, problems). */
  triggerHooks(workflowId: string): TriggerHookInfo[] {
    return this.activation.info(workflowId);
  }

  /**
   * Starts live processing: resumes runs a crash interrupted, processes pending events, wakes
   * waiting runs and fires schedules. The CLI's one-off commands do not call it.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.checkpointer = new Checkpointer(this.db, join(this.options.dataDir, 'pipewright.db'));
    for (const runId of this.journal.interrupted()) this.queue.enqueue(runId);
    this.dispatcher.processPending();
    this.scheduler.start();
    this.retention.start();
    // Remote triggers of live workflows get (or keep) their hooks; problems are kept on the hook.
    for (const { workflow } of this.workflows.live()) {
      this.activation.activate(workflow).catch((err) => console.error(`Could not start the triggers of ${workflow.name}: ${err}`));
    }
    this.activation.start((id) => this.workflows.document(id));
  }

  /** Polls every trigger that has no public webhook address now (tests, "check now" in the UI). */
  async pollNow(): Promise<void> {
    await this.activation.pollAll((id) => this.workflows.document(id));
  }

  validate(doc: unknown): Validation {
    return validateWorkflow(doc, this.registry);
  }

  /**
   * Saves a workflow as a new version (a draft when new). An invalid document is rejected whole;
   * with `allowIncomplete` (the editor saving work in progress) a well-formed document with
   * problems is saved and its problems returned; it cannot go live until they are fixed.
   */
  save(
    doc: unknown,
    note?: string,
    options: { allowIncomplete?: boolean } = {},
  ): { row: WorkflowRow; workflow: Workflow; issues: WorkflowIssue[] } {
    const validation = this.validate(doc);
    let workflow: Workflow;
    if (validation.ok) workflow = validation.workflow;
    else if (options.allowIncomplete) {
      const parsed = Workflow.safeParse(doc);
      if (!parsed.success) throw new InvalidWorkflowError(describeSchemaIssues(parsed.error, doc));
      workflow = parsed.data;
    } else throw new InvalidWorkflowError(validation.issues);
    const trigger = workflow.nodes.find((n) => this.registry.resolve(n.type)?.kind === 'trigger');
    const row = this.workflows.save(workflow, trigger?.type ?? null, note);
    if (row.status === 'live') {
      if (!validation.ok) this.workflows.setStatus(row.id, 'draft');
      this.scheduler.refresh();
      const refresh = validation.ok ? this.activation.activate(workflow) : this.activation.deactivate(row.id, workflow);
      refresh.catch((err) => console.error(`Could not update the triggers of ${workflow.name}: ${err}`));
    }
    return { row: this.workflows.get(row.id) as WorkflowRow, workflow, issues: validation.ok ? [] : validation.issues };
  }

  /**
   * Turns a workflow on or off. The status changes at once; remote triggers are then connected
   * (webhook registered, or polling started) or disconnected before the promise resolves. Problems
   * connecting do not undo going live: they are shown on the trigger (`triggerHooks`).
   */
  async setLive(id: string, live: boolean): Promise<WorkflowRow> {
    const doc = this.workflows.document(id);
    if (!doc) throw new Error(`There is no workflow "${id}".`);
    if (live) {
      const validation = this.validate(doc);
      if (!validation.ok) throw new InvalidWorkflowError(validation.issues);
    }
    this.workflows.setStatus(id, live ? 'live' : 'draft');
    this.failures.reset(id);
    this.scheduler.refresh();
    if (live) await this.activation.activate(doc);
    else await this.activation.deactivate(id, doc);
    return this.workflows.get(id) as WorkflowRow;
  }

  /** Deletes a workflow with its history; its remote webhooks are deleted first. */
  async removeWorkflow(id: string): Promise<boolean> {
    await this.activation.deactivate(id, this.workflows.document(id));
    const removed = this.workflows.remove(id);
    if (removed) this.scheduler.refresh();
    return removed;
  }

  /**
   * The saved workflows whose steps use the connection, resolved as a run resolves them (the alias's
   * binding, a connection named like the alias, or the only connection of its app), plus those whose
   * registered triggers go through it.
   */
  connectionUsers(name: string): ConnectionUser[] {
    const users: ConnectionUser[] = [];
    for (const row of this.workflows.list()) {
      const doc = this.workflows.document(row.id);
      if (!doc) continue;
      const verdicts = new Map<string, boolean>();
      for (const node of doc.nodes) {
        const alias = node.connection;
        if (alias === undefined || verdicts.get(alias)) continue;
        try {
          verdicts.set(alias, this.connections.resolveFor(doc, node)?.name === name);
        } catch {
          // Ambiguous or missing: the step uses no connection yet, so not this one.
          if (!verdicts.has(alias)) verdicts.set(alias, false);
        }
      }
      for (const hook of this.hooks.forWorkflow(row.id)) {
        const alias = doc.nodes.find((n) => n.id === hook.nodeId)?.connection;
        if (hook.connectionName === name && alias !== undefined) verdicts.set(alias, true);
      }
      const aliases = [...verdicts].filter(([, uses]) => uses).map(([alias]) => alias);
      if (aliases.length > 0) users.push({ id: row.id, name: row.name, status: row.status, aliases: aliases.sort() });
    }
    return users;
  }

  /**
   * Deletes a connection with its stored key and bindings, and returns the workflows that used it
   * (they need another one now). Refused while a live workflow uses it. A paused workflow's
   * webhooks are deleted from the app first, while the key still works.
   */
  async removeConnection(name: string): Promise<ConnectionUser[]> {
    const users = this.connectionUsers(name);
    const live = users.filter((u) => u.status === 'live');
    if (live.length > 0) throw new ConnectionInUseError(name, live);
    for (const user of users) {
      if (user.status === 'paused') await this.activation.deactivate(user.id, this.workflows.document(user.id));
    }
    this.connections.remove(name);
    return users;
  }

  /** Pauses a live workflow whose runs keep failing, and tells the UI. */
  private watchFailures(result: RunResult): void {
    const reason = this.failures.record(result.workflowId, result.status, result.error ?? undefined);
    if (!reason || this.workflows.get(result.workflowId)?.status !== 'live') return;
    this.workflows.setStatus(result.workflowId, 'paused', reason);
    this.scheduler.refresh();
    console.warn(`Workflow ${result.workflowName}: ${reason}`);
    for (const listener of this.workflowListeners) listener(result.workflowId);
  }

  /** The event a test run starts with: the workflow's own sample, else its trigger's sample. */
  sampleEvent(workflow: Workflow): TriggerEvent {
    if (workflow.sample) return workflow.sample as unknown as TriggerEvent;
    const trigger = workflow.nodes.find((n) => this.registry.resolve(n.type)?.kind === 'trigger');
    const resolved = trigger && this.registry.resolve(trigger.type);
    if (resolved?.kind !== 'trigger' || !trigger) throw new Error('The workflow has no trigger.');
    const params = resolved.trigger.params.safeParse(trigger.params);
    const live = params.success ? resolved.trigger.liveSample?.(params.data, this.crm) : undefined;
    if (live) return live;
    const sample = structuredClone(resolved.trigger.sample) as TriggerEvent;
    if (resolved.trigger.key === 'manual' && trigger.params.sample) sample.data = trigger.params.sample as Record<string, unknown>;
    return sample;
  }

  /** Runs a workflow once, now: a saved one by id, or a document (validated first). */
  async run(target: string | unknown, request: RunRequest = {}): Promise<RunResult> {
    let workflow: Workflow;
    let version: number | null = null;
    if (typeof target === 'string') {
      const row = this.workflows.get(target);
      const doc = row && this.workflows.document(target);
      if (!row || !doc) throw new Error(`There is no workflow "${target}". Import it first, or give a file.`);
      const validation = this.validate(doc);
      if (!validation.ok) throw new InvalidWorkflowError(validation.issues);
      workflow = validation.workflow;
      version = row.version;
    } else {
      const validation = this.validate(target);
      if (!validation.ok) throw new InvalidWorkflowError(validation.issues);
      workflow = validation.workflow;
    }
    const event = request.event ?? this.sampleEvent(workflow);
    const dryRun = request.dryRun ?? false;
    const result = await this.engine.run(workflow, event, {
      dryRun,
      mode: request.mode ?? (dryRun ? 'test' : 'live'),
      workflowVersion: version,
    });
    this.notifyRun(result);
    return result;
  }

  /** Calls `listener` whenever a run is picked up or finishes (queued live runs and `run()` alike). Returns an unsubscribe. */
  onRunUpdated(listener: (update: RunUpdate) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** Calls `listener` when Pipewright itself changes a workflow's status (pausing it after failures). Returns an unsubscribe. */
  onWorkflowChanged(listener: (workflowId: string) => void): () => void {
    this.workflowListeners.add(listener);
    return () => this.workflowListeners.delete(listener);
  }

  /** Calls `listener` for every change of the live CRM store (synchronously, inside the write). Returns an unsubscribe. */
  onCrmChanged(listener: (change: CrmChange) => void): () => void {
    this.crmListeners.add(listener);
    return () => this.crmListeners.delete(listener);
  }

  private notifyRun(run: RunUpdate): void {
    if (this.runListeners.size === 0) return;
    const update = { runId: run.runId, workflowId: run.workflowId, status: run.status, dryRun: run.dryRun };
    for (const listener of this.runListeners) listener(update);
  }

  /** Reports a run from its journal row (when no result is at hand); `status` overrides the stored one. */
  private notifyStored(runId: string, status?: RunStatus): void {
    if (this.runListeners.size === 0) return;
    const stored = this.journal.getRun(runId);
    if (stored) this.notifyRun({ runId, workflowId: stored.workflowId, status: status ?? stored.status, dryRun: stored.dryRun });
  }

  /** Runs a failed (or needs-review) run again from the step that failed; earlier steps are not repeated. */
  async retryRun(runId: string): Promise<RunResult> {
    return this.engine.resume(runId, (id, version) => this.workflows.document(id, version), { retry: true });
  }

  /** Waits until every queued run has finished (tests, CLI). */
  async settle(): Promise<void> {
    for (;;) {
      this.dispatcher.processPending();
      await this.queue.idle();
      if (this.inbox.pending(1).length === 0) return;
    }
  }

  async close(): Promise<void> {
    await this.activation.stop();
    this.scheduler.stop();
    this.retention.stop();
    this.dispatcher.stop();
    this.engine.stop();
    await this.queue.close();
    await this.checkpointer?.stop();
    this.commits.close();
    this.db.close();
  }
}

export function createApp(options: AppOptions): App {
  return new App(options);
}
