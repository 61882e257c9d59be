import { z } from 'zod';

/**
 * The one place a UI method exists: its name, input and output. The Electron IPC handlers, the
 * browser edition's HTTP RPC and the renderer's client are all derived from this table, and the
 * main side validates every input and output against it.
 */

const Json = z.unknown();
const Id = z.string().min(1).max(200);

export const WorkflowStatus = z.enum(['draft', 'live', 'paused']);
export const RunStatus = z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'needs_review', 'cancelled']);
export const RunMode = z.enum(['live', 'test']);

export const Issue = z.object({ message: z.string(), nodeId: z.string().optional(), field: z.string().optional() });
export type Issue = z.infer<typeof Issue>;

/** How one remote trigger of a live workflow receives its events, as the editor and the list show it. */
export const TriggerHook = z.object({
  nodeId: z.string(),
  /** The app's id (`kanvo`, `kanbert`, `ghl`, …) and its name in words ("Kanvo"). */
  app: z.string(),
  appName: z.string(),
  /** `webhook`: the app sends each change; `poll`: Pipewright asks the app for changes on an interval. */
  mode: z.enum(['webhook', 'poll']),
  /** The public address deliveries go to; null when no public address is set. */
  url: z.string().nullable(),
  /** Registered with the app automatically; otherwise the user pastes `url` into the app (webhook mode). */
  registered: z.boolean(),
  /** The last problem receiving events, in plain words; null when all is well. */
  lastError: z.string().nullable(),
  polledAt: z.string().nullable(),
  /** How often a polling trigger is checked, in seconds; null for webhooks. */
  pollSeconds: z.number().nullable(),
});
export type TriggerHook = z.infer<typeof TriggerHook>;

export const WorkflowSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  status: WorkflowStatus,
  version: z.number(),
  triggerType: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastRunAt: z.string().nullable(),
  lastRunStatus: RunStatus.nullable(),
  errorCount: z.number(),
  /** Why Pipewright paused it (too many failed runs in a row); null unless paused for that. */
  pausedReason: z.string().nullable(),
  /** How its remote triggers receive events while live; empty for local, schedule and manual triggers, or when not live. */
  triggers: z.array(TriggerHook),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const WorkflowVersionInfo = z.object({ version: z.number(), note: z.string().nullable(), createdAt: z.string() });

export const SaveResult = z.discriminatedUnion('ok', [
  /** Saved; `issues` lists what must be fixed before it can go live (drafts may be incomplete). */
  z.object({ ok: z.literal(true), workflow: WorkflowSummary, issues: z.array(Issue) }),
  z.object({ ok: z.literal(false), issues: z.array(Issue) }),
]);
export type SaveResult = z.infer<typeof SaveResult>;

export const RunSummarySchema = z.object({
  runId: z.string(),
  workflowId: z.string(),
  workflowName: z.string(),
  mode: RunMode,
  dryRun: z.boolean(),
  status: RunStatus,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});

/** RunResult of shared/runs.ts; kept loose here because steps carry arbitrary data. */
export const RunResultSchema = z
  .object({ runId: z.string(), workflowId: z.string(), status: RunStatus, dryRun: z.boolean(), steps: z.array(z.record(z.string(), Json)) })
  .loose();

export const TriggerEventInput = z.object({ event: z.string(), timestamp: z.string(), data: z.record(z.string(), Json) }).loose();

export const RecordQuery = z.object({
  type: z.string().optional(),
  search: z.string().optional(),
  pipeline: z.string().optional(),
  stage: z.string().optional(),
  limit: z.int().min(1).max(500).default(100),
  offset: z.int().min(0).default(0),
});

export const ConnectionInfo = z.object({
  name: z.string(),
  app: z.string(),
  baseUrl: z.string().nullable(),
  auth: z.string(),
  /** Never the secret itself: whether one is stored and its last characters. */
  hasSecret: z.boolean(),
  secretHint: z.string().nullable(),
  extras: z.record(z.string(), z.string()),
});

/** Where an inbox event stands; `pending` is waiting to be processed, the others are final. */
export const InboxEventStatus = z.enum(['pending', 'processed', 'no_match', 'duplicate', 'echo', 'loop_stopped', 'rejected', 'failed']);
export type InboxEventStatus = z.infer<typeof InboxEventStatus>;

/** One event that may start runs, as the events list shows it. */
export const InboxEventSummary = z.object({
  id: z.int(),
  /** `local`, `schedule` or the app a delivery came from (`kanvo`, `ghl`, …). */
  source: z.string(),
  /** The source's name in plain words, e.g. "Local CRM". */
  sourceLabel: z.string(),
  /** The inbox event name, e.g. `record.created` or `kanvo:record.created`. */
  event: z.string(),
  /** The event in plain words, e.g. "Record created". */
  eventLabel: z.string(),
  status: InboxEventStatus,
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
  note: z.string().nullable(),
  /** The workflow a webhook delivery was addressed to; null when any live workflow may listen. */
  workflowId: z.string().nullable(),
  /** How many workflow runs in a row led to this event (0: a person or a remote app caused it). */
  depth: z.int(),
  /** One line on what the event is about: a record's title, a contact's name or email; empty when unknown. */
  summary: z.string(),
});
export type InboxEventSummary = z.infer<typeof InboxEventSummary>;

/** An event in full: its payload, what caused it and the runs it started. */
export const InboxEventDetail = InboxEventSummary.extend({
  payload: Json,
  causeRunId: z.string().nullable(),
  causeWorkflowId: z.string().nullable(),
  runs: z.array(RunSummarySchema),
});
export type InboxEventDetail = z.infer<typeof InboxEventDetail>;

/** Every method the UI may call. */
export const contract = {
  'app.info': {
    input: z.object({}),
    output: z.object({ version: z.string(), dataDir: z.string(), edition: z.enum(['desktop', 'browser']) }),
  },
  'catalog.get': { input: z.object({}), output: z.object({ apps: z.array(Json), nodes: z.array(Json) }).loose() },

  'workflows.list': { input: z.object({ search: z.string().optional() }), output: z.array(WorkflowSummary) },
  'workflows.get': {
    input: z.object({ id: Id, version: z.int().optional() }),
    output: z.object({ workflow: WorkflowSummary, document: Json }),
  },
  'workflows.validate': { input: z.object({ document: Json }), output: z.object({ ok: z.boolean(), issues: z.array(Issue) }) },
  'workflows.save': { input: z.object({ document: Json, note: z.string().max(500).optional() }), output: SaveResult },
  'workflows.setLive': {
    input: z.object({ id: Id, live: z.boolean() }),
    output: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), workflow: WorkflowSummary }),
      z.object({ ok: z.literal(false), issues: z.array(Issue) }),
    ]),
  },
  'workflows.duplicate': { input: z.object({ id: Id }), output: WorkflowSummary },
  'workflows.delete': { input: z.object({ id: Id }), output: z.object({ deleted: z.boolean() }) },
  'workflows.versions': { input: z.object({ id: Id }), output: z.array(WorkflowVersionInfo) },
  /** Checks every polling trigger for changes now (not only this workflow's); answers the workflow as it is then. */
  'workflows.checkNow': { input: z.object({ id: Id }), output: WorkflowSummary },

  'runs.list': {
    input: z.object({
      workflowId: z.string().optional(),
      status: RunStatus.optional(),
      mode: RunMode.optional(),
      since: z.string().optional(),
      limit: z.int().min(1).max(500).default(50),
      offset: z.int().min(0).default(0),
    }),
    output: z.array(RunSummarySchema),
  },
  'runs.get': { input: z.object({ runId: Id }), output: RunResultSchema },
  /** Runs a saved workflow (by id) or an unsaved document once: a dry run unless `dryRun` is false. */
  'runs.start': {
    input: z.object({
      workflowId: z.string().optional(),
      document: Json.optional(),
      event: TriggerEventInput.optional(),
      dryRun: z.boolean().default(true),
    }),
    output: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), run: RunResultSchema }),
      z.object({ ok: z.literal(false), issues: z.array(Issue) }),
    ]),
  },
  /** Runs a failed run again from its failed step (steps that succeeded are not repeated). */
  'runs.retry': { input: z.object({ runId: Id }), output: RunResultSchema },
  /** Test events a user can pick: the trigger's sample and recent real events it would have matched. */
  'runs.sampleEvents': {
    input: z.object({ document: Json }),
    output: z.array(z.object({ label: z.string(), event: TriggerEventInput })),
  },

  /** Newest first; `before` pages back from an event id. `counts` covers every event, whatever the filter. */
  'events.list': {
    input: z.object({
      status: InboxEventStatus.optional(),
      workflowId: z.string().optional(),
      before: z.int().min(1).optional(),
      limit: z.int().min(1).max(200).default(50),
    }),
    output: z.object({ events: z.array(InboxEventSummary), counts: z.record(InboxEventStatus, z.int()) }),
  },
  'events.get': { input: z.object({ id: z.int().min(1) }), output: InboxEventDetail },
  /** Queues a copy of the event to be processed again; answers the copy's id. */
  'events.replay': { input: z.object({ id: z.int().min(1) }), output: z.object({ id: z.int() }) },

  'crm.schema': {
    input: z.object({}),
    output: z.object({
      objectTypes: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string(), icon: z.string().nullable() }).loose()),
      pipelines: z.array(
        z
          .object({
            id: z.string(),
            name: z.string(),
            slug: z.string(),
            stages: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string() }).loose()),
          })
          .loose(),
      ),
      tags: z.array(z.string()),
    }),
  },
  'crm.records': { input: RecordQuery, output: z.object({ rows: z.array(z.record(z.string(), Json)), total: z.number() }) },
  'crm.contacts': {
    input: z.object({
      search: z.string().optional(),
      tag: z.string().optional(),
      limit: z.int().min(1).max(500).default(100),
      offset: z.int().min(0).default(0),
    }),
    output: z.object({ rows: z.array(z.record(z.string(), Json)) }),
  },
  'crm.tasks': {
    input: z.object({ recordId: z.string().optional(), completed: z.boolean().optional() }),
    output: z.object({ rows: z.array(z.record(z.string(), Json)) }),
  },
  'crm.createRecord': {
    input: z.object({
      type: z.string().min(1),
      title: z.string().min(1),
      pipeline: z.string().optional(),
      stage: z.string().optional(),
      data: z.record(z.string(), Json).optional(),
    }),
    output: z.record(z.string(), Json),
  },

  'connections.list': { input: z.object({}), output: z.array(ConnectionInfo) },

  'settings.get': { input: z.object({}), output: z.record(z.string(), Json) },
  'settings.set': { input: z.object({ key: z.string().min(1), value: Json }), output: z.object({ ok: z.literal(true) }) },
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type MethodInput<M extends Method> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends Method> = z.output<Contract[M]['output']>;

export function isMethod(name: string): name is Method {
  return Object.hasOwn(contract, name);
}

/** Events the main side pushes to the UI (IPC `on`, or server-sent events in the browser edition). */
export const events = {
  'run.updated': z.object({ runId: z.string(), workflowId: z.string(), status: RunStatus, dryRun: z.boolean() }),
  'crm.changed': z.object({ entity: z.string(), id: z.string() }),
  'workflows.changed': z.object({ id: z.string() }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** A failure the UI shows as it is: a plain sentence, optionally with the field at fault. */
export const RpcError = z.object({ error: z.string(), field: z.string().optional(), issues: z.array(Issue).optional() });
export type RpcError = z.infer<typeof RpcError>;
