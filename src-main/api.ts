import type { z } from 'zod';
import pkg from '../package.json' with { type: 'json' };
import { type App, ConnectionInUseError, InvalidWorkflowError, type RunUpdate } from './app.ts';
import type { TriggerEvent } from './connectors/define.ts';
import { apiProfile, testConnection } from './connectors/http.ts';
import { DEFAULT_POLL_SECONDS, MIN_POLL_SECONDS } from './engine/activation.ts';
import { describeError } from './engine/runner.ts';
import {
  type Contract,
  contract,
  type EventName,
  type EventPayload,
  events,
  type InboxEventDetail,
  InboxEventStatus,
  type InboxEventSummary,
  type Issue,
  isMethod,
  type Method,
  type MethodOutput,
  type RpcError,
  TriggerEventInput,
  type TriggerHook,
  type WorkflowSummary,
} from './shared/contract.ts';
import type { RunSummary } from './shared/runs.ts';
import type { Workflow } from './shared/workflow.ts';
import { catalogLabels, type DiffLabels, diffWorkflows } from './shared/workflow-diff.ts';
import { type ConnectionInfo, ConnectionPatch } from './store/connections.ts';
import { type CrmChange, CrmError } from './store/crm.ts';
import type { InboxEvent } from './store/inbox.ts';
import type { NodeInfo, WorkflowRunSummary } from './store/runs.ts';
import type { WorkflowRow } from './store/workflows.ts';
import {
  bundledTemplatePath,
  bundledTemplates,
  exportTemplate,
  importTemplate,
  type LoadedTemplate,
  loadTemplate,
  planImport,
  summarizeTemplate,
  TemplateError,
  TemplateImportError,
  templateFromDocument,
  templateRequirements,
} from './templates/index.ts';

/**
 * The UI's methods, one thin handler per contract entry: parse the input with the contract, call
 * the app, check the answer against the contract. Both transports (Electron IPC and the browser
 * edition's HTTP RPC) call `api.call`, so they cannot drift apart.
 */

export type Edition = 'desktop' | 'browser';

export type CallResult = { ok: true; value: unknown } | { ok: false; status: number; error: RpcError };

export type EventListener = (event: EventName, payload: unknown) => void;

export interface Api {
  /** Never throws: failures come back as a status (400, 404, 500) and a plain message. */
  call(method: string, input: unknown): Promise<CallResult>;
  /** Live updates for the UI; returns an unsubscribe. */
  subscribe(listener: EventListener): () => void;
  close(): void;
}

export interface ApiOptions {
  edition: Edition;
}

/** A failure a handler reports on purpose, with the HTTP status the browser edition answers with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Input<M extends Method> = z.output<Contract[M]['input']>;
type Handlers = { [M in Method]: (input: Input<M>) => MethodOutput<M> | Promise<MethodOutput<M>> };

const RECENT_EVENTS = 5;

export function createApi(app: App, options: ApiOptions): Api {
  const hub = new EventHub(app);
  const descriptions = new Map<string, string | undefined>();

  /** The description shown in the list; documents are parsed once per version. */
  function descriptionOf(row: WorkflowRow): string | undefined {
    const key = `${row.id}@${row.version}`;
    if (!descriptions.has(key)) descriptions.set(key, app.workflows.document(row.id)?.description);
    return descriptions.get(key);
  }

  function summary(row: WorkflowRow, runs?: WorkflowRunSummary): WorkflowSummary {
    const description = descriptionOf(row);
    return {
      id: row.id,
      name: row.name,
      ...(description ? { description } : {}),
      status: row.status,
      version: row.version,
      triggerType: row.triggerType,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      lastRunAt: runs?.lastRunAt ?? null,
      lastRunStatus: runs?.lastRunStatus ?? null,
      errorCount: runs?.errorCount ?? 0,
      pausedReason: row.status === 'paused' ? row.pausedReason : null,
      triggers: triggersOf(row),
    };
  }

  /** How a live workflow's remote triggers receive events; workflows without one skip the lookup. */
  function triggersOf(row: WorkflowRow): TriggerHook[] {
    if (row.status !== 'live' || !row.triggerType) return [];
    const resolved = app.registry.resolve(row.triggerType);
    if (resolved?.kind !== 'trigger' || !resolved.connector.webhooks) return [];
    // As the poller reads the setting: never more often than its minimum.
    const setting = Number(app.liveSettings().pollSeconds);
    const pollSeconds = Math.max(MIN_POLL_SECONDS, Number.isFinite(setting) ? setting : DEFAULT_POLL_SECONDS);
    return app.triggerHooks(row.id).map((hook) => ({
      ...hook,
      appName: app.registry.connectors.find((c) => c.id === hook.app)?.name ?? hook.app,
      pollSeconds: hook.mode === 'poll' ? pollSeconds : null,
    }));
  }

  function summaryOf(id: string): WorkflowSummary {
    const row = app.workflows.get(id);
    if (!row) throw notFound(id);
    return summary(row, app.journal.summaryByWorkflow(id).get(id));
  }

  const handlers: Handlers = {
    'app.info': () => ({ version: pkg.version, dataDir: app.options.dataDir, edition: options.edition }),
    'catalog.get': () => app.registry.catalog() as unknown as MethodOutput<'catalog.get'>,

    'workflows.list': ({ search }) => {
      const runs = app.journal.summaryByWorkflow();
      const needle = search?.trim().toLowerCase();
      return app.workflows
        .list()
        .map((row) => summary(row, runs.get(row.id)))
        .filter((w) => !needle || [w.name, w.id, w.description ?? ''].some((text) => text.toLowerCase().includes(needle)));
    },
    'workflows.get': ({ id, version }) => {
      const workflow = summaryOf(id);
      const document = app.workflows.document(id, version);
      if (!document) throw new ApiError(404, `Workflow "${id}" has no version ${version}.`, 'version');
      return { workflow, document };
    },
    'workflows.validate': ({ document }) => {
      const validation = app.validate(document);
      return { ok: validation.ok, issues: validation.issues };
    },
    'workflows.save': ({ document, note }) => {
      try {
        // Drafts may be incomplete; the issues say what must be fixed before going live.
        const { row, issues } = app.save(document, note, { allowIncomplete: true });
        hub.emit('workflows.changed', { id: row.id });
        return { ok: true as const, workflow: summaryOf(row.id), issues };
      } catch (err) {
        if (err instanceof InvalidWorkflowError) return { ok: false as const, issues: err.issues };
        throw err;
      }
    },
    'workflows.setLive': async ({ id, live }) => {
      if (!app.workflows.get(id)) throw notFound(id);
      try {
        await app.setLive(id, live);
        hub.emit('workflows.changed', { id });
        return { ok: true as const, workflow: summaryOf(id) };
      } catch (err) {
        if (err instanceof InvalidWorkflowError) return { ok: false as const, issues: err.issues };
        throw err;
      }
    },
    'workflows.duplicate': ({ id }) => {
      const doc = app.workflows.document(id);
      if (!doc) throw notFound(id);
      const copyId = freeId(doc.id, new Set(app.workflows.list().map((r) => r.id)));
      const name = `${doc.name} (copy)`.slice(0, 200);
      const { row } = app.save({ ...doc, id: copyId, name }, `Copied from "${doc.name}"`, { allowIncomplete: true });
      hub.emit('workflows.changed', { id: row.id });
      return summaryOf(row.id);
    },
    'workflows.delete': async ({ id }) => {
      const row = app.workflows.get(id);
      const deleted = await app.removeWorkflow(id);
      // A live workflow may have a schedule; the scheduler must forget it.
      if (row?.status === 'live') app.scheduler.refresh();
      if (deleted) hub.emit('workflows.changed', { id });
      return { deleted };
    },
    'workflows.versions': ({ id }) => {
      if (!app.workflows.get(id)) throw notFound(id);
      return app.workflows.versions(id);
    },
    'workflows.diff': ({ id, from, to }) => {
      const before = versionOf(id, from, 'from');
      const after = versionOf(id, to, 'to');
      return diffWorkflows(before, after, { ...catalogLabels(app.registry.catalog()), bindings: bindingsFor(id, before, after) });
    },
    'workflows.restore': ({ id, version }) => {
      const document = versionOf(id, version, 'version');
      try {
        // Saved like the editor saves, so a live workflow whose restored version has problems becomes a draft.
        const { row, issues } = app.save(document, `Restored version ${version}`, { allowIncomplete: true });
        hub.emit('workflows.changed', { id: row.id });
        return { ok: true as const, workflow: summaryOf(row.id), issues };
      } catch (err) {
        if (err instanceof InvalidWorkflowError) return { ok: false as const, issues: err.issues };
        throw err;
      }
    },
    'workflows.checkNow': async ({ id }) => {
      if (!app.workflows.get(id)) throw notFound(id);
      await app.pollNow();
      return summaryOf(id);
    },

    'runs.list': (filter) => app.journal.list(filter),
    'runs.get': ({ runId }) => {
      const stored = app.journal.getRun(runId);
      if (!stored) throw new ApiError(404, `There is no run "${runId}".`, 'runId');
      const workflow = (
        stored.workflowVersion === null ? stored.document : app.workflows.document(stored.workflowId, stored.workflowVersion)
      ) as Workflow | undefined;
      return app.journal.result(runId, nodeInfoOf(workflow)) as unknown as MethodOutput<'runs.get'>;
    },
    'runs.start': async ({ workflowId, document, event, dryRun }) => {
      if (workflowId === undefined && document === undefined) {
        throw new ApiError(400, 'Say which workflow to run: its id or its document.', 'workflowId');
      }
      if (workflowId !== undefined && !app.workflows.get(workflowId)) throw notFound(workflowId, 'workflowId');
      try {
        const run = await app.run(workflowId ?? document, { event: event as TriggerEvent | undefined, dryRun });
        return { ok: true as const, run: run as unknown as MethodOutput<'runs.get'> };
      } catch (err) {
        if (err instanceof InvalidWorkflowError) return { ok: false as const, issues: err.issues };
        throw err;
      }
    },
    'runs.retry': async ({ runId }) => {
      const stored = app.journal.getRun(runId);
      if (!stored) throw new ApiError(404, `There is no run "${runId}".`, 'runId');
      if (stored.dryRun) throw new ApiError(400, 'A test run cannot be retried; test the workflow again.', 'runId');
      if (stored.status !== 'failed' && stored.status !== 'needs_review') {
        throw new ApiError(400, `Only a failed run can be retried; this one is ${stored.status.replace('_', ' ')}.`, 'runId');
      }
      const run = await app.retryRun(runId);
      hub.emit('run.updated', { runId: run.runId, workflowId: run.workflowId, status: run.status, dryRun: run.dryRun });
      return run as unknown as MethodOutput<'runs.retry'>;
    },
    'runs.sampleEvents': ({ document }) => {
      const workflow = app.validate(document).workflow;
      if (!workflow) return [];
      const options: { label: string; event: unknown }[] = [];
      try {
        options.push({ label: 'Sample event', event: app.sampleEvent(workflow) });
      } catch {
        // No trigger yet: there is no sample to offer, only recent events (if any).
      }
      for (const run of app.journal.list({ workflowId: workflow.id, mode: 'live', limit: RECENT_EVENTS })) {
        const trigger = app.journal.getRun(run.runId)?.trigger;
        if (TriggerEventInput.safeParse(trigger).success) {
          options.push({ label: `Event of the run on ${run.startedAt.slice(0, 16).replace('T', ' ')} (${run.status})`, event: trigger });
        }
      }
      return options as MethodOutput<'runs.sampleEvents'>;
    },

    'events.list': ({ status, workflowId, before, limit }) => {
      const counts = app.inbox.counts();
      return {
        events: app.inbox.list({ status, workflowId, before, limit }).map((event) => describeEvent(app, event)),
        counts: Object.fromEntries(InboxEventStatus.options.map((s) => [s, counts[s] ?? 0])) as Record<InboxEventStatus, number>,
      };
    },
    'events.get': ({ id }) => eventDetail(app, eventOf(id)),
    'events.replay': ({ id }) => {
      const event = eventOf(id);
      if (event.status === 'rejected') {
        throw new ApiError(400, `Event #${id} was rejected when it arrived; there is nothing to replay.`, 'id');
      }
      const copy = app.inbox.replay(id, app.now().toISOString());
      app.dispatcher.poke();
      return { id: copy };
    },

    'crm.schema': () => ({
      objectTypes: app.crm.listObjectTypes(),
      pipelines: app.crm.listPipelines(),
      tags: app.crm.listTags(),
    }),
    'crm.records': (query) => ({ rows: app.crm.findRecords(query), total: app.crm.countRecords(query) }),
    'crm.contacts': (query) => ({ rows: app.crm.listContacts(query) }),
    'crm.tasks': ({ recordId, completed }) => ({ rows: app.crm.listTasks({ record_id: recordId, completed }) }),
    'crm.createRecord': (input) => app.crm.createRecord(input),

    // As the store masks them; the contract's schema then drops every other field.
    'connections.list': () => app.connections.list() as MethodOutput<'connections.list'>,
    'connections.apps': () =>
      app.registry.connectors.flatMap((c) => {
        const profile = apiProfile(c.id);
        return profile
          ? [
              {
                id: c.id,
                name: c.name,
                description: c.description,
                defaultBaseUrl: profile.defaultBaseUrl ?? null,
                defaultRateLimit: profile.rateLimit,
              },
            ]
          : [];
      }),
    'connections.add': ({ name, app: appId, baseUrl, apiKey, extras }) => {
      const profile = apiProfile(appId);
      if (!profile) throw new ApiError(400, `Pipewright cannot connect to an app called "${appId}".`, 'app');
      const address = baseUrl?.trim() || profile.defaultBaseUrl;
      if (!address) throw new ApiError(400, `${profile.name} needs the address of its API (the base URL).`, 'baseUrl');
      const info = app.connections.add({
        name: name.trim(),
        app: appId,
        baseUrl: address,
        auth: profile.defaultAuth,
        secret: apiKey.trim(),
        extras: filledExtras(extras),
      });
      return info as MethodOutput<'connections.add'>;
    },
    'connections.update': ({ name, app: appId, baseUrl, apiKey, extras, rateLimit }) => {
      const current = connectionOf(name);
      const appName = appNameOf(current.app);
      if (appId !== undefined && appId !== current.app) {
        throw new ApiError(
          400,
          `The app of a connection cannot change: "${name}" stays a ${appName} connection. To use ${appNameOf(appId)}, add a new connection.`,
          'app',
        );
      }
      let address: string | undefined;
      if (baseUrl !== undefined) {
        address = baseUrl.trim() || apiProfile(current.app)?.defaultBaseUrl;
        if (!address) throw new ApiError(400, `${appName} needs the address of its API (the base URL).`, 'baseUrl');
      }
      const key = apiKey?.trim();
      let replaced: Record<string, string> | undefined;
      if (extras !== undefined) {
        // The store merges extras; settings the form no longer has are removed with an empty value.
        const given = filledExtras(extras);
        replaced = { ...Object.fromEntries(Object.keys(current.extras).map((k) => [k, ''])), ...given };
      }
      const info = app.connections.update(name, {
        ...(address !== undefined ? { baseUrl: address } : {}),
        // An empty key field keeps the stored key.
        ...(key ? { secret: key } : {}),
        ...(replaced ? { extras: replaced } : {}),
        ...(rateLimit !== undefined ? { rateLimit } : {}),
      });
      return info as MethodOutput<'connections.update'>;
    },
    'connections.usage': ({ name }) => {
      connectionOf(name);
      return app.connectionUsers(name);
    },
    'connections.remove': async ({ name }) => {
      connectionOf(name);
      try {
        const users = await app.removeConnection(name);
        for (const user of users) hub.emit('workflows.changed', { id: user.id });
        return { removed: true as const, workflows: users };
      } catch (err) {
        if (err instanceof ConnectionInUseError) throw new ApiError(409, err.message, 'name');
        throw err;
      }
    },
    'connections.test': async ({ name, baseUrl, apiKey, extras }) => {
      const current = connectionOf(name);
      const stored = app.connections.resolve(name);
      const key = apiKey?.trim();
      if (baseUrl === undefined && !key && extras === undefined) {
        const result = await testConnection(stored);
        return { ok: result.ok, message: result.message };
      }
      // Unsaved changes from the edit form: tested as they would be saved, and never stored
      // (not even tokens an OAuth refresh would renew).
      const { saveTokens: _notSaved, ...connection } = stored;
      let address = stored.baseUrl;
      if (baseUrl !== undefined) {
        const given = baseUrl.trim() || apiProfile(current.app)?.defaultBaseUrl;
        if (!given) throw new ApiError(400, `${appNameOf(current.app)} needs the address of its API (the base URL).`, 'baseUrl');
        const parsed = ConnectionPatch.shape.baseUrl.safeParse(given);
        if (!parsed.success) throw new ApiError(400, `The connection's base URL ${parsed.error.issues[0]?.message}.`, 'baseUrl');
        address = parsed.data ?? undefined;
      }
      const result = await testConnection({
        ...connection,
        ...(address ? { baseUrl: address } : {}),
        ...(key ? { secret: key } : {}),
        ...(extras !== undefined ? { extras: filledExtras(extras) } : {}),
      });
      return { ok: result.ok, message: result.message };
    },

    'templates.list': () => bundledTemplates(app.registry),
    'templates.get': (source) => {
      const template = templateOf(app, source);
      return {
        summary: summarizeTemplate(source.template ?? template.workflow.id, template.workflow, app.registry),
        document: template.workflow,
        requirements: templateRequirements(template.workflow, app.registry),
      };
    },
    'templates.plan': async ({ bindings, mappings, values, ...source }) => {
      const plan = await planImport(app, templateOf(app, source), { bindings: chosen(bindings), mappings, values });
      return { report: plan.report, bindings: plan.bindings, mapped: plan.mapped, warnings: plan.warnings, problems: plan.problems };
    },
    'templates.import': async ({ bindings, mappings, values, id, createMissing, ...source }) => {
      const result = await importTemplate(app, templateOf(app, source), {
        id,
        bindings: chosen(bindings),
        mappings,
        values,
        createMissing,
      });
      hub.emit('workflows.changed', { id: result.workflowId });
      const { workflowId, version, name, created, mapped, warnings } = result;
      return { workflowId, version, name, bindings: result.bindings, created, mapped, warnings };
    },
    'templates.export': ({ id, version }) => {
      if (!app.workflows.get(id)) throw notFound(id);
      if (version !== undefined && !app.workflows.document(id, version)) {
        throw new ApiError(404, `Workflow "${id}" has no version ${version}.`, 'version');
      }
      return exportTemplate(app, id, version);
    },

    'settings.get': () => app.settings.all(),
    'settings.set': async ({ key, value }) => {
      await app.changeSetting(key, value);
      // A new public address changes how live workflows receive events: lists show it.
      if (key === 'webhooks.publicUrl')
        for (const row of app.workflows.list()) if (row.status === 'live') hub.emit('workflows.changed', { id: row.id });
      return { ok: true };
    },
  };

  /** A stored version's document; the 404 names the version asked for and the ones there are. */
  function versionOf(id: string, version: number, field: string): Workflow {
    const row = app.workflows.get(id);
    if (!row) throw notFound(id);
    const document = app.workflows.document(id, version);
    if (!document) {
      const range = row.version === 1 ? 'it has only version 1' : `it has versions 1 to ${row.version}`;
      throw new ApiError(404, `"${row.name}" has no version ${version}; ${range}.`, field);
    }
    return document;
  }

  /**
   * The accounts behind each connection alias, so the changes name them. Bindings are not kept per
   * version: the current ones apply to each side whose alias is declared for the bound account's
   * app, and not where the alias's own label changed (the binding would hide that change).
   */
  function bindingsFor(id: string, before: Workflow, after: Workflow): DiffLabels['bindings'] {
    const bound = app.connections.bindings(id);
    const side = (doc: Workflow) =>
      Object.fromEntries(
        Object.entries(bound).filter(([alias, name]) => {
          const declared = doc.connections[alias];
          if (!declared || app.connections.get(name)?.app !== declared.app) return false;
          const [was, now] = [before.connections[alias], after.connections[alias]];
          return !was || !now || (was.label ?? '') === (now.label ?? '');
        }),
      );
    return { before: side(before), after: side(after) };
  }

  function connectionOf(name: string): ConnectionInfo {
    const info = app.connections.get(name);
    if (!info) throw new ApiError(404, `There is no connection named "${name}".`, 'name');
    return info;
  }

  function eventOf(id: number): InboxEvent {
    const event = app.inbox.get(id);
    if (!event) throw new ApiError(404, `There is no event #${id}.`, 'id');
    return event;
  }

  async function call(method: string, input: unknown): Promise<CallResult> {
    if (!isMethod(method)) return failure(404, { error: `There is no method "${method}".` });
    const spec = contract[method];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) return failure(400, inputError(parsed.error));
    let value: unknown;
    try {
      value = await (handlers[method] as (input: unknown) => unknown)(parsed.data);
    } catch (err) {
      return toFailure(err, app);
    }
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      const where = checked.error.issues[0]?.path.join('.') || '(root)';
      return failure(500, { error: `Pipewright gave an answer to "${method}" that does not match the contract (at ${where}).` });
    }
    return { ok: true, value: scrubSecrets(checked.data, app) };
  }

  return { call, subscribe: (listener) => hub.subscribe(listener), close: () => hub.close() };
}

/**
 * A bundled template by id, or a document the user gave. A name is never read as a file path: the
 * UI may only open the gallery's own files.
 */
function templateOf(app: App, source: { template?: string; document?: unknown; fileName?: string }): LoadedTemplate {
  if (source.template !== undefined) {
    if (!bundledTemplatePath(source.template))
      throw new ApiError(404, `There is no template "${source.template}" in the gallery.`, 'template');
    return loadTemplate(source.template, app.registry);
  }
  if (source.document === undefined)
    throw new ApiError(400, 'Say which template: one from the gallery or a template document.', 'template');
  return templateFromDocument(source.document, app.registry, source.fileName?.trim() || undefined);
}

/** Aliases left unchosen in the UI ("") fall back to the only connection of their app. */
function chosen(bindings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(bindings).filter(([, name]) => name.trim() !== ''));
}

function notFound(id: string, field = 'id'): ApiError {
  return new ApiError(404, `There is no workflow "${id}".`, field);
}

/** `base-copy`, `base-copy-2`, … within the 64 characters a workflow id may have. */
function freeId(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '-copy' : `-copy-${n}`;
    const id = `${base.slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}

function nodeInfoOf(workflow: Workflow | undefined): NodeInfo {
  const nodes = new Map((workflow?.nodes ?? []).map((n) => [n.id, n]));
  // A deleted workflow's runs stay in the journal: show them with their step ids.
  return (id) => ({ name: nodes.get(id)?.name ?? id, type: nodes.get(id)?.type ?? '' });
}

// ----- Events (the inbox) as the events screen and `pipewright events` show them -----------------

/** One event as the events list shows it: its source and name in plain words, and what it is about. */
export function describeEvent(app: App, event: InboxEvent): InboxEventSummary {
  return {
    id: event.id,
    source: event.source,
    sourceLabel: sourceLabel(app, event.source),
    event: event.event,
    eventLabel: eventLabel(app, event.event),
    status: event.status,
    receivedAt: event.receivedAt,
    processedAt: event.processedAt,
    note: event.note,
    workflowId: event.workflowId,
    depth: event.depth,
    summary: summarizePayload(event.payload),
  };
}

/** An event in full: its payload, its cause and the runs it started. */
export function eventDetail(app: App, event: InboxEvent): InboxEventDetail {
  return {
    ...describeEvent(app, event),
    payload: event.payload,
    causeRunId: event.causeRunId,
    causeWorkflowId: event.causeWorkflowId,
    runs: runsStartedBy(app, event),
  };
}

function sourceLabel(app: App, source: string): string {
  if (source === 'schedule') return 'Schedule';
  return app.registry.connectors.find((c) => c.id === source)?.name ?? plainWords(source);
}

/** The label of the trigger that listens to the event ("Record created"), else its name in words. */
function eventLabel(app: App, name: string): string {
  if (name === 'schedule') return 'Scheduled time';
  const trigger = app.registry.resolve(app.registry.triggersFor(name)[0] ?? '');
  if (trigger?.kind === 'trigger') return trigger.trigger.label;
  return plainWords(name.slice(name.indexOf(':') + 1));
}

/** `task.updated` → "Task updated", `ContactCreate` → "Contact create". */
function plainWords(name: string): string {
  const words = name
    .replace(/[._:-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const SUMMARY_MAX = 120;

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * What an event is about, in one line: the record's title or the contact's name, the email, and
 * what changed (a new stage, a tag). Payloads follow each app's shape, so this looks for the
 * fields those shapes share rather than knowing every app.
 */
export function summarizePayload(payload: unknown): string {
  const outer = asObject(payload) ?? {};
  const data = asObject(outer.data) ?? outer;
  const inner = asObject(data.data) ?? asObject(data.fields) ?? {};
  const person = [textOf(data.first_name ?? data.firstName), textOf(data.last_name ?? data.lastName)].filter(Boolean).join(' ');
  const form = textOf(data.form);
  const name = person || textOf(data.name) || textOf(data.title) || (form ? `Form "${form}"` : undefined);
  const email = textOf(data.email) ?? textOf(inner.email);
  const parts = [name, email === name ? undefined : email];
  const stage = textOf(data.to_stage);
  if (stage) parts.push(`→ ${stage}`);
  const tag = textOf(data.tag);
  if (tag) parts.push(`tagged "${tag}"`);
  const scheduledFor = textOf(data.scheduledFor);
  if (scheduledFor) parts.push(`Scheduled for ${scheduledFor.slice(0, 16).replace('T', ' ')} UTC`);
  // A refused webhook delivery keeps why it was refused, not a record.
  if (!parts.some(Boolean)) parts.push(textOf(outer.reason));
  const line = parts.filter(Boolean).join(' · ');
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}

const RUN_PAGE = 200;
/** How many newer runs are looked through for an event's runs before giving up. */
const RUN_SCAN_LIMIT = 2_000;

/**
 * The runs an event started. The dispatcher starts them in the same moment it marks the event
 * processed, so they are the live runs started at `processedAt` that carry the event's id. The
 * journal has no lookup by event yet, so this pages back through the runs started since then.
 */
export function runsStartedBy(app: App, event: InboxEvent): RunSummary[] {
  const at = event.processedAt;
  if (event.status !== 'processed' || !at) return [];
  const found: RunSummary[] = [];
  for (let offset = 0; offset < RUN_SCAN_LIMIT; offset += RUN_PAGE) {
    const page = app.journal.list({ since: at, mode: 'live', limit: RUN_PAGE, offset });
    for (const run of page) {
      if (run.startedAt === at && app.journal.getRun(run.runId)?.eventId === event.id) found.push(run);
    }
    if (page.length < RUN_PAGE) break;
  }
  return found;
}

/** "Kanvo" for `kanvo`; an unknown id as it is. */
function appNameOf(appId: string): string {
  return apiProfile(appId)?.name ?? appId;
}

/** Empty rows of the form are not settings. */
function filledExtras(extras: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(extras)
      .map(([k, v]) => [k.trim(), v.trim()])
      .filter(([k, v]) => k && v),
  );
}

function failure(status: number, error: RpcError): CallResult {
  return { ok: false, status, error };
}

function fieldOf(path: readonly PropertyKey[]): string | undefined {
  return path.length ? path.map(String).join('.') : undefined;
}

function inputError(error: z.ZodError): RpcError {
  const issues: Issue[] = error.issues.map((issue) => {
    const field = fieldOf(issue.path);
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    const what = missing
      ? 'is required'
      : issue.message
          .replace(/^Invalid input: /, '')
          .replace(/\.$/, '')
          .toLowerCase();
    return { message: field ? `"${field}" ${what}.` : `The input ${what}.`, ...(field ? { field } : {}) };
  });
  const first = issues[0] as Issue;
  return { error: first.message, ...(first.field ? { field: first.field } : {}), issues };
}

function toFailure(err: unknown, app: App): CallResult {
  const result = classify(err);
  // Messages may quote what a user or a remote API supplied.
  return result.ok ? result : { ...result, error: scrubSecrets(result.error, app) };
}

function classify(err: unknown): CallResult {
  if (err instanceof ApiError) return failure(err.status, { error: err.message, ...(err.field ? { field: err.field } : {}) });
  if (err instanceof InvalidWorkflowError) {
    return failure(400, {
      error: `The workflow has ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}.`,
      issues: err.issues,
    });
  }
  if (err instanceof CrmError) return failure(400, { error: err.message, ...(err.field ? { field: err.field } : {}) });
  // A template is refused whole: every reason comes back, one issue each.
  if (err instanceof TemplateError) {
    const count = err.problems.length;
    const error = count === 1 ? err.message : `${err.source} cannot be used; it has ${count} problems.`;
    return failure(400, { error, issues: err.problems.map((message) => ({ message })) });
  }
  if (err instanceof TemplateImportError) {
    const missing = err.plan.report.items.filter((i) => i.status === 'missing').map((i) => i.message);
    const issues = [...err.plan.problems, ...missing].map((message) => ({ message }));
    return failure(400, { error: `The template ${err.template} cannot be imported yet.`, issues });
  }
  if (err instanceof Error && err.name === 'ZodError') return failure(400, inputError(err as z.ZodError));
  if (err instanceof Error && err.name === 'ConnectionError') return failure(400, { error: err.message });
  return failure(500, { error: describeError(err) });
}

/**
 * Defence in depth: no answer may carry a stored secret, even one a remote API echoed into a step
 * output or an error. Connections are masked at the source; this catches what slips through.
 */
function scrubSecrets<T>(value: T, app: App): T {
  const names = app.secrets.names();
  if (names.length === 0) return value;
  const needles: string[] = [];
  for (const name of names) {
    // Token expiry times are stored with the secrets but are not secret (and would match ordinary dates).
    if (name.endsWith(':expires')) continue;
    try {
      const secret = app.secrets.get(name);
      // Short values (flags, expiry dates) are not credentials and would mangle ordinary text.
      if (secret && secret.length >= 8) needles.push(JSON.stringify(secret).slice(1, -1));
    } catch {
      // A secret sealed with another key cannot leak through us either.
    }
  }
  if (needles.length === 0) return value;
  let text = JSON.stringify(value);
  if (text === undefined || !needles.some((n) => text.includes(n))) return value;
  for (const needle of needles) text = text.split(needle).join('••••••');
  return JSON.parse(text) as T;
}

/** How long changes are gathered before they go out: a burst of writes becomes one refresh in the UI. */
const FLUSH_MS = 50;
/** At most this many CRM changes per flush; beyond, one `{ entity, id: '*' }` per entity says "many changed". */
const MAX_CRM_EVENTS = 200;

/**
 * Fans the app's run and CRM changes out to UI subscribers. It hooks into the app only while
 * someone listens, and coalesces bursts (a live run can touch thousands of rows a second).
 */
class EventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly pending = new Map<string, { event: EventName; payload: unknown }>();
  private readonly crmPending = new Map<string, CrmChange['entity']>();
  private timer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;

  constructor(private readonly app: App) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    if (!this.detach) {
      const offRuns = this.app.onRunUpdated((update: RunUpdate) => this.emit('run.updated', update));
      const offCrm = this.app.onCrmChanged((change) => this.crmChanged(change));
      const offWorkflows = this.app.onWorkflowChanged((id) => this.emit('workflows.changed', { id }));
      this.detach = () => {
        offRuns();
        offCrm();
        offWorkflows();
      };
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (this.listeners.size === 0) return;
    const key = event === 'run.updated' ? (payload as EventPayload<'run.updated'>).runId : (payload as { id: string }).id;
    // Later news about the same run or workflow replaces earlier news in the same flush.
    this.pending.delete(`${event}:${key}`);
    this.pending.set(`${event}:${key}`, { event, payload: events[event].parse(payload) });
    this.schedule();
  }

  private crmChanged(change: CrmChange): void {
    this.crmPending.set(`${change.entity}:${change.id}`, change.entity);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (this.crmPending.size > MAX_CRM_EVENTS) {
      for (const entity of new Set(this.crmPending.values())) batch.push({ event: 'crm.changed', payload: { entity, id: '*' } });
    } else {
      for (const [key, entity] of this.crmPending)
        batch.push({ event: 'crm.changed', payload: { entity, id: key.slice(entity.length + 1) } });
    }
    this.crmPending.clear();
    for (const { event, payload } of batch) {
      for (const listener of this.listeners) {
        try {
          listener(event, payload);
        } catch {
          // A broken subscriber (a closed window, a dropped connection) must not stop the others.
        }
      }
    }
  }

  private stop(): void {
    this.detach?.();
    this.detach = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.crmPending.clear();
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }
}
