import type { Inbox } from '../store/inbox.ts';

export const DEFAULT_KEEP_EVENTS_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const EVERY_MS = 60 * 60 * 1000;

export interface RetentionDeps {
  inbox: Inbox;
  now: () => Date;
  /** Setting `inbox.keepDays`. */
  keepDays: () => number;
}

/**
 * Keeps the event list to its window: settled events older than `inbox.keepDays` are deleted
 * (pending ones never), when live processing starts and every hour, a batch per turn of the event
 * loop so a large backlog never holds up requests. The window is also the deduplication window:
 * a delivery repeated after it is treated as new.
 */
export class InboxRetention {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly deps: RetentionDeps) {}

  start(): void {
    if (this.timer) return;
    this.prune();
    this.timer = setInterval(() => this.prune(), EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what is past the window; resolves with how many events were deleted. */
  prune(): Promise<number> {
    if (this.running) return Promise.resolve(0);
    this.running = true;
    const days = Math.max(1, this.deps.keepDays());
    const before = new Date(this.deps.now().getTime() - days * DAY_MS).toISOString();
    let total = 0;
    return new Promise((resolve) => {
      const batch = () => {
        let deleted = 0;
        try {
          deleted = this.deps.inbox.prune(before);
        } catch (err) {
          console.error(`Old events could not be deleted: ${(err as Error).message}`);
        }
        total += deleted;
        if (deleted > 0 && !this.stopped) setImmediate(batch);
        else {
          this.running = false;
          resolve(total);
        }
      };
      batch();
    });
  }
}
