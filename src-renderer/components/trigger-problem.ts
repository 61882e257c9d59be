import type { TriggerHook } from '../../src-main/shared/contract.ts';

/** Whether a trigger's problem is that this computer has no public address yet (Settings fixes it). */
export function needsPublicAddress(hook: TriggerHook): boolean {
  return !!hook.lastError && /public address/i.test(hook.lastError);
}

/**
 * The problem to show for a live trigger, or null. A missing public address stops being a problem
 * once one is set: the hook is not set up again until the workflow goes live again, so its note
 * would otherwise linger after the user fixed it.
 */
export function triggerProblem(hook: TriggerHook): string | null {
  if (!hook.lastError) return null;
  if (needsPublicAddress(hook) && hook.url) return null;
  return hook.lastError;
}
