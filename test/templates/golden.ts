import { expect } from 'vitest';
import type { App } from '../../src-main/app.ts';
import type { TriggerEvent } from '../../src-main/connectors/define.ts';
import type { PlannedHttpRequest, RunResult } from '../../src-main/shared/runs.ts';
import { type ImportOptions, type ImportResult, importTemplate } from '../../src-main/templates/import.ts';
import { loadTemplate } from '../../src-main/templates/load.ts';

/**
 * Golden runs of bundled templates: import into a fresh data directory bound to the fake servers,
 * a dry run with the sample event (nothing written anywhere), then a live run with the same event.
 */

/** A fake API server as the golden tests use it. */
export interface FakeServer {
  url: string;
  counts: { writes: number };
  clearLog(): void;
}

export async function importBundled(app: App, name: string, options: ImportOptions = {}): Promise<ImportResult> {
  const result = await importTemplate(app, loadTemplate(name, app.registry), options);
  expect(result.report.ok).toBe(true);
  expect(app.workflows.get(result.workflowId)?.status).toBe('draft');
  return result;
}

/** The template's own sample event, with `patch` applied to its data (e.g. a real record id). */
export function sampleOf(app: App, name: string, patch: Record<string, unknown> = {}): TriggerEvent {
  const sample = structuredClone(loadTemplate(name, app.registry).workflow.sample) as unknown as TriggerEvent;
  expect(sample, `${name} ships a sample event`).toBeDefined();
  return { ...sample, data: { ...sample.data, ...patch } };
}

/** `POST /records/tasks {…}`: a planned request relative to its server, for readable assertions. */
export function requestLine(request: PlannedHttpRequest, servers: FakeServer[]): { call: string; body?: unknown } {
  const server = servers.find((s) => request.url.startsWith(s.url));
  const path = server ? request.url.slice(server.url.length) : request.url;
  return { call: `${request.method} ${path.split('?')[0]}`, ...(request.body !== undefined ? { body: request.body } : {}) };
}

/** Dry-runs a saved workflow: it succeeds, the CRM is unchanged and no fake server saw a write. */
export async function dryRun(app: App, workflowId: string, event: TriggerEvent, servers: FakeServer[]): Promise<RunResult> {
  for (const server of servers) server.clearLog();
  const before = app.crm.dump();
  const dry = await app.run(workflowId, { event, dryRun: true });
  expect(dry.error ?? null).toBeNull();
  expect(dry.status).toBe('succeeded');
  expect(app.crm.dump()).toEqual(before);
  for (const server of servers) expect(server.counts.writes).toBe(0);
  return dry;
}

/** Runs a saved workflow for real and waits for anything it started. */
export async function liveRun(app: App, workflowId: string, event: TriggerEvent, servers: FakeServer[] = []): Promise<RunResult> {
  for (const server of servers) server.clearLog();
  const live = await app.run(workflowId, { event });
  expect(live.error ?? null).toBeNull();
  expect(live.status).toBe('succeeded');
  return live;
}

/** The steps' statuses by id, e.g. `{ find: 'succeeded', create: 'skipped' }`. */
export function stepStatuses(run: RunResult): Record<string, string> {
  return Object.fromEntries(run.steps.map((s) => [s.key, s.status]));
}
