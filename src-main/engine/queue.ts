/**
 * Runs are started through this one interface, so a server edition can swap the in-process queue
 * for a shared one (e.g. BullMQ on Redis) with several workers without touching the engine.
 */
export interface RunQueue {
  /** `group` (the workflow id) limits how many runs of one workflow execute at once. */
  enqueue(runId: string, group?: string): void;
  /** Resolves when every enqueued run has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Local runs finish without real I/O, so one run's end starts the next at once; after this long
 * in one turn of the event loop, the queue lets other work (webhook requests, the UI) go first.
 */
const SLICE_MS = 2;

export interface QueueLimits {
  /** Runs executing at once, in all. */
  concurrency: number;
  /** Runs of one group (workflow) executing at once. */
  perGroup: number;
}

/**
 * First in, first out, within the limits: a run whose workflow is at its limit waits without
 * holding up runs of other workflows, and runs of one workflow start in the order they came.
 */
export class InProcessQueue implements RunQueue {
  /** Waiting runs per group, in arrival order (a Map keeps groups in the order they first waited). */
  private readonly waiting = new Map<string, string[]>();
  private waitingCount = 0;
  private readonly queued = new Set<string>();
  private readonly activeByGroup = new Map<string, number>();
  private active = 0;
  private closed = false;
  private pumpScheduled = false;
  private sliceStarted = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly limits: QueueLimits;

  constructor(
    private readonly worker: (runId: string) => Promise<void>,
    limits: Partial<QueueLimits> = {},
    private readonly onError: (runId: string, err: unknown) => void = () => {},
  ) {
    this.limits = { concurrency: limits.concurrency ?? 8, perGroup: limits.perGroup ?? limits.concurrency ?? 8 };
  }

  enqueue(runId: string, group = ''): void {
    if (this.closed || this.queued.has(runId)) return;
    if (performance.now() - this.sliceStarted > SLICE_MS) this.sliceStarted = performance.now();
    this.queued.add(runId);
    const list = this.waiting.get(group);
    if (list) list.push(runId);
    else this.waiting.set(group, [runId]);
    this.waitingCount++;
    this.pump();
  }

  private pump(): void {
    for (const [group, list] of this.waiting) {
      if (this.closed || this.active >= this.limits.concurrency) return;
      while (list.length && this.active < this.limits.concurrency && (this.activeByGroup.get(group) ?? 0) < this.limits.perGroup) {
        this.waitingCount--;
        this.start(list.shift() as string, group);
      }
      if (list.length === 0) this.waiting.delete(group);
    }
  }

  /** Continues on the next turn of the event loop, so waiting requests (webhook acks, the UI) get their turn. */
  private pumpSoon(): void {
    if (this.pumpScheduled || this.waitingCount === 0) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.sliceStarted = performance.now();
      this.pump();
    });
  }

  private start(runId: string, group: string): void {
    this.active++;
    this.activeByGroup.set(group, (this.activeByGroup.get(group) ?? 0) + 1);
    this.worker(runId)
      .catch((err) => this.onError(runId, err))
      .finally(() => {
        this.active--;
        const left = (this.activeByGroup.get(group) ?? 1) - 1;
        if (left) this.activeByGroup.set(group, left);
        else this.activeByGroup.delete(group);
        this.queued.delete(runId);
        if (performance.now() - this.sliceStarted < SLICE_MS) this.pump();
        else this.pumpSoon();
        if (this.active === 0 && this.waitingCount === 0) this.notifyIdle();
      });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  idle(): Promise<void> {
    if (this.active === 0 && this.waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.waiting.clear();
    this.waitingCount = 0;
    this.closed = true;
    await this.idle();
  }
}
