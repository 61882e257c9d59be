import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { maskSecret } from '../store/connections.ts';
import { slugify } from '../store/crm.ts';
import {
  type ConnectorWebhooks,
  defineAction,
  defineConnector,
  defineTrigger,
  type EchoKey,
  type PlanResult,
  type ReceivedEvent,
  type ResolvedConnection,
  type RunContext,
  type TriggerEvent,
  WebhookRejection,
} from './define.ts';
import {
  type ApiClient,
  ApiError,
  type ApiRequest,
  asChangeCursor,
  bodyDedupeKey,
  type ChangeCursor,
  changesSince,
  clientFor,
  clientForConnection,
  collect,
  defineApi,
  inChangeOrder,
  type Option,
  segment,
} from './http.ts';
import {
  absentIfBlank,
  limitField,
  optionalChoice,
  optionalDate,
  optionalFields,
  optionalFlag,
  optionalText,
  Timestamp,
  text,
  textList,
} from './remote-fields.ts';

/**
 * Kanvo (kanvo-api.txt): records, pipelines and stages, tasks, webhooks and the workspace schema,
 * over its REST API v1 (Bearer `kv_live_…` keys with the read, write or admin scope; answers in
 * `{success, data, meta}`; lists paged with page/per_page, at most 100 a page).
 */

export const KANVO_EVENTS = [
  'record.created',
  'record.updated',
  'record.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'task.completed',
  'pipeline.stage_changed',
  'contract.created',
  'contract.signed',
  'form.submitted',
  'contact.created',
  'contact.updated',
] as const;
export type KanvoEvent = (typeof KANVO_EVENTS)[number];

/**
 * The inbox event name of a Kanvo webhook delivery. Prefixed because the local CRM emits events of
 * the same names: a local `record.created` must never start a workflow listening to Kanvo.
 */
export function kanvoInboxEvent(event: string): string {
  return `kanvo:${event}`;
}

/** The `X-Kanvo-Signature` of a delivery: HMAC-SHA256 of the raw body with the webhook's signing secret. */
export function signKanvoPayload(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Checks a delivery's signature in constant time. */
export function verifyKanvoSignature(rawBody: string | Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signKanvoPayload(rawBody, secret));
  const given = Buffer.from(signature.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

// ---------------------------------------------------------------------------------------------
// The API profile: auth, envelope, limits, test and dropdown options
// ---------------------------------------------------------------------------------------------

const SCOPE_WORD = /\b(read|write|admin)\b/i;

export const kanvoApi = defineApi({
  app: 'kanvo',
  name: 'Kanvo',
  defaultBaseUrl: 'https://kanvocrm.com/api/v1',
  envelope: 'success',
  defaultAuth: 'bearer',
  // Kanvo takes its API keys as Bearer tokens, whatever the connection calls them.
  authHeaders: (_connection, secret) => ({ Authorization: `Bearer ${secret}` }),
  // Kanvo documents no rate limit; 10 a second (bursts of 20) is gentle and still quick.
  rateLimit: { requestsPerSecond: 10, burst: 20 },
  secretPatterns: [/kv_(live|test)_[A-Za-z0-9_-]+/g],
  scopeIn: (message) => (/scope/i.test(message) ? message.match(SCOPE_WORD)?.[1]?.toLowerCase() : undefined),
  keyHelp:
    'Kanvo keys are made in Settings → Advanced → API Keys: "read" reads, "write" also changes records and tasks, "admin" also manages webhooks.',
  async test(client) {
    const schema = await schemaOf(client, { fresh: true });
    const types = schema.object_types.map((t) => t.name);
    const pipelines = schema.pipelines.map((p) => p.name);
    return `${types.length} object type${types.length === 1 ? '' : 's'} (${types.join(', ') || 'none'}) and ${pipelines.length} pipeline${pipelines.length === 1 ? '' : 's'} (${pipelines.join(', ') || 'none'}).`;
  },
  async options(client, kind, params) {
    if (kind === 'kanvoEvent') return KANVO_EVENTS.map((e) => ({ value: e, label: e }));
    const schema = await schemaOf(client);
    if (kind === 'objectType') return schema.object_types.map((t) => ({ value: t.slug, label: `${t.icon ?? ''} ${t.name}`.trim() }));
    if (kind === 'pipeline') return schema.pipelines.map((p) => ({ value: p.slug, label: p.name }));
    if (kind === 'stage') {
      const pipelineRef = typeof params.pipeline === 'string' ? params.pipeline : undefined;
      const pipelines = pipelineRef ? schema.pipelines.filter((p) => refersTo(pipelineRef, p)) : schema.pipelines;
      return pipelines.flatMap((p) =>
        [...p.stages].sort((a, b) => a.position - b.position).map((s): Option => ({ value: s.slug, label: s.name, description: p.name })),
      );
    }
    return [];
  },
  async warmUp(client) {
    await schemaOf(client, { fresh: true });
  },
});

// ---------------------------------------------------------------------------------------------
// Schema: object types, pipelines and stages (cached; it feeds name resolution and triggers)
// ---------------------------------------------------------------------------------------------

const ObjectType = z.looseObject({
  id: z.string().meta({ title: 'Object type ID' }),
  name: z.string().meta({ title: 'Name' }),
  slug: z.string().meta({ title: 'Slug', description: 'Short name used in the API, e.g. lead.' }),
  icon: z.string().nullable().optional().meta({ title: 'Icon' }),
});
type ObjectType = z.infer<typeof ObjectType>;

const Stage = z.looseObject({
  id: z.string().meta({ title: 'Stage ID' }),
  name: z.string().meta({ title: 'Name' }),
  slug: z.string().meta({ title: 'Slug' }),
  position: z.number().meta({ title: 'Position', description: 'Order in the pipeline, from 0.' }),
});
type Stage = z.infer<typeof Stage>;

const Pipeline = z.looseObject({
  id: z.string().meta({ title: 'Pipeline ID' }),
  name: z.string().meta({ title: 'Name' }),
  slug: z.string().meta({ title: 'Slug' }),
  stages: z.array(Stage).meta({ title: 'Stages' }),
});
type Pipeline = z.infer<typeof Pipeline>;

const KanvoSchema = z.object({
  object_types: z.array(ObjectType).meta({ title: 'Object types' }),
  pipelines: z.array(Pipeline).meta({ title: 'Pipelines' }),
});
type KanvoSchema = z.infer<typeof KanvoSchema>;

const SCHEMA_TTL_MS = 60_000;
const schemaCache = new Map<string, { at: number; schema: KanvoSchema }>();

/** Ids learned from every schema read, so webhook triggers can match events by type or stage name. */
const knownTypes = new Map<string, ObjectType>();
const knownStages = new Map<string, { stage: Stage; pipeline: Pipeline }>();

export function rememberKanvoSchema(schema: KanvoSchema): void {
  for (const type of schema.object_types) knownTypes.set(type.id, type);
  for (const pipeline of schema.pipelines) for (const stage of pipeline.stages) knownStages.set(stage.id, { stage, pipeline });
}

async function schemaOf(client: ApiClient, options: { fresh?: boolean } = {}): Promise<KanvoSchema> {
  return (await loadSchema(client, options)).schema;
}

async function loadSchema(client: ApiClient, options: { fresh?: boolean } = {}): Promise<{ schema: KanvoSchema; cached: boolean }> {
  const key = `${client.connection.name}@${client.baseUrl}`;
  const cached = schemaCache.get(key);
  if (!options.fresh && cached && Date.now() - cached.at < SCHEMA_TTL_MS) return { schema: cached.schema, cached: true };
  const response = await client.get('/schema', undefined, { scope: 'read', what: 'read the workspace schema' });
  const parsed = KanvoSchema.safeParse(response.data);
  if (!parsed.success) throw new Error('Kanvo answered GET /schema with an unexpected shape (no object_types or pipelines).');
  schemaCache.set(key, { at: Date.now(), schema: parsed.data });
  rememberKanvoSchema(parsed.data);
  return { schema: parsed.data, cached: false };
}

/** A name the schema does not have (as opposed to one that is ambiguous). */
class SchemaMiss extends Error {}

/** Uses the cached schema, reading it again once when a name is missing: it may have just been added in Kanvo. */
async function withSchema<T>(client: ApiClient, use: (schema: KanvoSchema) => T | Promise<T>): Promise<T> {
  const { schema, cached } = await loadSchema(client);
  try {
    return await use(schema);
  } catch (err) {
    if (!(err instanceof SchemaMiss) || !cached) throw err;
    return use(await schemaOf(client, { fresh: true }));
  }
}

/** A name, slug or id refers to a schema entry regardless of letter case or spacing. */
function refersTo(ref: string, entry: { id: string; name: string; slug: string }): boolean {
  const r = ref.trim();
  return (
    r === entry.id ||
    r.toLowerCase() === entry.slug.toLowerCase() ||
    r.toLowerCase() === entry.name.toLowerCase() ||
    slugify(r) === entry.slug
  );
}

const names = (entries: { name: string }[]) => entries.map((e) => e.name).join(', ') || 'none';

function findObjectType(schema: KanvoSchema, ref: string): ObjectType {
  const type = schema.object_types.find((t) => refersTo(ref, t));
  if (!type) throw new SchemaMiss(`Kanvo has no object type "${ref}" (object types: ${names(schema.object_types)}).`);
  return type;
}

function findPipeline(schema: KanvoSchema, ref: string): Pipeline {
  const pipeline = schema.pipelines.find((p) => refersTo(ref, p));
  if (!pipeline) throw new SchemaMiss(`Kanvo has no pipeline "${ref}" (pipelines: ${names(schema.pipelines)}).`);
  return pipeline;
}

function pipelineOfStage(schema: KanvoSchema, stageId: string | null | undefined): Pipeline | undefined {
  return stageId ? schema.pipelines.find((p) => p.stages.some((s) => s.id === stageId)) : undefined;
}

/**
 * A stage by name, slug or id: within the named pipeline, else within the record's current
 * pipeline, else the only pipeline that has it.
 */
function findStage(schema: KanvoSchema, ref: string, pipelineRef?: string, current?: Pipeline): { stage: Stage; pipeline: Pipeline } {
  const ordered = (p: Pipeline) => [...p.stages].sort((a, b) => a.position - b.position);
  if (pipelineRef) {
    const pipeline = findPipeline(schema, pipelineRef);
    const stage = pipeline.stages.find((s) => refersTo(ref, s));
    if (!stage) throw new SchemaMiss(`The Kanvo pipeline "${pipeline.name}" has no stage "${ref}" (stages: ${names(ordered(pipeline))}).`);
    return { stage, pipeline };
  }
  for (const pipeline of schema.pipelines) {
    const byId = pipeline.stages.find((s) => s.id === ref.trim());
    if (byId) return { stage: byId, pipeline };
  }
  const inCurrent = current?.stages.find((s) => refersTo(ref, s));
  if (current && inCurrent) return { stage: inCurrent, pipeline: current };
  const found = schema.pipelines.flatMap((pipeline) =>
    pipeline.stages.filter((s) => refersTo(ref, s)).map((stage) => ({ stage, pipeline })),
  );
  if (found.length === 1) return found[0] as { stage: Stage; pipeline: Pipeline };
  if (found.length === 0) {
    const all = schema.pipelines.map((p) => `${p.name}: ${names(ordered(p))}`).join('; ');
    throw new SchemaMiss(`Kanvo has no stage "${ref}" (${all || 'no pipelines'}).`);
  }
  throw new Error(
    `The stage "${ref}" is in several Kanvo pipelines (${found.map((f) => f.pipeline.name).join(', ')}); choose the pipeline too.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Output shapes (the API's own field names)
// ---------------------------------------------------------------------------------------------

const Fields = z.record(z.string(), z.unknown());

const KanvoRecord = z.looseObject({
  id: z.string().meta({ title: 'Record ID' }),
  title: z.string().meta({ title: 'Title' }),
  object_type_id: z.string().meta({ title: 'Object type ID' }),
  stage_id: z.string().nullable().meta({ title: 'Stage ID', description: 'Empty when the record is in no pipeline.' }),
  assignee_id: z.string().nullable().meta({ title: 'Assigned to (ID)' }),
  data: Fields.meta({ title: 'Fields', description: "The record's custom fields, e.g. phone, address." }),
  created_at: Timestamp('Created at'),
  updated_at: Timestamp('Updated at').optional(),
  object_types: z
    .object({
      name: z.string().meta({ title: 'Type name' }),
      slug: z.string().meta({ title: 'Type slug' }),
      icon: z.string().nullable().optional(),
    })
    .optional()
    .meta({ title: 'Object type' }),
});
type KanvoRecord = z.infer<typeof KanvoRecord>;

const KanvoTask = z.looseObject({
  id: z.string().meta({ title: 'Task ID' }),
  title: z.string().meta({ title: 'Title' }),
  record_id: z.string().nullable().meta({ title: 'Record ID' }),
  assignee_id: z.string().nullable().meta({ title: 'Assigned to (ID)' }),
  due_date: z.string().nullable().meta({ title: 'Due date' }),
  notes: z.string().nullable().meta({ title: 'Notes' }),
  completed: z.boolean().meta({ title: 'Completed' }),
  created_at: Timestamp('Created at'),
  updated_at: Timestamp('Updated at').optional(),
});
type KanvoTask = z.infer<typeof KanvoTask>;

const KanvoWebhook = z.looseObject({
  id: z.string().meta({ title: 'Webhook ID' }),
  url: z.string().meta({ title: 'URL' }),
  events: z.array(z.string()).meta({ title: 'Events' }),
  is_active: z.boolean().meta({ title: 'Active' }),
  last_triggered_at: z.string().nullable().optional().meta({ title: 'Last delivery at' }),
  last_status: z.number().nullable().optional().meta({ title: 'Last delivery status' }),
  failure_count: z.number().optional().meta({ title: 'Failed deliveries' }),
  created_at: Timestamp('Created at'),
});

const Deleted = z.object({
  deleted: z.literal(true).meta({ title: 'Deleted' }),
  id: z.string().meta({ title: 'ID' }),
});

const FlatStage = Stage.extend({
  pipeline_id: z.string().meta({ title: 'Pipeline ID' }),
  pipeline: z.string().meta({ title: 'Pipeline' }),
});

const listOutput = <T extends z.ZodType>(item: T, noun: string) =>
  z.object({
    [noun]: z.array(item).meta({ title: noun.charAt(0).toUpperCase() + noun.slice(1) }),
    count: z.number().meta({ title: 'Number returned' }),
    total: z.number().nullable().meta({ title: 'Total in Kanvo', description: 'How many match in all, when Kanvo says.' }),
    truncated: z.boolean().meta({ title: 'Cut short', description: 'More matched than "At most" allowed.' }),
    first: item.nullable().meta({ title: 'First one', description: 'The first item, or empty when none matched.' }),
  });

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

const AT = '2026-06-17T14:20:00.000Z';
const WORKSPACE = 'ws_abc123';
const SAMPLE_RECORD: KanvoRecord = {
  id: 'b3e1a2f4-6c5d-4e7f-8a9b-0c1d2e3f4a5b',
  title: 'Johnson Property - Lawn Care',
  object_type_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  stage_id: 'f5e6d7c8-1111-4a2b-8c3d-4e5f6a7b8c9d',
  assignee_id: null,
  data: { phone: '555-123-4567' },
  created_at: '2026-03-14T18:30:00.000Z',
  updated_at: '2026-03-14T18:30:00.000Z',
  object_types: { name: 'Lead', slug: 'lead', icon: '👤' },
};
const SAMPLE_MOVED: KanvoRecord = { ...SAMPLE_RECORD, stage_id: 'f5e6d7c8-2222-4a2b-8c3d-4e5f6a7b8c9d', updated_at: AT };
const SAMPLE_TASK: KanvoTask = {
  id: 'e7f8a9b0-2c3d-4e5f-8a6b-7c8d9e0f1a2b',
  title: 'Follow up on estimate',
  record_id: SAMPLE_RECORD.id,
  assignee_id: null,
  due_date: '2026-07-01',
  notes: null,
  completed: false,
  created_at: AT,
  updated_at: AT,
};
const SAMPLE_SCHEMA: KanvoSchema = {
  object_types: [
    { id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', name: 'Lead', slug: 'lead', icon: '👤' },
    { id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f', name: 'Job', slug: 'job', icon: '🔧' },
  ],
  pipelines: [
    {
      id: 'p1q2r3s4-0000-4a1b-9c2d-3e4f5a6b7c8d',
      name: 'Main Sales',
      slug: 'main-sales',
      stages: [
        { id: 'f5e6d7c8-1111-4a2b-8c3d-4e5f6a7b8c9d', name: 'New', slug: 'new', position: 0 },
        { id: 'f5e6d7c8-2222-4a2b-8c3d-4e5f6a7b8c9d', name: 'Contacted', slug: 'contacted', position: 1 },
      ],
    },
  ],
};
const SAMPLE_WEBHOOK = {
  id: 'wh_abc123',
  url: 'https://your-app.com/hooks/kanvo',
  events: ['record.created', 'pipeline.stage_changed'],
  is_active: true,
  last_triggered_at: '2026-06-17T14:20:00Z',
  last_status: 200,
  failure_count: 0,
  created_at: '2026-03-01T10:00:00Z',
};

// ---------------------------------------------------------------------------------------------
// Shared pieces of the actions
// ---------------------------------------------------------------------------------------------

const PAGE = { style: 'page', pageSize: 100 } as const;

/** Ids handed out by simulated creates in dry runs, so a later simulated step can use them. */
const simulatedIds = new Set<string>();
function simulatedId(): string {
  const id = randomUUID();
  simulatedIds.add(id);
  if (simulatedIds.size > 1000) simulatedIds.delete(simulatedIds.values().next().value as string);
  return id;
}

type Ctx<I> = RunContext<I>;
const kanvo = <I>(ctx: Ctx<I>) => clientFor(kanvoApi, ctx);

/** Sends a request and returns the unwrapped data. */
async function call<T>(client: ApiClient, request: ApiRequest): Promise<T> {
  return (await client.request<T>(request)).data;
}

/**
 * Reads a row for a dry run's simulated output. A row created by an earlier simulated step does
 * not exist in Kanvo: its 404 is expected, and the simulation goes on without the current state.
 */
async function currentForPlan<T>(client: ApiClient, path: string, id: string, what: string): Promise<T | undefined> {
  try {
    return await call<T>(client, { method: 'GET', path, scope: 'read', what });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && simulatedIds.has(id)) return undefined;
    throw err;
  }
}

const recordPath = (id: string) => `/records/${segment(id)}`;
const taskPath = (id: string) => `/records/tasks/${segment(id)}`;

const recordId = text({
  title: 'Record',
  description: 'The Kanvo record, usually picked from an earlier step (its ID).',
  widget: 'record',
});
const taskId = text({ title: 'Task', description: 'The Kanvo task, usually picked from an earlier step (its ID).' });
const assigneeId = (description: string) => optionalText({ title: 'Assign to', description, widget: 'teamMember' });
const pipelineField = (description: string) => optionalText({ title: 'Pipeline', description, widget: 'pipeline' });
const stageField = (description: string) => optionalText({ title: 'Stage', description, widget: 'stage' });
const stageIdField = optionalText({
  title: 'Stage ID',
  description: 'A stage by its Kanvo ID, instead of a pipeline and stage by name.',
  widget: 'advanced',
});

const READS = 'Needs a key with the read scope (or higher).';
const WRITES = 'Needs a key with the write scope (or admin).';
const ADMIN = 'Needs a key with the admin scope.';

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

const listRecords = defineAction({
  key: 'listRecords',
  version: 1,
  label: 'Find records in Kanvo',
  description: `Lists Kanvo records, optionally of one type, by title text or by assignee, reading page after page. ${READS}`,
  effect: 'read',
  input: z.object({
    type: optionalText({
      title: 'Object type',
      description: 'Only records of this type, e.g. lead. Leave empty for every type.',
      widget: 'objectType',
    }),
    search: optionalText({ title: 'Title contains', description: 'Only records whose title contains this text (any letter case).' }),
    assignee_id: optionalText({
      title: 'Assigned to',
      description: 'Only records assigned to this team member (ID).',
      widget: 'teamMember',
    }),
    limit: limitField({ title: 'At most', description: 'The largest number of records to return (1 to 5000).', fallback: 100, max: 5000 }),
  }),
  output: listOutput(KanvoRecord, 'records'),
  sample: { records: [SAMPLE_RECORD], count: 1, total: 1, truncated: false, first: SAMPLE_RECORD },
  async run(ctx) {
    const { limit, type, search, assignee_id } = ctx.input;
    const found = await collect<KanvoRecord>(
      kanvo(ctx),
      { method: 'GET', path: '/records', query: { type, search, assignee_id }, scope: 'read', what: 'list records' },
      PAGE,
      { maxItems: limit },
    );
    return {
      records: found.items,
      count: found.items.length,
      total: found.total,
      truncated: found.truncated,
      first: found.items[0] ?? null,
    };
  },
});

const getRecord = defineAction({
  key: 'getRecord',
  version: 1,
  label: 'Get Kanvo record',
  description: `Reads one Kanvo record with all its fields. ${READS}`,
  effect: 'read',
  input: z.object({ record_id: recordId }),
  output: KanvoRecord,
  sample: SAMPLE_RECORD,
  run: async (ctx) =>
    call<KanvoRecord>(kanvo(ctx), { method: 'GET', path: recordPath(ctx.input.record_id), scope: 'read', what: 'read the record' }),
});

const CreateRecordInput = z
  .object({
    type: text({ title: 'Object type', description: 'What kind of record to create, e.g. lead or job.', widget: 'objectType' }),
    title: optionalText({ title: 'Title', description: 'The name shown on the record. Kanvo uses "Untitled" when empty.' }),
    data: optionalFields({ title: 'Fields', description: 'Custom fields to store on the record, e.g. phone, address.' }),
    assignee_id: assigneeId('The team member responsible (ID). Leave empty for nobody.'),
    pipeline: pipelineField('The pipeline to place the record in (name, slug or ID). It starts in the first stage unless you choose one.'),
    stage: stageField('The stage to start in (name, slug or ID), within the pipeline above.'),
    stage_id: stageIdField,
  })
  .refine((i) => !(i.stage_id && (i.pipeline || i.stage)), {
    error: 'Use either a stage ID or a pipeline and stage, not both.',
    path: ['stage_id'],
  })
  .refine((i) => !(i.stage && !i.pipeline), { error: 'Choose the pipeline the stage belongs to.', path: ['pipeline'] });
type CreateRecordInput = z.output<typeof CreateRecordInput>;

function createRecordRequest(input: CreateRecordInput): ApiRequest {
  const { type, title, data, assignee_id, pipeline, stage, stage_id } = input;
  return {
    method: 'POST',
    path: '/records',
    body: { type, title, data, assignee_id, pipeline, stage, stage_id },
    scope: 'write',
    what: 'create a record',
  };
}

const createRecord = defineAction({
  key: 'createRecord',
  version: 1,
  label: 'Create Kanvo record',
  description: `Creates a record (lead, job, estimate …) in Kanvo, optionally in a pipeline stage. Kanvo then sends "Record created" (and "Stage changed" when a stage is set). ${WRITES}`,
  effect: 'write',
  input: CreateRecordInput,
  output: KanvoRecord,
  sample: SAMPLE_RECORD,
  run: async (ctx) => call<KanvoRecord>(kanvo(ctx), createRecordRequest(ctx.input)),
  async plan(ctx): Promise<PlanResult<KanvoRecord>> {
    const client = kanvo(ctx);
    const { input } = ctx;
    // Reads may run in a dry run: checking the type and stage now shows what a live run would hit.
    const { type, stageId } = await withSchema(client, (schema) => {
      const type = findObjectType(schema, input.type);
      if (!input.pipeline) return { type, stageId: input.stage_id ?? null };
      const pipeline = findPipeline(schema, input.pipeline);
      const first = [...pipeline.stages].sort((a, b) => a.position - b.position)[0];
      return { type, stageId: input.stage ? findStage(schema, input.stage, input.pipeline).stage.id : (first?.id ?? null) };
    });
    const at = ctx.now().toISOString();
    return {
      request: client.plan(createRecordRequest(input)),
      output: {
        id: simulatedId(),
        title: input.title ?? 'Untitled',
        object_type_id: type.id,
        stage_id: stageId,
        assignee_id: input.assignee_id ?? null,
        data: input.data ?? {},
        created_at: at,
        updated_at: at,
        object_types: { name: type.name, slug: type.slug, icon: type.icon ?? null },
      },
    };
  },
});

const UpdateRecordInput = z.object({
  record_id: recordId,
  title: optionalText({ title: 'New title', description: 'Leave empty to keep the current title.' }),
  data: optionalFields({ title: 'Fields', description: 'Custom fields to set on the record.' }),
  mode: z.preprocess(absentIfBlank, z.enum(['merge', 'replace'], { error: 'Choose "merge" or "replace".' }).default('merge')).meta({
    title: 'How to apply the fields',
    description:
      '"merge" changes only the fields listed here (Pipewright reads the record first); "replace" makes these the only fields, as Kanvo does.',
  }),
  assignee_id: assigneeId('Reassign the record to this team member (ID). Leave empty to keep it.'),
  unassign: optionalFlag({ title: 'Unassign', description: 'Yes to remove the assignee.' }),
  pipeline: pipelineField('Only needed to move the record to a stage of another pipeline.'),
  stage: stageField('Move the record to this stage (name, slug or ID). Leave empty to keep it.'),
  stage_id: stageIdField,
});
type UpdateRecordInput = z.output<typeof UpdateRecordInput>;

/** The PATCH body of an update, resolving stage names and merging fields with what Kanvo has. */
async function updateRecordRequest(client: ApiClient, input: UpdateRecordInput, current: () => Promise<KanvoRecord | undefined>) {
  const body: Record<string, unknown> = {};
  if (input.title !== undefined) body.title = input.title;
  if (input.data !== undefined) body.data = input.mode === 'merge' ? { ...((await current())?.data ?? {}), ...input.data } : input.data;
  if (input.unassign) body.assignee_id = null;
  else if (input.assignee_id !== undefined) body.assignee_id = input.assignee_id;
  if (input.stage_id && (input.stage || input.pipeline)) throw new Error('Use either a stage ID or a pipeline and stage, not both.');
  if (input.stage_id) body.stage_id = input.stage_id;
  else if (input.stage) {
    const stage = input.stage;
    const currentStage = input.pipeline ? undefined : (await current())?.stage_id;
    body.stage_id = await withSchema(
      client,
      (schema) => findStage(schema, stage, input.pipeline, pipelineOfStage(schema, currentStage)).stage.id,
    );
  } else if (input.pipeline) throw new Error('Choose the stage to move the record to in that pipeline.');
  if (Object.keys(body).length === 0) throw new Error('Nothing to change: fill in at least one field to update.');
  const request: ApiRequest = {
    method: 'PATCH',
    path: recordPath(input.record_id),
    body,
    // Every field is set to a value, so sending the same PATCH twice changes nothing more.
    retrySafe: true,
    scope: 'write',
    what: 'update the record',
  };
  return request;
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

const updateRecord = defineAction({
  key: 'updateRecord',
  version: 1,
  label: 'Update Kanvo record',
  description: `Changes a Kanvo record's title, fields, assignee or stage; anything left empty stays as it is. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateRecordInput,
  output: KanvoRecord,
  sample: SAMPLE_MOVED,
  async run(ctx) {
    const client = kanvo(ctx);
    const current = memo(() =>
      call<KanvoRecord>(client, { method: 'GET', path: recordPath(ctx.input.record_id), scope: 'read', what: 'read the record' }),
    );
    return call<KanvoRecord>(client, await updateRecordRequest(client, ctx.input, current));
  },
  async plan(ctx) {
    const client = kanvo(ctx);
    const current = memo(() =>
      currentForPlan<KanvoRecord>(client, recordPath(ctx.input.record_id), ctx.input.record_id, 'read the record'),
    );
    const request = await updateRecordRequest(client, ctx.input, current);
    const before = await current();
    return {
      request: client.plan(request),
      output: {
        ...(before ?? placeholderRecord(ctx.input.record_id, ctx.now())),
        ...(request.body as object),
        updated_at: ctx.now().toISOString(),
      },
    };
  },
});

function placeholderRecord(id: string, now: Date): KanvoRecord {
  return { id, title: 'Untitled', object_type_id: '', stage_id: null, assignee_id: null, data: {}, created_at: now.toISOString() };
}

const MoveStageInput = z.object({
  record_id: recordId,
  stage: text({ title: 'Stage', description: 'The stage to move to (name, slug or ID), e.g. Contacted or won.', widget: 'stage' }),
  pipeline: pipelineField("Only needed for a stage of another pipeline than the record's, or a stage name several pipelines share."),
});
type MoveStageInput = z.output<typeof MoveStageInput>;

async function moveStageRequest(
  client: ApiClient,
  input: MoveStageInput,
  current: () => Promise<KanvoRecord | undefined>,
): Promise<ApiRequest> {
  const cachedSchema = await schemaOf(client);
  const looksLikeId = cachedSchema.pipelines.some((p) => p.stages.some((s) => s.id === input.stage.trim()));
  const currentStage = input.pipeline || looksLikeId ? undefined : (await current())?.stage_id;
  const { stage } = await withSchema(client, (schema) =>
    findStage(schema, input.stage, input.pipeline, pipelineOfStage(schema, currentStage)),
  );
  return {
    method: 'PATCH',
    path: recordPath(input.record_id),
    body: { stage_id: stage.id },
    retrySafe: true,
    scope: 'write',
    what: 'move the record to another stage',
  };
}

const moveStage = defineAction({
  key: 'moveStage',
  version: 1,
  label: 'Move Kanvo record to stage',
  description: `Moves a Kanvo record to another pipeline stage, chosen by name, slug or ID (Pipewright looks the stage up in the workspace schema). Kanvo then sends "Stage changed". ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: MoveStageInput,
  output: KanvoRecord,
  sample: SAMPLE_MOVED,
  async run(ctx) {
    const client = kanvo(ctx);
    const current = memo(() =>
      call<KanvoRecord>(client, { method: 'GET', path: recordPath(ctx.input.record_id), scope: 'read', what: 'read the record' }),
    );
    return call<KanvoRecord>(client, await moveStageRequest(client, ctx.input, current));
  },
  async plan(ctx) {
    const client = kanvo(ctx);
    const current = memo(() =>
      currentForPlan<KanvoRecord>(client, recordPath(ctx.input.record_id), ctx.input.record_id, 'read the record'),
    );
    const request = await moveStageRequest(client, ctx.input, current);
    const before = await current();
    return {
      request: client.plan(request),
      output: {
        ...(before ?? placeholderRecord(ctx.input.record_id, ctx.now())),
        ...(request.body as object),
        updated_at: ctx.now().toISOString(),
      },
    };
  },
});

const deleteRequest = (path: string, what: string, scope = 'write'): ApiRequest => ({
  method: 'DELETE',
  path,
  scope,
  what,
  retrySafe: true,
});

const deleteRecord = defineAction({
  key: 'deleteRecord',
  version: 1,
  label: 'Delete Kanvo record',
  description: `Deletes a Kanvo record (Kanvo keeps it as deleted and leaves it out of every list). ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ record_id: recordId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_RECORD.id },
  run: async (ctx) => call<z.infer<typeof Deleted>>(kanvo(ctx), deleteRequest(recordPath(ctx.input.record_id), 'delete the record')),
  plan: (ctx) => ({
    request: kanvo(ctx).plan(deleteRequest(recordPath(ctx.input.record_id), 'delete the record')),
    output: { deleted: true as const, id: ctx.input.record_id },
  }),
});

// ---------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------

const listTasks = defineAction({
  key: 'listTasks',
  version: 1,
  label: 'Find tasks in Kanvo',
  description: `Lists Kanvo tasks, optionally of one record, of one assignee, open or completed. ${READS}`,
  effect: 'read',
  input: z.object({
    record_id: optionalText({ title: 'Record', description: 'Only tasks attached to this record (ID).', widget: 'record' }),
    assignee_id: optionalText({ title: 'Assigned to', description: 'Only tasks of this team member (ID).', widget: 'teamMember' }),
    status: optionalChoice(['open', 'completed', 'any'], {
      title: 'Status',
      description: 'Open tasks only, completed tasks only, or any (the default).',
      options: ['any', 'open', 'completed'],
    }),
    limit: limitField({ title: 'At most', description: 'The largest number of tasks to return (1 to 5000).', fallback: 100, max: 5000 }),
  }),
  output: listOutput(KanvoTask, 'tasks'),
  sample: { tasks: [SAMPLE_TASK], count: 1, total: 1, truncated: false, first: SAMPLE_TASK },
  async run(ctx) {
    const { record_id, assignee_id, status, limit } = ctx.input;
    const completed = status === 'open' ? false : status === 'completed' ? true : undefined;
    const found = await collect<KanvoTask>(
      kanvo(ctx),
      { method: 'GET', path: '/records/tasks', query: { record_id, assignee_id, completed }, scope: 'read', what: 'list tasks' },
      PAGE,
      { maxItems: limit },
    );
    return { tasks: found.items, count: found.items.length, total: found.total, truncated: found.truncated, first: found.items[0] ?? null };
  },
});

const getTask = defineAction({
  key: 'getTask',
  version: 1,
  label: 'Get Kanvo task',
  description: `Reads one Kanvo task. ${READS}`,
  effect: 'read',
  input: z.object({ task_id: taskId }),
  output: KanvoTask,
  sample: SAMPLE_TASK,
  run: async (ctx) =>
    call<KanvoTask>(kanvo(ctx), { method: 'GET', path: taskPath(ctx.input.task_id), scope: 'read', what: 'read the task' }),
});

const CreateTaskInput = z.object({
  title: text({ title: 'Title', description: 'What to do, e.g. "Call {{ trigger.data.title }}".' }),
  record_id: optionalText({
    title: 'Record',
    description: 'Attach the task to this record (ID). Leave empty for a standalone task.',
    widget: 'record',
  }),
  assignee_id: assigneeId('The team member who should do it (ID).'),
  due_date: optionalDate({ title: 'Due date', description: 'When it is due, e.g. 2026-06-30.' }),
  notes: optionalText({ title: 'Notes', description: 'Details for whoever does the task.', widget: 'textarea' }),
});
type CreateTaskInput = z.output<typeof CreateTaskInput>;

const createTaskRequest = (input: CreateTaskInput): ApiRequest => ({
  method: 'POST',
  path: '/records/tasks',
  body: input,
  scope: 'write',
  what: 'create a task',
});

const createTask = defineAction({
  key: 'createTask',
  version: 1,
  label: 'Create Kanvo task',
  description: `Adds a task in Kanvo, on its own or attached to a record. ${WRITES}`,
  effect: 'write',
  input: CreateTaskInput,
  output: KanvoTask,
  sample: SAMPLE_TASK,
  run: async (ctx) => call<KanvoTask>(kanvo(ctx), createTaskRequest(ctx.input)),
  plan(ctx) {
    const at = ctx.now().toISOString();
    const { title, record_id, assignee_id, due_date, notes } = ctx.input;
    return {
      request: kanvo(ctx).plan(createTaskRequest(ctx.input)),
      output: {
        id: simulatedId(),
        title,
        record_id: record_id ?? null,
        assignee_id: assignee_id ?? null,
        due_date: due_date ?? null,
        notes: notes ?? null,
        completed: false,
        created_at: at,
        updated_at: at,
      },
    };
  },
});

const UpdateTaskInput = z.object({
  task_id: taskId,
  title: optionalText({ title: 'New title', description: 'Leave empty to keep it.' }),
  completed: optionalFlag({ title: 'Completed', description: 'Yes to mark it done, no to reopen it. Leave empty to keep it.' }),
  assignee_id: assigneeId('Reassign the task to this team member (ID). Leave empty to keep it.'),
  due_date: optionalDate({ title: 'Due date', description: 'The new due date. Leave empty to keep it.' }),
  notes: optionalText({ title: 'Notes', description: 'Replaces the notes. Leave empty to keep them.', widget: 'textarea' }),
});
type UpdateTaskInput = z.output<typeof UpdateTaskInput>;

function updateTaskRequest(input: UpdateTaskInput, what = 'update the task'): ApiRequest {
  const { task_id, ...fields } = input;
  const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (Object.keys(body).length === 0) throw new Error('Nothing to change: fill in at least one field to update.');
  return { method: 'PATCH', path: taskPath(task_id), body, retrySafe: true, scope: 'write', what };
}

async function planTaskUpdate(ctx: Ctx<{ task_id: string }>, request: ApiRequest): Promise<PlanResult<KanvoTask>> {
  const client = kanvo(ctx);
  const before = await currentForPlan<KanvoTask>(client, taskPath(ctx.input.task_id), ctx.input.task_id, 'read the task');
  const at = ctx.now().toISOString();
  const base: KanvoTask = before ?? {
    id: ctx.input.task_id,
    title: '',
    record_id: null,
    assignee_id: null,
    due_date: null,
    notes: null,
    completed: false,
    created_at: at,
  };
  return { request: client.plan(request), output: { ...base, ...(request.body as object), updated_at: at } };
}

const updateTask = defineAction({
  key: 'updateTask',
  version: 1,
  label: 'Update Kanvo task',
  description: `Changes a Kanvo task's title, due date, notes, assignee, or marks it done or open again. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateTaskInput,
  output: KanvoTask,
  sample: SAMPLE_TASK,
  run: async (ctx) => call<KanvoTask>(kanvo(ctx), updateTaskRequest(ctx.input)),
  plan: (ctx) => planTaskUpdate(ctx, updateTaskRequest(ctx.input)),
});

const completeTask = defineAction({
  key: 'completeTask',
  version: 1,
  label: 'Complete Kanvo task',
  description: `Marks a Kanvo task as done. Kanvo then sends "Task completed". ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ task_id: taskId }),
  output: KanvoTask,
  sample: { ...SAMPLE_TASK, completed: true },
  run: async (ctx) => call<KanvoTask>(kanvo(ctx), updateTaskRequest({ task_id: ctx.input.task_id, completed: true }, 'complete the task')),
  plan: (ctx) => planTaskUpdate(ctx, updateTaskRequest({ task_id: ctx.input.task_id, completed: true }, 'complete the task')),
});

const deleteTask = defineAction({
  key: 'deleteTask',
  version: 1,
  label: 'Delete Kanvo task',
  description: `Deletes a Kanvo task. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ task_id: taskId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_TASK.id },
  async run(ctx) {
    const data = await call<Partial<z.infer<typeof Deleted>> | null>(
      kanvo(ctx),
      deleteRequest(taskPath(ctx.input.task_id), 'delete the task'),
    );
    return { deleted: true as const, id: data?.id ?? ctx.input.task_id };
  },
  plan: (ctx) => ({
    request: kanvo(ctx).plan(deleteRequest(taskPath(ctx.input.task_id), 'delete the task')),
    output: { deleted: true as const, id: ctx.input.task_id },
  }),
});

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const getSchema = defineAction({
  key: 'getSchema',
  version: 1,
  label: 'Get Kanvo workspace schema',
  description: `Reads the workspace's object types and pipelines with their stages (what record types and stages exist). ${READS}`,
  effect: 'read',
  input: z.object({}),
  output: KanvoSchema.extend({
    stages: z.array(FlatStage).meta({ title: 'All stages', description: 'Every stage of every pipeline, in order.' }),
  }),
  sample: {
    ...SAMPLE_SCHEMA,
    stages: (SAMPLE_SCHEMA.pipelines[0] as Pipeline).stages.map((s) => ({
      ...s,
      pipeline_id: 'p1q2r3s4-0000-4a1b-9c2d-3e4f5a6b7c8d',
      pipeline: 'Main Sales',
    })),
  },
  async run(ctx) {
    const schema = await schemaOf(kanvo(ctx), { fresh: true });
    const stages = schema.pipelines.flatMap((p) =>
      [...p.stages].sort((a, b) => a.position - b.position).map((s) => ({ ...s, pipeline_id: p.id, pipeline: p.name })),
    );
    return { ...schema, stages };
  },
});

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

const listWebhooks = defineAction({
  key: 'listWebhooks',
  version: 1,
  label: 'List Kanvo webhooks',
  description: `Lists the webhooks registered in Kanvo: their URL, events, and how the last delivery went. ${ADMIN}`,
  effect: 'read',
  input: z.object({}),
  output: z.object({
    webhooks: z.array(KanvoWebhook).meta({ title: 'Webhooks' }),
    count: z.number().meta({ title: 'Number of webhooks' }),
  }),
  sample: { webhooks: [SAMPLE_WEBHOOK], count: 1 },
  async run(ctx) {
    const webhooks = await call<z.infer<typeof KanvoWebhook>[]>(kanvo(ctx), {
      method: 'GET',
      path: '/webhooks',
      scope: 'admin',
      what: 'list webhooks',
    });
    return { webhooks, count: webhooks.length };
  },
});

const isLocalHost = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const RegisterWebhookInput = z.object({
  url: text({ title: 'URL', description: 'The HTTPS address Kanvo should send events to.' }).refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLocalHost(url));
      } catch {
        return false;
      }
    },
    { error: 'URL must be an https:// address.' },
  ),
  events: textList({
    title: 'Events',
    description: 'The events to send, e.g. record.created, pipeline.stage_changed.',
    noun: 'event',
    widget: 'multiSelect',
    options: [...KANVO_EVENTS],
  }).refine((events) => events.every((e) => (KANVO_EVENTS as readonly string[]).includes(e)), {
    error: (issue) => `Unknown Kanvo event in ${JSON.stringify(issue.input)}; the events are ${KANVO_EVENTS.join(', ')}.`,
  }),
});
type RegisterWebhookInput = z.output<typeof RegisterWebhookInput>;

const RegisteredWebhook = KanvoWebhook.extend({
  secret_hint: z.string().nullable().meta({
    title: 'Signing secret (masked)',
    description: 'The end of the signing secret, to recognise it. The secret itself is never stored in run history.',
  }),
});

const registerRequest = (input: RegisterWebhookInput): ApiRequest => ({
  method: 'POST',
  path: '/webhooks',
  body: { url: input.url, events: input.events },
  scope: 'admin',
  what: 'register a webhook',
});

const registerWebhook = defineAction({
  key: 'registerWebhook',
  version: 1,
  label: 'Register Kanvo webhook',
  description: `Asks Kanvo to send the chosen events to a URL. Kanvo returns the signing secret only once; Pipewright does not keep it in run history (the output shows only its last characters), so use this for addresses that do not check signatures or that get the secret another way. Kanvo triggers register their own webhook when a workflow goes live. ${ADMIN}`,
  effect: 'write',
  input: RegisterWebhookInput,
  output: RegisteredWebhook,
  sample: { ...SAMPLE_WEBHOOK, secret_hint: '••••9f3a' },
  async run(ctx) {
    const created = await call<Record<string, unknown>>(kanvo(ctx), registerRequest(ctx.input));
    const { secret, signing_secret, ...webhook } = created;
    const raw = typeof secret === 'string' ? secret : typeof signing_secret === 'string' ? signing_secret : undefined;
    return { ...(webhook as z.infer<typeof KanvoWebhook>), secret_hint: maskSecret(raw) };
  },
  plan(ctx) {
    return {
      request: kanvo(ctx).plan(registerRequest(ctx.input)),
      output: {
        id: `wh_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
        url: ctx.input.url,
        events: ctx.input.events,
        is_active: true,
        last_triggered_at: null,
        last_status: null,
        failure_count: 0,
        created_at: ctx.now().toISOString(),
        secret_hint: null,
      },
    };
  },
});

const webhookDelete = (id: string) => ({ ...deleteRequest('/webhooks', 'delete the webhook', 'admin'), query: { id } });

const deleteWebhook = defineAction({
  key: 'deleteWebhook',
  version: 1,
  label: 'Delete Kanvo webhook',
  description: `Stops a Kanvo webhook: Kanvo no longer sends its events. ${ADMIN}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ webhook_id: text({ title: 'Webhook', description: 'The webhook ID, e.g. wh_abc123 (see "List Kanvo webhooks").' }) }),
  output: Deleted,
  sample: { deleted: true, id: 'wh_abc123' },
  async run(ctx) {
    const data = await call<Partial<z.infer<typeof Deleted>> | null>(kanvo(ctx), webhookDelete(ctx.input.webhook_id));
    return { deleted: true as const, id: data?.id ?? ctx.input.webhook_id };
  },
  plan: (ctx) => ({
    request: kanvo(ctx).plan(webhookDelete(ctx.input.webhook_id)),
    output: { deleted: true as const, id: ctx.input.webhook_id },
  }),
});

// ---------------------------------------------------------------------------------------------
// Triggers (webhook deliveries)
// ---------------------------------------------------------------------------------------------

/** Kanvo events a poll can find: its lists show when records and tasks changed, and whether a task is done. */
const POLLED_EVENTS: readonly KanvoEvent[] = ['record.created', 'record.updated', 'task.created', 'task.updated', 'task.completed'];

const WEBHOOK_HOW =
  'Kanvo calls Pipewright through a webhook registered when the workflow goes live (the connection needs the admin scope, and Pipewright a public address).';

function how(event: KanvoEvent): string {
  return POLLED_EVENTS.includes(event)
    ? `${WEBHOOK_HOW} Without a public address, Pipewright checks Kanvo for changes on a schedule instead.`
    : `${WEBHOOK_HOW} Kanvo's lists cannot show this event, so it needs the public address.`;
}

function payload<E extends string, D extends z.ZodType>(event: E, data: D) {
  return z.object({
    event: z.literal(event).meta({ title: 'Event' }),
    workspace_id: z.string().meta({ title: 'Workspace ID' }),
    timestamp: Timestamp('Happened at'),
    data,
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Kanvo's events name the object type by ID. A type name or slug is matched through the payload's
 * own type info when present, else through the workspace schema Pipewright last read.
 */
function objectTypeMatches(ref: string | undefined, data: Record<string, unknown>): boolean {
  if (!ref) return true;
  const typeId = str(data.object_type_id);
  if (typeId && ref.trim() === typeId) return true;
  const info = data.object_types as { slug?: unknown; name?: unknown } | undefined;
  const candidates = [str(info?.slug), str(info?.name), str(data.object_type), str(data.type)].filter((c): c is string => !!c);
  const known = typeId ? knownTypes.get(typeId) : undefined;
  if (known) candidates.push(known.slug, known.name);
  return candidates.some((c) => c.toLowerCase() === ref.trim().toLowerCase() || slugify(c) === slugify(ref));
}

function stageMatches(stageRef: string | undefined, pipelineRef: string | undefined, data: Record<string, unknown>): boolean {
  if (!stageRef && !pipelineRef) return true;
  const stageId = str(data.stage_id);
  if (!stageId) return false;
  const known = knownStages.get(stageId);
  if (stageRef && stageRef.trim() !== stageId && !(known && refersTo(stageRef, known.stage))) return false;
  if (pipelineRef && !(known && refersTo(pipelineRef, known.pipeline))) return false;
  return true;
}

const objectTypeParam = optionalText({
  title: 'Object type',
  description: 'Only for records of this type (slug, name or ID), e.g. lead. Leave empty for every type.',
  widget: 'objectType',
});

const isEvent = (event: TriggerEvent, name: KanvoEvent) => event.event === name || event.event === kanvoInboxEvent(name);

function recordTrigger(key: string, event: KanvoEvent, label: string, description: string, sample: KanvoRecord) {
  return defineTrigger({
    key,
    version: 1,
    label,
    description: `${description} ${how(event)}`,
    source: 'webhook',
    events: [kanvoInboxEvent(event)],
    params: z.object({ objectType: objectTypeParam }),
    output: payload(event, KanvoRecord),
    sample: { event, workspace_id: WORKSPACE, timestamp: AT, data: sample },
    matches: (params, e) => isEvent(e, event) && objectTypeMatches(params.objectType, e.data),
  });
}

function plainTrigger(
  key: string,
  event: KanvoEvent,
  label: string,
  description: string,
  data: z.ZodType<Record<string, unknown>>,
  sample: Record<string, unknown>,
) {
  return defineTrigger({
    key,
    version: 1,
    label,
    description: `${description} ${how(event)}`,
    source: 'webhook',
    events: [kanvoInboxEvent(event)],
    params: z.object({}),
    output: payload(event, data),
    sample: { event, workspace_id: WORKSPACE, timestamp: AT, data: sample },
    matches: (_params, e) => isEvent(e, event),
  });
}

const stageChanged = defineTrigger({
  key: 'stageChanged',
  version: 1,
  label: 'Kanvo stage changed',
  description: `Starts when a Kanvo record moves to another pipeline stage, or is created in one. ${how('pipeline.stage_changed')}`,
  source: 'webhook',
  events: [kanvoInboxEvent('pipeline.stage_changed')],
  params: z.object({
    objectType: objectTypeParam,
    pipeline: pipelineField('Only for stages of this pipeline (name, slug or ID). Leave empty for any.'),
    stage: stageField('Only when the record arrives in this stage (name, slug or ID), e.g. won. Leave empty for any.'),
  }),
  output: payload('pipeline.stage_changed', KanvoRecord),
  sample: { event: 'pipeline.stage_changed', workspace_id: WORKSPACE, timestamp: AT, data: SAMPLE_MOVED },
  matches: (params, e) =>
    isEvent(e, 'pipeline.stage_changed') &&
    objectTypeMatches(params.objectType, e.data) &&
    stageMatches(params.stage, params.pipeline, e.data),
});

const Contract = z.looseObject({
  id: z.string().meta({ title: 'Contract ID' }),
  title: z.string().optional().meta({ title: 'Title' }),
  record_id: z.string().nullable().optional().meta({ title: 'Record ID' }),
  status: z.string().optional().meta({ title: 'Status' }),
  signed_at: z.string().nullable().optional().meta({ title: 'Signed at' }),
  created_at: Timestamp('Created at').optional(),
});
const SAMPLE_CONTRACT = {
  id: 'c0ffee00-1234-4a5b-8c6d-7e8f9a0b1c2d',
  title: 'Johnson Property - Lawn Care agreement',
  record_id: SAMPLE_RECORD.id,
  status: 'sent',
  signed_at: null,
  created_at: AT,
};
const FormSubmission = z.looseObject({
  id: z.string().meta({ title: 'Submission ID' }),
  form: z.string().optional().meta({ title: 'Form' }),
  fields: Fields.optional().meta({ title: 'Answers', description: 'The submitted fields by name.' }),
  created_at: Timestamp('Submitted at').optional(),
});
const Contact = z.looseObject({
  id: z.string().meta({ title: 'Contact ID' }),
  name: z.string().optional().meta({ title: 'Name' }),
  email: z.string().nullable().optional().meta({ title: 'Email' }),
  phone: z.string().nullable().optional().meta({ title: 'Phone' }),
  created_at: Timestamp('Created at').optional(),
});
const SAMPLE_CONTACT = {
  id: 'd4c3b2a1-7e6f-4d5c-9b8a-1f2e3d4c5b6a',
  name: 'Sarah Johnson',
  email: 'sarah.johnson@example.com',
  phone: '555-0101',
  created_at: AT,
};
const UNDOCUMENTED = "Kanvo does not document this event's fields; the usual ones are offered, and any others arrive as sent.";

const triggers = [
  recordTrigger(
    'recordCreated',
    'record.created',
    'Kanvo record created',
    'Starts when a record (lead, job, estimate …) is created in Kanvo.',
    SAMPLE_RECORD,
  ),
  recordTrigger(
    'recordUpdated',
    'record.updated',
    'Kanvo record updated',
    "Starts when a Kanvo record's title, fields, assignee or stage changes.",
    SAMPLE_MOVED,
  ),
  recordTrigger('recordDeleted', 'record.deleted', 'Kanvo record deleted', 'Starts when a Kanvo record is deleted.', SAMPLE_RECORD),
  stageChanged,
  plainTrigger('taskCreated', 'task.created', 'Kanvo task created', 'Starts when a task is added in Kanvo.', KanvoTask, SAMPLE_TASK),
  plainTrigger('taskUpdated', 'task.updated', 'Kanvo task updated', 'Starts when a Kanvo task changes.', KanvoTask, SAMPLE_TASK),
  plainTrigger('taskCompleted', 'task.completed', 'Kanvo task completed', 'Starts when a Kanvo task is marked as done.', KanvoTask, {
    ...SAMPLE_TASK,
    completed: true,
  }),
  plainTrigger('taskDeleted', 'task.deleted', 'Kanvo task deleted', 'Starts when a Kanvo task is deleted.', KanvoTask, SAMPLE_TASK),
  plainTrigger(
    'contractCreated',
    'contract.created',
    'Kanvo contract created',
    `Starts when a contract is created in Kanvo. ${UNDOCUMENTED}`,
    Contract,
    SAMPLE_CONTRACT,
  ),
  plainTrigger(
    'contractSigned',
    'contract.signed',
    'Kanvo contract signed',
    `Starts when a Kanvo contract is signed. ${UNDOCUMENTED}`,
    Contract,
    {
      ...SAMPLE_CONTRACT,
      status: 'signed',
      signed_at: AT,
    },
  ),
  plainTrigger(
    'formSubmitted',
    'form.submitted',
    'Kanvo form submitted',
    `Starts when a Kanvo form is submitted. ${UNDOCUMENTED}`,
    FormSubmission,
    {
      id: 'f1e2d3c4-5b6a-4978-8695-a4b3c2d1e0f9',
      form: 'Request a quote',
      fields: { name: 'Linh Nguyen', email: 'linh.nguyen@example.org', phone: '555-0103' },
      created_at: AT,
    },
  ),
  plainTrigger(
    'contactCreated',
    'contact.created',
    'Kanvo contact created',
    `Starts when a contact is added in Kanvo. ${UNDOCUMENTED}`,
    Contact,
    SAMPLE_CONTACT,
  ),
  plainTrigger(
    'contactUpdated',
    'contact.updated',
    'Kanvo contact updated',
    `Starts when a Kanvo contact changes. ${UNDOCUMENTED}`,
    Contact,
    SAMPLE_CONTACT,
  ),
];

// ---------------------------------------------------------------------------------------------
// How Kanvo's events reach Pipewright: webhook deliveries, or polling the lists
// ---------------------------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/** Checks a delivery's `{event, workspace_id, timestamp, data}`; Kanvo sends no delivery id, so the body's hash dedupes. */
function receiveDelivery(body: unknown): ReceivedEvent {
  if (!isObject(body)) throw new WebhookRejection(400, 'The body must be a JSON object: {event, workspace_id, timestamp, data}.');
  const { event, workspace_id, timestamp, data } = body;
  if (typeof event !== 'string' || !(KANVO_EVENTS as readonly string[]).includes(event)) {
    throw new WebhookRejection(400, `event: expected one of Kanvo's events (${KANVO_EVENTS.join(', ')}), got ${JSON.stringify(event)}.`);
  }
  if (typeof workspace_id !== 'string' || !workspace_id) throw new WebhookRejection(400, 'workspace_id: expected the workspace ID (text).');
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
    throw new WebhookRejection(400, 'timestamp: expected an ISO 8601 date and time.');
  }
  if (!isObject(data)) throw new WebhookRejection(400, 'data: expected an object (the record, task or other item the event is about).');
  return {
    event: kanvoInboxEvent(event),
    payload: { ...body, event, workspace_id, timestamp, data },
    dedupeKey: bodyDedupeKey(body),
  };
}

const remoteEvent = (inboxEvent: string) => (inboxEvent.startsWith('kanvo:') ? inboxEvent.slice('kanvo:'.length) : inboxEvent);

async function registerKanvoWebhook(connection: ResolvedConnection, url: string, events: string[], signal: AbortSignal) {
  const client = clientForConnection(kanvoApi, connection, signal);
  const created = await call<Record<string, unknown>>(client, registerRequest({ url, events: [...new Set(events.map(remoteEvent))] }));
  const secret = typeof created.secret === 'string' ? created.secret : created.signing_secret;
  if (typeof created.id !== 'string') throw new Error('Kanvo registered the webhook but did not say its ID.');
  return { id: created.id, ...(typeof secret === 'string' ? { secret } : {}) };
}

async function unregisterKanvoWebhook(connection: ResolvedConnection, id: string, signal: AbortSignal): Promise<void> {
  try {
    await call(clientForConnection(kanvoApi, connection, signal), webhookDelete(id));
  } catch (err) {
    // Already deleted in Kanvo: what going off wants.
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
}

/** Where the last poll stopped, per list; `completed` holds the ids of done tasks (to see one become done). */
interface KanvoPollCursor {
  records?: ChangeCursor;
  tasks?: ChangeCursor;
  completed?: string[];
}

function asKanvoCursor(value: unknown): KanvoPollCursor {
  if (!isObject(value)) return {};
  return {
    records: asChangeCursor(value.records),
    tasks: asChangeCursor(value.tasks),
    completed: Array.isArray(value.completed) ? value.completed.filter((id): id is string => typeof id === 'string') : undefined,
  };
}

/** Kanvo's lists have no "changed since" filter or sort, so a poll reads every page, up to this many items. */
const POLL_MAX_ITEMS = 50_000;

function polled(event: KanvoEvent, item: { id: string; updated_at?: string; created_at: string }, suffix = ''): ReceivedEvent {
  const at = item.updated_at ?? item.created_at;
  return {
    event: kanvoInboxEvent(event),
    payload: { event, timestamp: at, data: item as unknown as Record<string, unknown> },
    // The same change read twice gives the same key (and a new key once it changes again).
    dedupeKey: `poll:${item.id}:${at}${suffix}`,
  };
}

const stampsOf = (item: { id: string; updated_at?: string; created_at: string }) => ({
  id: item.id,
  changedAt: item.updated_at ?? item.created_at,
  createdAt: item.created_at,
});

/**
 * Reads the records and tasks that changed since the cursor. Kanvo's lists offer no filter on
 * updated_at and no sort, so every page is read and compared with the cursor; deleted records
 * leave the lists, and stage changes, contracts, forms and contacts are not listed, so those
 * events arrive by webhook only.
 */
async function pollKanvo(connection: ResolvedConnection, events: string[], cursor: unknown, signal: AbortSignal) {
  const wanted = new Set(events.map(remoteEvent));
  const pollable = POLLED_EVENTS.filter((e) => wanted.has(e));
  if (pollable.length === 0) {
    throw new Error(
      `Kanvo's lists cannot show ${[...wanted].join(', ') || 'these events'}; give Pipewright a public address so Kanvo can send them by webhook.`,
    );
  }
  const client = clientForConnection(kanvoApi, connection, signal);
  const previous = cursor === undefined ? undefined : asKanvoCursor(cursor);
  const next: KanvoPollCursor = {};
  const out: ReceivedEvent[] = [];

  if (wanted.has('record.created') || wanted.has('record.updated')) {
    const records = await collect<KanvoRecord>(client, { method: 'GET', path: '/records', scope: 'read', what: 'list records' }, PAGE, {
      maxItems: POLL_MAX_ITEMS,
    });
    const changes = changesSince(records.items, previous?.records, stampsOf);
    if (wanted.has('record.created')) out.push(...changes.created.map((r) => polled('record.created', r)));
    if (wanted.has('record.updated')) out.push(...changes.updated.map((r) => polled('record.updated', r)));
    next.records = changes.cursor;
  }
  if (wanted.has('task.created') || wanted.has('task.updated') || wanted.has('task.completed')) {
    const tasks = await collect<KanvoTask>(client, { method: 'GET', path: '/records/tasks', scope: 'read', what: 'list tasks' }, PAGE, {
      maxItems: POLL_MAX_ITEMS,
    });
    const changes = changesSince(tasks.items, previous?.tasks, stampsOf);
    if (wanted.has('task.created')) out.push(...changes.created.map((t) => polled('task.created', t)));
    if (wanted.has('task.updated')) out.push(...changes.updated.map((t) => polled('task.updated', t)));
    next.tasks = changes.cursor;
    if (wanted.has('task.completed')) {
      const done = tasks.items.filter((t) => t.completed);
      const before = previous?.completed ? new Set(previous.completed) : undefined;
      if (before) out.push(...done.filter((t) => !before.has(t.id)).map((t) => polled('task.completed', t, ':completed')));
      next.completed = done.map((t) => t.id);
    }
  }
  return { events: inChangeOrder(out), cursor: next };
}

// ----- echoes of our own writes (two-way sync) -----------------------------------------------

const RECORD_WRITES = new Set(['createRecord', 'updateRecord', 'moveStage']);
const TASK_WRITES = new Set(['createTask', 'updateTask', 'completeTask']);
const RECORD_EVENTS = new Set(['record.created', 'record.updated', 'pipeline.stage_changed']);
const TASK_EVENTS = new Set(['task.created', 'task.updated', 'task.completed']);

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() || null : (value ?? null));

/** The fields a record write sets, as both our output and Kanvo's event carry them (times left out). */
function recordEcho(record: Record<string, unknown>): EchoKey | undefined {
  if (typeof record.id !== 'string') return undefined;
  return {
    resourceId: `record:${record.id}`,
    fields: {
      title: trimmed(record.title),
      stage_id: record.stage_id ?? null,
      assignee_id: record.assignee_id ?? null,
      data: isObject(record.data) ? record.data : {},
    },
  };
}

function taskEcho(task: Record<string, unknown>): EchoKey | undefined {
  if (typeof task.id !== 'string') return undefined;
  return {
    resourceId: `task:${task.id}`,
    fields: {
      title: trimmed(task.title),
      record_id: task.record_id ?? null,
      assignee_id: task.assignee_id ?? null,
      // A due date may come back with a time of day: the day is what was set.
      due_date: typeof task.due_date === 'string' ? task.due_date.slice(0, 10) : null,
      notes: trimmed(task.notes),
      completed: task.completed === true,
    },
  };
}

const webhooks: ConnectorWebhooks = {
  receive: (body) => receiveDelivery(body),
  verify: (rawBody, headers, secret) => verifyKanvoSignature(rawBody, headers['x-kanvo-signature'], secret),
  register: registerKanvoWebhook,
  unregister: unregisterKanvoWebhook,
  remoteEvent,
  poll: pollKanvo,
  echoOfWrite(actionKey, output) {
    if (!isObject(output)) return undefined;
    if (RECORD_WRITES.has(actionKey)) return recordEcho(output);
    if (TASK_WRITES.has(actionKey)) return taskEcho(output);
    return undefined;
  },
  echoOfEvent(event) {
    const name = remoteEvent(event.event);
    if (!isObject(event.data)) return undefined;
    if (RECORD_EVENTS.has(name)) return recordEcho(event.data);
    if (TASK_EVENTS.has(name)) return taskEcho(event.data);
    return undefined;
  },
};

export const kanvoConnector = defineConnector({
  id: 'kanvo',
  name: 'Kanvo',
  description:
    'Kanvo CRM over its REST API v1: records in pipelines, tasks, webhooks and the workspace schema. Connect with an API key from Settings → Advanced → API Keys (scope read, write or admin).',
  icon: 'kanban-square',
  needsConnection: true,
  triggers,
  webhooks,
  actions: [
    listRecords,
    getRecord,
    createRecord,
    updateRecord,
    moveStage,
    deleteRecord,
    listTasks,
    getTask,
    createTask,
    updateTask,
    completeTask,
    deleteTask,
    getSchema,
    listWebhooks,
    registerWebhook,
    deleteWebhook,
  ],
});
