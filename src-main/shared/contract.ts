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

/** One change between two versions, in plain words (shared/workflow-diff.ts). */
export const WorkflowChangeSchema = z.object({ kind: z.string(), nodeId: z.string().optional(), text: z.string() });

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

/** How fast Pipewright may call a connection, shared by all its workflows (the store's RateLimit). */
export const ConnectionRateLimit = z.object({
  requestsPerSecond: z.number().positive().max(10_000),
  burst: z.int().min(1).max(100_000),
});

/** A connection as the list shows it: with its rate limit (null: the app's default), to edit it. */
export const ConnectionListItem = ConnectionInfo.extend({ rateLimit: ConnectionRateLimit.nullable() });

/** A saved workflow whose steps use a connection, by the aliases that resolve to it. */
export const ConnectionUser = z.object({ id: z.string(), name: z.string(), status: WorkflowStatus, aliases: z.array(z.string()) });
export type ConnectionUser = z.infer<typeof ConnectionUser>;

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

/** A bundled template as the gallery lists it. */
export const TemplateSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  apps: z.array(z.object({ id: z.string(), name: z.string() })),
  nodeCount: z.number(),
  /** The label of its trigger, e.g. "Kanvo stage changed". */
  trigger: z.string(),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

/** Which template: a bundled one by its id, or a document the user gave (a file, the clipboard). */
const TemplateSource = z.object({
  template: z.string().min(1).max(200).optional(),
  document: Json.optional(),
  /** The file's name, to say which file a problem is in. */
  fileName: z.string().max(300).optional(),
});

/** What the user chose for an import: a connection per alias, names mapped onto theirs, values filled in. */
const TemplateChoices = z.object({
  bindings: z.record(z.string(), z.string()).default({}),
  mappings: z
    .object({
      stages: z.record(z.string(), z.string()).optional(),
      objectTypes: z.record(z.string(), z.string()).optional(),
      pipelines: z.record(z.string(), z.string()).optional(),
    })
    .default({}),
  values: z.record(z.string(), Json).default({}),
});

/** Where something must exist: the local CRM (alias null) or the app behind a connection alias. */
const TemplatePlace = z.object({ alias: z.string().nullable(), app: z.string(), appName: z.string() });

export const TemplateRequirements = z.object({
  connections: z.array(
    z.object({
      alias: z.string(),
      app: z.string(),
      appName: z.string(),
      label: z.string().optional(),
      access: z.enum(['read', 'write']),
      scopes: z.array(z.string()),
      steps: z.array(z.string()),
    }),
  ),
  objectTypes: z.array(z.object({ place: TemplatePlace, name: z.string(), steps: z.array(z.string()) })),
  pipelines: z.array(
    z.object({ place: TemplatePlace, pipeline: z.string().nullable(), stages: z.array(z.string()), steps: z.array(z.string()) }),
  ),
  customFields: z.array(z.object({ place: TemplatePlace, on: z.string(), fields: z.array(z.string()), steps: z.array(z.string()) })),
  tags: z.array(z.string()),
  /** Values only the importer knows, by `step.field`. */
  inputs: z.array(z.object({ key: z.string(), nodeId: z.string(), step: z.string(), field: z.string(), hint: z.string() })),
});
export type TemplateRequirements = z.infer<typeof TemplateRequirements>;

/** One thing an import checked, in plain words; a missing one carries the closest existing name. */
export const TemplateCheckItem = z.object({
  kind: z.enum(['connection', 'objectType', 'pipeline', 'stage', 'customField', 'input']),
  status: z.enum(['ok', 'missing', 'unchecked']),
  message: z.string(),
  name: z.string(),
  place: TemplatePlace.optional(),
  pipeline: z.string().nullable().optional(),
  stages: z.array(z.string()).optional(),
  candidate: z.string().optional(),
  existing: z.array(z.string()).optional(),
  canCreate: z.boolean().optional(),
  steps: z.array(z.string()),
});
export type TemplateCheckItem = z.infer<typeof TemplateCheckItem>;

export const TemplatePlan = z.object({
  report: z.object({ ok: z.boolean(), items: z.array(TemplateCheckItem) }),
  bindings: z.array(
    z.object({
      alias: z.string(),
      app: z.string(),
      appName: z.string(),
      connection: z.string().optional(),
      automatic: z.boolean().optional(),
      problem: z.string().optional(),
      candidates: z.array(z.string()),
    }),
  ),
  /** Mappings applied, e.g. `Stage "qualified" → "Contacted"`. */
  mapped: z.array(z.string()),
  warnings: z.array(z.string()),
  /** Problems besides the report's missing items (an unknown alias or value key). */
  problems: z.array(z.string()),
});
export type TemplatePlan = z.infer<typeof TemplatePlan>;

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
  /** What changed from version `from` to version `to`, step and field names as the catalog words them. */
  'workflows.diff': {
    input: z.object({ id: Id, from: z.int().min(1), to: z.int().min(1) }),
    output: z.array(WorkflowChangeSchema),
  },
  /** Saves an earlier version's document as a new version ("Restored version N"); a live workflow with problems becomes a draft. */
  'workflows.restore': { input: z.object({ id: Id, version: z.int().min(1) }), output: SaveResult },
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

  'connections.list': { input: z.object({}), output: z.array(ConnectionListItem) },
  /** The apps a connection can be made to, with the API address and the rate limit used when none is given. */
  'connections.apps': {
    input: z.object({}),
    output: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        description: z.string(),
        defaultBaseUrl: z.string().nullable(),
        /** Used while a connection sets none of its own. */
        defaultRateLimit: ConnectionRateLimit,
      }),
    ),
  },
  /** Stores a new connection; the key goes only into the encrypted store and comes back masked. */
  'connections.add': {
    input: z.object({
      name: z.string().min(1).max(64),
      app: z.string().min(1).max(64),
      baseUrl: z.string().max(2000).optional(),
      apiKey: z.string().min(1).max(10_000),
      extras: z.record(z.string(), z.string()).default({}),
    }),
    output: ConnectionInfo,
  },
  /**
   * Changes a connection; only what is given changes. Its name and app cannot change (remove it
   * and add a new one): an `app` other than the stored one is refused. An empty `apiKey` keeps the
   * stored key, an empty `baseUrl` means the app's default address, `extras` replaces the whole
   * set, and a null `rateLimit` means the app's default.
   */
  'connections.update': {
    input: z.object({
      name: z.string().min(1).max(64),
      app: z.string().min(1).max(64).optional(),
      baseUrl: z.string().max(2000).optional(),
      apiKey: z.string().max(10_000).optional(),
      extras: z.record(z.string(), z.string()).optional(),
      rateLimit: ConnectionRateLimit.nullable().optional(),
    }),
    output: ConnectionInfo,
  },
  /** The saved workflows whose steps use the connection (by binding, by name, or as their app's only connection). */
  'connections.usage': { input: z.object({ name: z.string().min(1).max(64) }), output: z.array(ConnectionUser) },
  /**
   * Deletes a connection with its stored key and bindings. Refused (409) while a live workflow
   * uses it; answers the other workflows that used it and now need another connection.
   */
  'connections.remove': {
    input: z.object({ name: z.string().min(1).max(64) }),
    output: z.object({ removed: z.literal(true), workflows: z.array(ConnectionUser) }),
  },
  /**
   * A cheap read with the connection's key: whether the app accepts it, in one sentence. `baseUrl`,
   * `apiKey` and `extras` test changes from the edit form before they are saved (nothing is stored;
   * an empty key means the stored one).
   */
  'connections.test': {
    input: z.object({
      name: z.string().min(1).max(64),
      baseUrl: z.string().max(2000).optional(),
      apiKey: z.string().max(10_000).optional(),
      extras: z.record(z.string(), z.string()).optional(),
    }),
    output: z.object({ ok: z.boolean(), message: z.string() }),
  },

  'templates.list': { input: z.object({}), output: z.array(TemplateSummary) },
  /** A template's document (for a read-only preview) and what it needs; a template that cannot be used answers 400 with every problem. */
  'templates.get': {
    input: TemplateSource,
    output: z.object({ summary: TemplateSummary, document: Json, requirements: TemplateRequirements }),
  },
  /** What importing with these choices would do, checked against the account; changes nothing. */
  'templates.plan': { input: TemplateSource.extend(TemplateChoices.shape), output: TemplatePlan },
  /** Imports as a draft bound to the chosen connections; anything still missing answers 400 with each item. */
  'templates.import': {
    input: TemplateSource.extend(TemplateChoices.shape).extend({
      id: z.string().min(1).max(64).optional(),
      /** Create missing object types, pipelines and stages in the local CRM. */
      createMissing: z.boolean().default(false),
    }),
    output: z.object({
      workflowId: z.string(),
      version: z.number(),
      name: z.string(),
      bindings: z.record(z.string(), z.string()),
      created: z.array(z.string()),
      mapped: z.array(z.string()),
      warnings: z.array(z.string()),
    }),
  },
  /** A saved workflow as a template to share; fields that looked like credentials are replaced and listed. */
  'templates.export': {
    input: z.object({ id: Id, version: z.int().min(1).optional() }),
    output: z.object({ template: Json, removedSecrets: z.array(z.string()) }),
  },

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
