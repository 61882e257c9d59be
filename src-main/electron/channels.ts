/**
 * The IPC channel names and the event names the preload lets through. Kept free of imports: the
 * sandboxed preload is bundled on its own and may not load zod or the contract at run time
 * (a test checks that EVENT_NAMES matches the contract's events).
 */
export const RPC_CHANNEL = 'pipewright:rpc';
export const EVENT_CHANNEL = 'pipewright:event';

export const EVENT_NAMES: readonly string[] = ['run.updated', 'crm.changed', 'workflows.changed'];
