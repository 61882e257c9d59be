/**
 * Runs are started through this one interface, so a server edition can swap the in-process queue
 * for a shared one (e.g. BullMQ on Redis) with several workers without touching the engine.
 */
export interface RunQueue {
  enqueue(runId: string): void;
  /** Resolves when every enqueued run has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export class InProcessQueue implements RunQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private active = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly worker: (runId: string) => Promise<void>,
    private readonly concurrency = 8,
    private readonly onError: (runId: string, err: unknown) => void = () => {},
  ) {}

  enqueue(runId: string): void {
    if (this.closed || this.queued.has(runId)) return;
    this.queued.add(runId);
    this.waiting.push(runId);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.active < this.concurrency && this.waiting.length) {
      const runId = this.waiting.shift() as string;
      this.active++;
      this.worker(runId)
        .catch((err) => this.onError(runId, err))
        .finally(() => {
          this.active--;
          this.queued.delete(runId);
          this.pump();
          if (this.active === 0 && this.waiting.length === 0) this.notifyIdle();
        });
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.waiting.length = 0;
    this.closed = true;
    await this.idle();
  }
}
