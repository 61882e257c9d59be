import { Cron } from 'croner';
import type { Inbox } from '../store/inbox.ts';
import type { RunJournal } from '../store/runs.ts';
import type { WorkflowStore } from '../store/workflows.ts';
import type { RunQueue } from './queue.ts';

export interface SchedulerDeps {
  inbox: Inbox;
  journal: RunJournal;
  workflows: WorkflowStore;
  queue: RunQueue;
  now: () => Date;
  /** Called after a scheduled event was added to the inbox. */
  onEvent: () => void;
  /** How often waiting runs are checked (ms). */
  tick?: number;
}

const SCHEDULE_TRIGGER = 'logic.schedule';

/**
 * Wakes waiting runs when their time comes (waits are rows, so they survive restarts) and fires
 * schedule triggers of live workflows into the inbox.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly jobs = new Map<string, { version: number; job: Cron }>();

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.refresh();
    const tick = this.deps.tick ?? 1000;
    this.timer = setInterval(() => this.wakeDueRuns(), tick);
    this.timer.unref();
    this.wakeDueRuns();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const { job } of this.jobs.values()) job.stop();
    this.jobs.clear();
  }

  /** Re-reads which live workflows have schedule triggers (after activation changes). */
  refresh(): void {
    const live = this.deps.workflows.live([SCHEDULE_TRIGGER]);
    const seen = new Set<string>();
    for (const { row, workflow } of live) {
      seen.add(row.id);
      if (this.jobs.get(row.id)?.version === row.version) continue;
      this.jobs.get(row.id)?.job.stop();
      const trigger = workflow.nodes.find((n) => n.type === SCHEDULE_TRIGGER);
      const cron = String(trigger?.params.cron ?? '');
      try {
        const job = new Cron(cron, { timezone: workflow.settings.timezone }, () => this.fire(row.id));
        this.jobs.set(row.id, { version: row.version, job });
      } catch {
        // An invalid schedule cannot go live (validation refuses it); nothing to schedule.
      }
    }
    for (const [id, { job }] of this.jobs) {
      if (!seen.has(id)) {
        job.stop();
        this.jobs.delete(id);
      }
    }
  }

  /** When a live workflow's schedule fires next (undefined when it has none). */
  nextRun(workflowId: string): Date | undefined {
    return this.jobs.get(workflowId)?.job.nextRun() ?? undefined;
  }

  /** Fires a schedule trigger now (also what the cron job calls). */
  fire(workflowId: string): void {
    const at = this.deps.now();
    // Minute precision: a restart within the same minute does not fire twice.
    const scheduledFor = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
    this.deps.inbox.add({
      source: 'schedule',
      event: 'schedule',
      payload: { event: 'schedule', workflow_id: workflowId, timestamp: at.toISOString(), data: { scheduledFor } },
      dedupeKey: `${workflowId}@${scheduledFor}`,
      receivedAt: at.toISOString(),
    });
    this.deps.onEvent();
  }

  wakeDueRuns(): string[] {
    const due = this.deps.journal.dueWaits(this.deps.now().toISOString());
    for (const runId of due) {
      this.deps.journal.setStatus(runId, 'queued');
      this.deps.queue.enqueue(runId);
    }
    return due;
  }
}
