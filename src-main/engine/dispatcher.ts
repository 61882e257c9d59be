import type { TriggerEvent } from '../connectors/define.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { CrmStore } from '../store/crm.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import type { Inbox, InboxEvent } from '../store/inbox.ts';
import type { RunJournal } from '../store/runs.ts';
import type { WorkflowStore } from '../store/workflows.ts';
import type { RunQueue } from './queue.ts';

/** Events dispatched in one transaction. */
const BATCH = 50;
/** How long one turn of the event loop may spend dispatching a burst. */
const SLICE_MS = 2;

export interface DispatcherDeps {
  db: Db;
  crm: CrmStore;
  inbox: Inbox;
  journal: RunJournal;
  workflows: WorkflowStore;
  registry: ConnectorRegistry;
  queue: RunQueue;
  now: () => Date;
}

/**
 * Turns inbox events into runs: each pending event is matched against the live workflows'
 * triggers, and its runs are created in the same transaction that marks the event processed,
 * so an event is never lost nor run twice.
 */
export class Dispatcher {
  private scheduled = false;
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Asks for the pending events to be processed soon (called when an event is added). */
  poke(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      // A burst is taken a few milliseconds at a time, so it never holds up requests for long.
      const started = performance.now();
      while (this.processBatch().full) {
        if (performance.now() - started > SLICE_MS) return this.poke();
      }
    });
  }

  stop(): void {
    this.stopped = true;
  }

  /** Processes every pending event; returns the ids of the runs it started. */
  processPending(): string[] {
    const started: string[] = [];
    for (;;) {
      const batch = this.processBatch();
      started.push(...batch.runIds);
      if (!batch.full) return started;
    }
  }

  /** Processes the oldest pending events in one transaction, then queues their runs. */
  private processBatch(): { runIds: string[]; full: boolean } {
    const batch = this.deps.inbox.pending(BATCH);
    const started: { runId: string; workflowId: string }[] = [];
    if (batch.length) {
      this.deps.db.transaction(() => {
        for (const event of batch) started.push(...this.dispatch(event));
      })();
    }
    for (const { runId, workflowId } of started) this.deps.queue.enqueue(runId, workflowId);
    return { runIds: started.map((s) => s.runId), full: batch.length === BATCH };
  }

  private dispatch(event: InboxEvent): { runId: string; workflowId: string }[] {
    const at = this.deps.now().toISOString();
    const payload = event.payload as unknown as TriggerEvent & { workflow_id?: string };
    // A webhook delivery or a schedule is addressed to one workflow; a local change to every listener.
    const target = event.workflowId ?? (event.source === 'schedule' ? payload.workflow_id : undefined);
    const listening = this.deps.workflows.live(target ? undefined : this.deps.registry.triggersFor(event.event));
    const candidates = target ? listening.filter((w) => w.workflow.id === target) : listening;
    const runIds: { runId: string; workflowId: string }[] = [];
    let stoppedByGuard = 0;
    for (const { row, workflow } of candidates) {
      const trigger = workflow.nodes.find((n) => n.type === row.triggerType);
      const resolved = trigger && this.deps.registry.resolve(trigger.type);
      if (!trigger || resolved?.kind !== 'trigger') continue;
      const params = resolved.trigger.params.safeParse(trigger.params);
      if (!params.success) continue;
      if (resolved.trigger.matches && !resolved.trigger.matches(params.data, payload, this.deps.crm)) continue;
      if (event.depth > workflow.settings.maxChainDepth) {
        stoppedByGuard++;
        continue;
      }
      const id = newId();
      this.deps.journal.startRun({
        id,
        workflowId: workflow.id,
        workflowVersion: row.version,
        workflowName: workflow.name,
        document: workflow,
        mode: 'live',
        dryRun: false,
        status: 'queued',
        trigger: payload,
        eventId: event.id,
        depth: event.depth,
        startedAt: at,
      });
      runIds.push({ runId: id, workflowId: workflow.id });
    }
    if (runIds.length) this.deps.inbox.markDone(event.id, 'processed', at, `${runIds.length} run(s) started`);
    else if (stoppedByGuard) {
      this.deps.inbox.markDone(
        event.id,
        'loop_stopped',
        at,
        `Not run: it was caused by a chain of ${event.depth} workflow runs (limit reached).`,
      );
    } else if (target && candidates.length === 0) {
      const row = this.deps.workflows.get(target);
      const why = row?.status === 'paused' ? `the workflow is paused (${row.pausedReason ?? 'by you'})` : 'the workflow is not live';
      this.deps.inbox.markDone(event.id, 'no_match', at, `Not run: ${why}. Replay it once the workflow is live again.`);
    } else this.deps.inbox.markDone(event.id, 'no_match', at);
    return runIds;
  }
}
