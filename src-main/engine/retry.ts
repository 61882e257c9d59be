import type { RetryPolicy } from '../shared/workflow.ts';

/** Errors a connector raises may say whether a retry is safe and how long the API asked us to wait. */
export interface RetryHint {
  retryable?: boolean;
  retryAfterMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 1, initialDelayMs: 1000, maxDelayMs: 60_000 };

export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as RetryHint).retryable === true;
}

/**
 * Exponential backoff with full jitter (a random delay up to the exponential cap), never shorter
 * than the API's `Retry-After`.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, err?: unknown, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * cap);
  const retryAfter = typeof err === 'object' && err !== null ? ((err as RetryHint).retryAfterMs ?? 0) : 0;
  return Math.max(jittered, retryAfter);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
