import type { ConnectorWebhooks, ReceivedEvent, ResolvedConnection, TriggerDefinition } from '../connectors/define.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Workflow, WorkflowNode } from '../shared/workflow.ts';
import type { CommitGroup } from '../store/commit-group.ts';
import type { ConnectionStore } from '../store/connections.ts';
import { ECHO_NOTE, type EchoStore } from '../store/echoes.ts';
import type { Hook, HookMode, HookStore } from '../store/hooks.ts';
import type { Inbox, NewInboxEvent } from '../store/inbox.ts';

/** Where and how often live remote triggers receive events (settings the user can change). */
export interface LiveSettings {
  /** The address the internet reaches this computer's webhook port at (a tunnel or reverse proxy); none: poll. */
  publicUrl?: string;
  pollSeconds: number;
}

export const DEFAULT_POLL_SECONDS = 60;
export const MIN_POLL_SECONDS = 5;

export interface ActivationDeps {
  hooks: HookStore;
  registry: ConnectorRegistry;
  connections: ConnectionStore;
  inbox: Inbox;
  echoes: EchoStore;
  commits: CommitGroup;
  settings: () => LiveSettings;
  now: () => Date;
  /** Called after events were committed (wakes the dispatcher). */
  onEvent: () => void;
  /** A hook's signing secret changed or the hook went away. */
  onHookChanged?: (token: string) => void;
}

/** How a live trigger receives its events, as the UI shows it. */
export interface TriggerHookInfo {
  nodeId: string;
  app: string;
  mode: HookMode;
  /** The address to send deliveries to (null without a public address). */
  url: string | null;
  /** Registered with the app automatically (else the user pastes `url` into the app, or it is polled). */
  registered: boolean;
  lastError: string | null;
  polledAt: string | null;
}

interface RemoteTrigger {
  node: WorkflowNode;
  /** Whether the trigger's app needs a connection (the generic webhook does not). */
  needsConnection: boolean;
  trigger: TriggerDefinition;
  webhooks: ConnectorWebhooks;
  app: string;
}

/** A remote call's result arrived after shutdown began: it is dropped. */
class ShuttingDown extends Error {}

/**
 * Going live and off for triggers of remote apps. Each live remote trigger gets a hook: an
 * unguessable address `/hooks/<token>`. With a public address set, the webhook is registered with
 * the app where its API allows (the signing secret stored encrypted) and deleted when the workflow
 * goes off; without one, the trigger polls the app instead. Problems never block going live: they
 * are kept on the hook and shown to the user.
 */
export class Activation {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly abort = new AbortController();
  /** Calls to remote apps under way; shutting down waits for them so none writes to a closed store. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: ActivationDeps) {}

  /** The public address of a hook, when one is set. */
  hookUrl(hook: Hook): string | null {
    const base = this.deps.settings().publicUrl?.replace(/\/+$/, '');
    return base ? `${base}/hooks/${hook.token}` : null;
  }

  info(workflowId: string): TriggerHookInfo[] {
    return this.deps.hooks.forWorkflow(workflowId).map((hook) => ({
      nodeId: hook.nodeId,
      app: hook.app,
      mode: hook.mode,
      url: this.hookUrl(hook),
      registered: hook.remoteId !== null,
      lastError: hook.lastError,
      polledAt: hook.polledAt,
    }));
  }

  /**
   * Makes every remote trigger of a live workflow receive events; hooks of removed triggers go
   * away. A hook keeps its address (token) while its trigger and connection stay; it is connected
   * again when the public address appeared or went, its registration is missing, or it carries a
   * problem a new attempt may solve; `reconnect` connects every hook again (the public address changed).
   */
  async activate(workflow: Workflow, options: { reconnect?: boolean } = {}): Promise<void> {
    const triggers = this.remoteTriggers(workflow);
    for (const hook of this.deps.hooks.forWorkflow(workflow.id)) {
      const trigger = triggers.find((t) => t.node.id === hook.nodeId && t.app === hook.app);
      const connection = trigger && this.connectionOf(workflow, trigger.node);
      if (!connection || (connection.value?.name ?? null) !== hook.connectionName) await this.removeHook(hook, workflow);
    }
    for (const trigger of triggers) {
      if (this.abort.signal.aborted) return;
      const existing = this.deps.hooks.forWorkflow(workflow.id).find((h) => h.nodeId === trigger.node.id);
      if (existing && !options.reconnect && !this.stale(existing, trigger)) continue;
      if (existing?.remoteId && options.reconnect) await this.unregister(existing, workflow);
      const hook =
        existing ??
        this.deps.hooks.create({
          workflowId: workflow.id,
          nodeId: trigger.node.id,
          app: trigger.app,
          connectionName: this.connectionOf(workflow, trigger.node).value?.name ?? null,
          mode: this.wantedMode(trigger),
        });
      await this.connect(workflow, trigger, hook);
    }
  }

  /** Stops a workflow's remote triggers: registered webhooks are deleted from the app, hooks removed. */
  async deactivate(workflowId: string, workflow?: Workflow): Promise<void> {
    for (const hook of this.deps.hooks.forWorkflow(workflowId)) await this.removeHook(hook, workflow);
  }

  /** Starts polling: every hook in poll mode is read once `pollSeconds` (a setting, read each time) have passed. */
  start(workflowOf: (id: string) => Workflow | undefined): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pollAll(workflowOf, { onlyDue: true }), MIN_POLL_SECONDS * 1000);
    this.timer.unref();
  }

  /** Stops polling and cancels calls under way (their results are dropped); resolves when they have ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort(new Error('Pipewright is shutting down.'));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Awaits a call to a remote app; after shutdown began, its result is never used. */
  private async remote<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    try {
      const value = await call;
      if (this.abort.signal.aborted) throw new ShuttingDown();
      return value;
    } catch (err) {
      if (this.abort.signal.aborted) throw new ShuttingDown();
      throw err;
    } finally {
      this.inFlight.delete(call);
    }
  }

  /** Polls the hooks in poll mode (all, or those due); skipped while a previous round still runs. */
  async pollAll(workflowOf: (id: string) => Workflow | undefined, options: { onlyDue?: boolean } = {}): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const intervalMs = Math.max(MIN_POLL_SECONDS, this.deps.settings().pollSeconds) * 1000;
      const now = this.deps.now().getTime();
      for (const hook of this.deps.hooks.all()) {
        if (hook.mode !== 'poll') continue;
        if (options.onlyDue && hook.polledAt && now - Date.parse(hook.polledAt) < intervalMs) continue;
        await this.poll(hook, workflowOf(hook.workflowId));
      }
    } finally {
      this.polling = false;
    }
  }

  private remoteTriggers(workflow: Workflow): RemoteTrigger[] {
    const out: RemoteTrigger[] = [];
    for (const node of workflow.nodes) {
      const resolved = this.deps.registry.resolve(node.type);
      if (resolved?.kind !== 'trigger' || !resolved.connector.webhooks) continue;
      if (resolved.trigger.source !== 'webhook' && resolved.trigger.source !== 'poll') continue;
      out.push({
        node,
        trigger: resolved.trigger,
        webhooks: resolved.connector.webhooks,
        app: resolved.connector.id,
        needsConnection: resolved.connector.needsConnection,
      });
    }
    return out;
  }

  /** Webhooks when the app can reach this computer (or cannot be polled), polling otherwise. */
  private wantedMode(trigger: RemoteTrigger): HookMode {
    return this.deps.settings().publicUrl || !trigger.webhooks.poll ? 'webhook' : 'poll';
  }

  private stale(hook: Hook, trigger: RemoteTrigger): boolean {
    if (hook.mode !== this.wantedMode(trigger)) return true;
    if (hook.mode === 'webhook' && trigger.webhooks.register && !hook.remoteId) return true;
    return hook.mode === 'webhook' && hook.lastError !== null;
  }

  private connectionOf(workflow: Workflow, node: WorkflowNode): { value?: ResolvedConnection; error?: string } {
    try {
      const value = this.deps.connections.resolveFor(workflow, node);
      return value ? { value } : { error: 'The trigger has no connection; choose one in its settings.' };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /** Connects a hook the way the settings allow: registers its webhook, or starts polling. */
  private async connect(workflow: Workflow, trigger: RemoteTrigger, hook: Hook): Promise<void> {
    const { webhooks } = trigger;
    const mode = this.wantedMode(trigger);
    if (hook.remoteId && mode === 'poll') await this.unregister(hook, workflow); // the public address went away
    this.deps.hooks.update(hook.token, { mode, lastError: null, ...(mode === 'poll' ? { remoteId: null } : {}) });
    const current = this.deps.hooks.byToken(hook.token) as Hook;
    const connection = this.connectionOf(workflow, trigger.node);
    if (!connection.value && trigger.needsConnection) {
      this.deps.hooks.update(hook.token, { lastError: connection.error ?? null });
      return;
    }
    if (mode === 'poll') {
      await this.poll(current, workflow);
      return;
    }
    if (!this.deps.settings().publicUrl) {
      this.deps.hooks.update(hook.token, {
        lastError: `Set the public address in Settings so ${this.appName(trigger.app)} can reach this computer.`,
      });
      return;
    }
    if (!webhooks.register || !connection.value) return; // the user pastes the address into the app
    const url = this.hookUrl(current) as string;
    const events = (trigger.trigger.events ?? []).map((e) => webhooks.remoteEvent(e));
    try {
      const registered = await this.remote(webhooks.register(connection.value, url, events, this.abort.signal));
      if (registered.secret) this.deps.connections.setWebhookSecret(connection.value.name, registered.id, registered.secret);
      this.deps.hooks.update(hook.token, { remoteId: registered.id, lastError: null });
      this.deps.onHookChanged?.(hook.token);
    } catch (err) {
      if (err instanceof ShuttingDown) return;
      const reason = `Could not register the webhook with ${this.appName(trigger.app)}: ${(err as Error).message}`;
      if (webhooks.poll) {
        this.deps.hooks.update(hook.token, { mode: 'poll', lastError: `${reason} Polling instead.` });
        await this.poll(this.deps.hooks.byToken(hook.token) as Hook, workflow, `${reason} Polling instead.`);
      } else this.deps.hooks.update(hook.token, { lastError: reason });
    }
  }

  private async removeHook(hook: Hook, workflow?: Workflow): Promise<void> {
    if (this.abort.signal.aborted) return;
    await this.unregister(hook, workflow);
    this.deps.hooks.remove(hook.token);
    this.deps.onHookChanged?.(hook.token);
  }

  /** Deletes the webhook registered with the app, when there is one and the app allows it. */
  private async unregister(hook: Hook, workflow?: Workflow): Promise<void> {
    const webhooks = this.deps.registry.connectors.find((c) => c.id === hook.app)?.webhooks;
    if (!hook.remoteId || !webhooks?.unregister || !hook.connectionName) return;
    try {
      const connection = this.deps.connections.resolve(hook.connectionName);
      await this.remote(webhooks.unregister(connection, hook.remoteId, this.abort.signal));
    } catch (err) {
      if (err instanceof ShuttingDown) return;
      // The hook's address stops answering regardless: its deliveries get 404 from now on.
      console.warn(
        `Could not delete the ${this.appName(hook.app)} webhook of workflow ${workflow?.name ?? hook.workflowId}: ${(err as Error).message}`,
      );
    }
  }

  /** Reads the app's changes since the hook's cursor into the inbox; the new cursor commits with them. */
  private async poll(hook: Hook, workflow?: Workflow, note?: string): Promise<void> {
    const webhooks = this.deps.registry.connectors.find((c) => c.id === hook.app)?.webhooks;
    const resolved = workflow?.nodes.find((n) => n.id === hook.nodeId);
    const trigger = resolved && this.deps.registry.resolve(resolved.type);
    if (!webhooks?.poll || !hook.connectionName) return;
    const events = trigger?.kind === 'trigger' ? [...(trigger.trigger.events ?? [])] : [];
    const at = this.deps.now().toISOString();
    try {
      const connection = this.deps.connections.resolve(hook.connectionName);
      const result = await this.remote(webhooks.poll(connection, events, hook.pollCursor, this.abort.signal));
      if (!this.deps.hooks.byToken(hook.token)) return; // went off meanwhile
      this.deps.commits.begin();
      let added = 0;
      for (const received of result.events) {
        if (this.deps.inbox.add(this.inboxEvent(hook, webhooks, received, at)) !== undefined) added++;
      }
      this.deps.hooks.update(hook.token, { pollCursor: result.cursor, polledAt: at, lastError: note ?? null });
      if (added) this.deps.onEvent();
    } catch (err) {
      if (err instanceof ShuttingDown) return;
      this.deps.hooks.update(hook.token, { polledAt: at, lastError: `Could not read changes: ${(err as Error).message}` });
    }
  }

  /** The inbox row of a polled change: deduplicated per workflow, an echo of our own write recorded as such. */
  private inboxEvent(hook: Hook, webhooks: ConnectorWebhooks, received: ReceivedEvent, at: string): NewInboxEvent {
    const echo =
      hook.connectionName && this.deps.echoes.remembers(hook.connectionName) ? webhooks.echoOfEvent?.(received.payload) : undefined;
    const isEcho = !!echo && !!hook.connectionName && this.deps.echoes.isEcho(hook.connectionName, echo.resourceId, echo.fields);
    return {
      source: hook.app,
      event: received.event,
      payload: received.payload,
      receivedAt: at,
      dedupeKey: `${hook.workflowId}:${received.dedupeKey}`,
      workflowId: hook.workflowId,
      ...(isEcho ? { status: 'echo' as const, note: ECHO_NOTE } : {}),
    };
  }

  private appName(app: string): string {
    return this.deps.registry.connectors.find((c) => c.id === app)?.name ?? app;
  }
}
