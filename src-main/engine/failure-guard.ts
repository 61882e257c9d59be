import type { RunStatus } from '../shared/runs.ts';

export const DEFAULT_PAUSE_AFTER_FAILURES = 5;

/**
 * Counts each live workflow's failed runs in a row. When a workflow reaches the threshold it is
 * paused (and the user told), so a broken step does not fail every incoming event silently.
 */
export class FailureGuard {
  private readonly streaks = new Map<string, number>();

  constructor(private readonly threshold: () => number) {}

  /** Records a finished live run; returns the pause reason when the workflow should be paused now. */
  record(workflowId: string, status: RunStatus, error: string | undefined): string | undefined {
    if (status === 'succeeded') {
      this.streaks.delete(workflowId);
      return undefined;
    }
    if (status !== 'failed') return undefined;
    const streak = (this.streaks.get(workflowId) ?? 0) + 1;
    const limit = this.threshold();
    if (limit <= 0 || streak < limit) {
      this.streaks.set(workflowId, streak);
      return undefined;
    }
    this.streaks.delete(workflowId);
    return `Paused after ${streak} failed runs in a row. Last error: ${error ?? 'unknown'}`;
  }

  reset(workflowId: string): void {
    this.streaks.delete(workflowId);
  }
}
