import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineAction, defineConnector, type PlanResult, type RunContext } from './define.ts';
import { type ApiClient, ApiError, type ApiRequest, type ApiResponse, clientFor, collect, defineApi, segment } from './http.ts';
import {
  absentIfBlank,
  asList,
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
 * The generic CRM HTTP API (crm-http-api.txt) under `…/api/crm`: companies, contacts and their
 * company memberships, leads with their stage and timeline, pipeline stages, activities, tasks, the
 * dashboard, outbound email and marketing lists. Bearer `ak_…` keys with the read:crm / write:crm
 * scopes; every call carries the connection's `entityId`, which must be the key's entity; errors
 * come as `{error}` and answers as plain JSON.
 *
 * The document gives most query parameters by description only and most bodies as "{}". The names
 * chosen here (said in each field's help) follow the document's own vocabulary (camelCase, the
 * `…Id` fields of its examples), and every write also takes "Other fields" for anything else.
 */

// ---------------------------------------------------------------------------------------------
// The API profile
// ---------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPE = /\b(read|write):crm\b/i;

/** The connection's entity (sent as `entityId` on every call). */
export function entityIdOf(connection: { name: string; extras: Record<string, string> }): string {
  const id = connection.extras.entityId?.trim();
  if (!id) {
    throw new Error(
      `The CRM HTTP API connection "${connection.name}" has no entityId; set it with \`pipewright connections update ${connection.name} --entity-id UUID\` (the entity the API key was made for).`,
    );
  }
  if (!UUID.test(id)) {
    throw new Error(`The entityId "${id}" of connection "${connection.name}" is not a UUID (e.g. 497f6eca-6276-4993-bfeb-53cbbbba6f08).`);
  }
  return id;
}

export const crmHttpApi = defineApi({
  app: 'crm-http',
  name: 'CRM HTTP API',
  envelope: 'plain',
  defaultAuth: 'bearer',
  authHeaders: (_connection, secret) => ({ Authorization: `Bearer ${secret}` }),
  // The document states no rate limit: 5 a second (bursts of 10) is gentle on a self-hosted CRM.
  rateLimit: { requestsPerSecond: 5, burst: 10 },
  secretPatterns: [/\bak_[A-Za-z0-9_-]{6,}/g],
  scopeIn: (message) => {
    const scope = message.match(SCOPE)?.[0]?.toLowerCase();
    if (scope) return scope;
    // A key used with another entity's id is refused too; that is not a missing scope.
    return /entity/i.test(message) ? null : undefined;
  },
  keyHelp:
    'Keys are made under Settings → API keys (they start with ak_): read:crm reads, write:crm also changes data. The connection’s entityId must be the entity the key was made for.',
  async test(client) {
    try {
      const stages = await readStages(client, { fresh: true });
      return `${stages.length} pipeline stage${stages.length === 1 ? '' : 's'} (${stages.map((s) => s.name).join(', ') || 'none'}).`;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        throw new Error(`${err.message} Check that the base URL ends with /api/crm, e.g. https://crm.example.com/api/crm.`);
      }
      throw err;
    }
  },
  async options(client, kind) {
    if (kind === 'crmStage') {
      return (await readStages(client)).map((s) => ({ value: s.id, label: s.name, description: s.kind ?? undefined }));
    }
    if (kind === 'crmEmailConnection') {
      const data = await call<unknown>(client, { method: 'GET', path: '/outbound-email-connections', scope: 'read:crm' });
      return itemsOf<EmailConnection>(data, 'connections').map((c) => ({
        value: c.id,
        label: `${c.email ?? c.id}${c.channel ? ` (${c.channel})` : ''}`,
      }));
    }
    return [];
  },
});

// ---------------------------------------------------------------------------------------------
// Calls: every request carries the entity
// ---------------------------------------------------------------------------------------------

type Ctx<I> = RunContext<I>;
const crm = <I>(ctx: Ctx<I>) => clientFor(crmHttpApi, ctx);

function withEntity(client: ApiClient, request: ApiRequest): ApiRequest {
  return { ...request, query: { ...request.query, entityId: entityIdOf(client.connection) } };
}

async function call<T>(client: ApiClient, request: ApiRequest): Promise<T> {
  return (await client.request<T>(withEntity(client, request))).data;
}

const planOf = (client: ApiClient, request: ApiRequest) => client.plan(withEntity(client, request));

/** A single object, whether the API wraps it (`{ company: {…} }`) or not. */
function one<T>(data: unknown, key: string): T {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const inner = (data as Record<string, unknown>)[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as T;
  }
  return data as T;
}

/** The items of a list answer: `{ <key>: […] }` (as the document's `{ stages: […] }`), or a bare list. */
function itemsOf<T>(data: unknown, key: string): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    for (const k of [key, 'items', 'data', 'results']) {
      const value = (data as Record<string, unknown>)[k];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}

/** Whether another page follows, from what the answer says about its pages. */
function morePages(response: ApiResponse): boolean | undefined {
  const d = (response.data ?? {}) as Record<string, unknown>;
  if (typeof d.hasMore === 'boolean') return d.hasMore;
  const page = Number(d.page);
  const totalPages = Number(d.totalPages);
  if (page > 0 && Number.isFinite(totalPages)) return page < totalPages;
  return undefined;
}

interface Listed<T> {
  items: T[];
  total: number | null;
  truncated: boolean;
}

/**
 * Reads a list. Companies are paged (`page`, from 1; the API chooses the page size); the other
 * lists come in one answer, cut to "At most".
 */
async function readList<T>(client: ApiClient, request: ApiRequest, key: string, limit: number, paged = false): Promise<Listed<T>> {
  if (paged) {
    const found = await collect<T>(
      client,
      withEntity(client, request),
      { style: 'page', pageSize: 100, sizeParam: null, hasMore: morePages },
      { maxItems: limit, items: (r) => itemsOf<T>(r.data, key) },
    );
    return { items: found.items, total: found.total, truncated: found.truncated };
  }
  const data = await call<unknown>(client, request);
  const all = itemsOf<T>(data, key);
  const total = Number((data as { total?: unknown } | null)?.total);
  return { items: all.slice(0, limit), total: Number.isFinite(total) ? total : all.length, truncated: all.length > limit };
}

/** Ids handed out by simulated creates in dry runs, so a later simulated step can use them. */
const simulatedIds = new Set<string>();
function simulatedId(): string {
  const id = randomUUID();
  simulatedIds.add(id);
  if (simulatedIds.size > 1000) simulatedIds.delete(simulatedIds.values().next().value as string);
  return id;
}

/** Reads the current row for a dry run's simulated output; a row a simulated step created is not in the CRM. */
async function currentForPlan<T>(client: ApiClient, path: string, id: string, key: string, what: string): Promise<T | undefined> {
  try {
    return one<T>(await call<unknown>(client, { method: 'GET', path, scope: 'read:crm', what }), key);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && simulatedIds.has(id)) return undefined;
    throw err;
  }
}

/** Drops fields left empty, so an update changes only what was filled in. */
function given(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** The body of a write: the named fields, then "Other fields" (which may add to them, not replace them). */
function bodyOf(fields: Record<string, unknown>, other?: Record<string, unknown>): Record<string, unknown> {
  return { ...(other ?? {}), ...given(fields) };
}

function nothingToChange(body: Record<string, unknown>): void {
  if (Object.keys(body).length === 0) throw new Error('Nothing to change: fill in at least one field to update.');
}

// ---------------------------------------------------------------------------------------------
// Pipeline stages (cached briefly: stage names in forms and "change stage" resolve through them)
// ---------------------------------------------------------------------------------------------

const Stage = z.looseObject({
  id: z.string().meta({ title: 'Stage ID' }),
  name: z.string().meta({ title: 'Name' }),
  kind: z.string().nullable().optional().meta({ title: 'Kind', description: 'open, won or lost.' }),
  sortOrder: z.number().nullable().optional().meta({ title: 'Position', description: 'Order in the pipeline, from 0.' }),
  defaultProbabilityPct: z.number().nullable().optional().meta({ title: 'Default probability (%)' }),
  colorKey: z.string().nullable().optional().meta({ title: 'Colour' }),
  systemKey: z.string().nullable().optional().meta({ title: 'System key', description: 'The legacy key of a built-in stage.' }),
  leadCount: z.number().nullable().optional().meta({ title: 'Leads in the stage' }),
});
type Stage = z.infer<typeof Stage>;

const STAGES_TTL_MS = 60_000;
const stageCache = new Map<string, { at: number; stages: Stage[] }>();

async function readStages(client: ApiClient, options: { fresh?: boolean } = {}): Promise<Stage[]> {
  const key = `${client.connection.name}@${client.baseUrl}#${client.connection.extras.entityId ?? ''}`;
  const cached = stageCache.get(key);
  if (!options.fresh && cached && Date.now() - cached.at < STAGES_TTL_MS) return cached.stages;
  const data = await call<unknown>(client, { method: 'GET', path: '/pipeline-stages', scope: 'read:crm', what: 'list pipeline stages' });
  const stages = itemsOf<Stage>(data, 'stages').sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0));
  stageCache.set(key, { at: Date.now(), stages });
  return stages;
}

function forgetStages(client: ApiClient): void {
  stageCache.delete(`${client.connection.name}@${client.baseUrl}#${client.connection.extras.entityId ?? ''}`);
}

/** A stage by ID, name or legacy system key (any letter case); read again once when it is not known. */
async function resolveStage(client: ApiClient, ref: string): Promise<Stage> {
  const find = (stages: Stage[]) => {
    const r = ref.trim().toLowerCase();
    return (
      stages.find((s) => s.id.toLowerCase() === r) ?? stages.find((s) => s.name.toLowerCase() === r || s.systemKey?.toLowerCase() === r)
    );
  };
  const found = find(await readStages(client)) ?? find(await readStages(client, { fresh: true }));
  if (found) return found;
  const names = (await readStages(client)).map((s) => s.name).join(', ') || 'none';
  throw new Error(`The CRM has no pipeline stage "${ref}" (stages: ${names}).`);
}

// ---------------------------------------------------------------------------------------------
// Output shapes
// ---------------------------------------------------------------------------------------------

const Company = z.looseObject({
  id: z.string().meta({ title: 'Company ID' }),
  name: z.string().meta({ title: 'Name' }),
  relationshipType: z.string().nullable().optional().meta({ title: 'Relationship', description: 'prospect, customer, vendor or both.' }),
  status: z.string().nullable().optional().meta({ title: 'Status', description: 'active or inactive (archived).' }),
  ownerId: z.string().nullable().optional().meta({ title: 'Owner (ID)' }),
  website: z.string().nullable().optional().meta({ title: 'Website' }),
  phone: z.string().nullable().optional().meta({ title: 'Phone' }),
  createdAt: Timestamp('Created at').optional(),
  updatedAt: Timestamp('Updated at').optional(),
});
type Company = z.infer<typeof Company>;

const Contact = z.looseObject({
  id: z.string().meta({ title: 'Contact ID' }),
  firstName: z.string().nullable().optional().meta({ title: 'First name' }),
  lastName: z.string().nullable().optional().meta({ title: 'Last name' }),
  email: z.string().nullable().optional().meta({ title: 'Email' }),
  phone: z.string().nullable().optional().meta({ title: 'Phone' }),
  title: z.string().nullable().optional().meta({ title: 'Job title' }),
  createdAt: Timestamp('Created at').optional(),
  updatedAt: Timestamp('Updated at').optional(),
});
type Contact = z.infer<typeof Contact>;

const Membership = z.looseObject({
  id: z.string().meta({ title: 'Membership ID' }),
  contactId: z.string().meta({ title: 'Contact ID' }),
  companyId: z.string().meta({ title: 'Company ID' }),
  role: z.string().nullable().optional().meta({ title: 'Role', description: 'What the contact does at the company.' }),
  isPrimary: z.boolean().nullable().optional().meta({ title: 'Primary company' }),
  createdAt: Timestamp('Created at').optional(),
});
type Membership = z.infer<typeof Membership>;

const Lead = z.looseObject({
  id: z.string().meta({ title: 'Lead ID' }),
  title: z.string().meta({ title: 'Title' }),
  contactId: z.string().nullable().optional().meta({ title: 'Contact ID' }),
  companyId: z.string().nullable().optional().meta({ title: 'Company ID' }),
  stageId: z.string().nullable().optional().meta({ title: 'Stage ID' }),
  stage: z.string().nullable().optional().meta({ title: 'Stage', description: 'The stage name.' }),
  value: z.number().nullable().optional().meta({ title: 'Value', description: 'The expected deal value.' }),
  ownerId: z.string().nullable().optional().meta({ title: 'Owner (ID)' }),
  createdAt: Timestamp('Created at').optional(),
  updatedAt: Timestamp('Updated at').optional(),
});
type Lead = z.infer<typeof Lead>;

const TimelineEntry = z.looseObject({
  id: z.string().optional().meta({ title: 'Entry ID' }),
  type: z.string().meta({ title: 'What happened', description: 'e.g. created, stage_changed, activity, email.' }),
  at: Timestamp('When'),
  summary: z.string().nullable().optional().meta({ title: 'Summary' }),
});

const Activity = z.looseObject({
  id: z.string().meta({ title: 'Activity ID' }),
  type: z.string().meta({ title: 'Type', description: 'e.g. call, email, meeting, note.' }),
  subject: z.string().meta({ title: 'Subject' }),
  body: z.string().nullable().optional().meta({ title: 'Details' }),
  leadId: z.string().nullable().optional().meta({ title: 'Lead ID' }),
  contactId: z.string().nullable().optional().meta({ title: 'Contact ID' }),
  occurredAt: z.string().nullable().optional().meta({ title: 'Happened at' }),
  createdAt: Timestamp('Logged at').optional(),
});
type Activity = z.infer<typeof Activity>;

const Task = z.looseObject({
  id: z.string().meta({ title: 'Task ID' }),
  title: z.string().meta({ title: 'Title' }),
  dueDate: z.string().nullable().optional().meta({ title: 'Due date' }),
  completed: z.boolean().nullable().optional().meta({ title: 'Completed' }),
  leadId: z.string().nullable().optional().meta({ title: 'Lead ID' }),
  assigneeId: z.string().nullable().optional().meta({ title: 'Assigned to (ID)' }),
});

const EmailConnection = z.looseObject({
  id: z.string().meta({ title: 'Email connection ID' }),
  channel: z.string().nullable().optional().meta({ title: 'Channel', description: 'e.g. gmail.' }),
  email: z.string().nullable().optional().meta({ title: 'Sends as' }),
  status: z.string().nullable().optional().meta({ title: 'Status' }),
});
type EmailConnection = z.infer<typeof EmailConnection>;

const SentEmail = z.looseObject({
  id: z.string().meta({ title: 'Message ID' }),
  status: z.string().meta({ title: 'Status', description: 'e.g. queued or sent.' }),
  leadId: z.string().nullable().optional().meta({ title: 'Lead ID' }),
  connectionId: z.string().nullable().optional().meta({ title: 'Email connection ID' }),
  channel: z.string().nullable().optional().meta({ title: 'Channel' }),
  subject: z.string().nullable().optional().meta({ title: 'Subject' }),
});

const Deleted = z.object({
  deleted: z.literal(true).meta({ title: 'Deleted' }),
  id: z.string().meta({ title: 'ID' }),
});

const Dashboard = z.record(z.string(), z.unknown()).meta({
  title: 'Dashboard',
  description: 'The figures the CRM’s dashboard shows (the document does not list them; they arrive as sent).',
});

function listOutput<N extends string, T extends z.ZodType>(item: T, noun: N, title: string) {
  const items = { [noun]: z.array(item).meta({ title }) } as { [K in N]: z.ZodArray<T> };
  return z.object({
    ...items,
    count: z.number().meta({ title: 'Number returned' }),
    total: z.number().nullable().meta({ title: 'Total in the CRM', description: 'How many match in all, when the CRM says.' }),
    truncated: z.boolean().meta({ title: 'Cut short', description: 'More matched than "At most" allowed.' }),
    first: item.nullable().meta({ title: 'First one', description: 'The first item, or empty when none matched.' }),
  });
}

function listResult<N extends string, T>(noun: N, found: Listed<T>) {
  const items = { [noun]: found.items } as { [K in N]: T[] };
  return { ...items, count: found.items.length, total: found.total, truncated: found.truncated, first: found.items[0] ?? null };
}

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

const AT = '2026-06-17T14:20:00.000Z';
const SAMPLE_COMPANY: Company = {
  id: '8bb73d03-06b4-47c7-80c7-59301f770eda',
  name: 'Harbor Roofing LLC',
  relationshipType: 'customer',
  status: 'active',
  ownerId: null,
  website: 'https://harborroofing.example',
  phone: '555-0142',
  createdAt: AT,
  updatedAt: AT,
};
const SAMPLE_CONTACT: Contact = {
  id: '3f0e7a52-9d41-4c1e-8b77-5d2f1c9e4a10',
  firstName: 'Dana',
  lastName: 'Reyes',
  email: 'dana.reyes@example.com',
  phone: '555-0101',
  title: 'Office manager',
  createdAt: AT,
  updatedAt: AT,
};
const SAMPLE_MEMBERSHIP: Membership = {
  id: 'a6b1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
  contactId: SAMPLE_CONTACT.id,
  companyId: SAMPLE_COMPANY.id,
  role: 'Office manager',
  isPrimary: true,
  createdAt: AT,
};
const SAMPLE_STAGE: Stage = {
  id: '497f6eca-6276-4993-bfeb-53cbbbba6f08',
  name: 'Qualified',
  kind: 'open',
  sortOrder: 1,
  defaultProbabilityPct: 30,
  colorKey: 'blue',
  systemKey: null,
  leadCount: 4,
};
const SAMPLE_LEAD: Lead = {
  id: '3c6e2b8e-0e8f-48db-8791-27271df10113',
  title: 'Harbor Roofing - gutter replacement',
  contactId: SAMPLE_CONTACT.id,
  companyId: SAMPLE_COMPANY.id,
  stageId: SAMPLE_STAGE.id,
  stage: 'Qualified',
  value: 4200,
  ownerId: null,
  createdAt: AT,
  updatedAt: AT,
};
const SAMPLE_ACTIVITY: Activity = {
  id: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  type: 'call',
  subject: 'Discussed the quote',
  body: 'Wants the work done before July.',
  leadId: SAMPLE_LEAD.id,
  contactId: SAMPLE_CONTACT.id,
  occurredAt: AT,
  createdAt: AT,
};
const SAMPLE_TASK = {
  id: 'd7e8f9a0-b1c2-4d3e-8f4a-5b6c7d8e9f0a',
  title: 'Send the revised quote',
  dueDate: '2026-06-20',
  completed: false,
  leadId: SAMPLE_LEAD.id,
  assigneeId: null,
};
const SAMPLE_EMAIL_CONNECTION: EmailConnection = {
  id: '84b500d7-71c8-4b1f-adf4-f1eb0000973d',
  channel: 'gmail',
  email: 'sales@harborroofing.example',
  status: 'connected',
};

// ---------------------------------------------------------------------------------------------
// Shared fields
// ---------------------------------------------------------------------------------------------

const READS = 'Needs a key with the read:crm scope.';
const WRITES = 'Needs a key with the write:crm scope.';

const idField = (title: string, description: string, widget?: string) => text({ title, description, ...(widget ? { widget } : {}) });
const companyId = idField('Company', 'The company’s ID, usually picked from an earlier step.');
const contactId = idField('Contact', 'The contact’s ID, usually picked from an earlier step.');
const leadId = idField('Lead', 'The lead’s ID, usually picked from an earlier step.');
const stageId = idField('Stage', 'The pipeline stage’s ID (see "List pipeline stages").', 'crmStage');
const otherFields = optionalFields({
  title: 'Other fields',
  description: 'Any further fields your CRM accepts, by their API name (e.g. industry). The fields above win over these.',
});
const limit = (noun: string, fallback = 100) =>
  limitField({ title: 'At most', description: `The largest number of ${noun} to return (1 to 5000).`, fallback, max: 5000 });

/** IDs separated by commas, or a list picked from an earlier step; empty means "none". */
function optionalIdList(meta: { title: string; description: string }) {
  return z
    .preprocess((v) => {
      const list = asList(absentIfBlank(v));
      return Array.isArray(list) && list.length === 0 ? undefined : list;
    }, z.array(z.string(), { error: `${meta.title} must be IDs separated by commas.` }).optional())
    .meta(meta);
}

function optionalNumber(meta: { title: string; description: string }) {
  return z.preprocess(absentIfBlank, z.coerce.number({ error: `${meta.title}: enter a number.` }).optional()).meta(meta);
}

const RELATIONSHIPS = ['prospect', 'customer', 'vendor', 'both'] as const;
const relationshipField = (description: string) =>
  optionalChoice(RELATIONSHIPS, { title: 'Relationship', description, options: [...RELATIONSHIPS] });
const STATUSES = ['active', 'inactive'] as const;
const statusField = (description: string) => optionalChoice(STATUSES, { title: 'Status', description, options: [...STATUSES] });
const STAGE_KINDS = ['open', 'won', 'lost'] as const;

const companyPath = (id: string) => `/companies/${segment(id)}`;
const contactPath = (id: string) => `/contacts/${segment(id)}`;
const membershipsPath = (id: string) => `/contacts/${segment(id)}/company-memberships`;
const leadPath = (id: string) => `/leads/${segment(id)}`;
const stagePath = (id: string) => `/pipeline-stages/${segment(id)}`;

/** A delete: repeating it changes nothing more. */
const deleteRequest = (path: string, what: string, body?: Record<string, unknown>): ApiRequest => ({
  method: 'DELETE',
  path,
  ...(body ? { body } : {}),
  scope: 'write:crm',
  what,
  retrySafe: true,
});

/** The plan of an update: the request, and the current row with the changes applied. */
async function planUpdate<T extends { id: string }>(
  ctx: Ctx<unknown>,
  request: ApiRequest,
  id: string,
  key: string,
  what: string,
  placeholder: T,
): Promise<PlanResult<T>> {
  const client = crm(ctx);
  const before = await currentForPlan<T>(client, request.path, id, key, what);
  return {
    request: planOf(client, request),
    output: { ...(before ?? placeholder), ...(request.body as object), updatedAt: ctx.now().toISOString() } as T,
  };
}

// ---------------------------------------------------------------------------------------------
// Companies
// ---------------------------------------------------------------------------------------------

const listCompanies = defineAction({
  key: 'listCompanies',
  version: 1,
  label: 'Find companies in the CRM',
  description: `Lists companies, optionally by relationship, status, owner or name, reading page after page (query parameters relationshipType, status, ownerId, search and page). ${READS}`,
  effect: 'read',
  input: z.object({
    relationshipType: relationshipField('Only companies with this commercial relationship. Leave empty for any.'),
    status: statusField('Only active companies, or only archived (inactive) ones. Leave empty for any.'),
    ownerId: optionalText({
      title: 'Owner',
      description: 'Only companies of this owner: a team member’s ID, "me" (the key’s user) or "unassigned".',
    }),
    search: optionalText({ title: 'Name contains', description: 'Only companies whose name contains this text (any letter case).' }),
    limit: limit('companies'),
  }),
  output: listOutput(Company, 'companies', 'Companies'),
  sample: listResult('companies', { items: [SAMPLE_COMPANY], total: 1, truncated: false }),
  async run(ctx) {
    const { limit, ...query } = ctx.input;
    const found = await readList<Company>(
      crm(ctx),
      { method: 'GET', path: '/companies', query, scope: 'read:crm', what: 'list companies' },
      'companies',
      limit,
      true,
    );
    return listResult('companies', found);
  },
});

const getCompany = defineAction({
  key: 'getCompany',
  version: 1,
  label: 'Get CRM company',
  description: `Reads one company with all its fields. ${READS}`,
  effect: 'read',
  input: z.object({ companyId }),
  output: Company,
  sample: SAMPLE_COMPANY,
  run: async (ctx) =>
    one<Company>(
      await call(crm(ctx), { method: 'GET', path: companyPath(ctx.input.companyId), scope: 'read:crm', what: 'read the company' }),
      'company',
    ),
});

const CompanyFields = {
  relationshipType: relationshipField('prospect, customer, vendor or both.'),
  status: statusField('active, or inactive to archive it.'),
  ownerId: optionalText({ title: 'Owner', description: 'The team member who owns the company (ID).' }),
  website: optionalText({ title: 'Website', description: 'The company’s web address.' }),
  phone: optionalText({ title: 'Phone', description: 'The company’s main phone number.' }),
  fields: otherFields,
};

const CreateCompanyInput = z.object({ name: text({ title: 'Name', description: 'The company’s name (required).' }), ...CompanyFields });
type CreateCompanyInput = z.output<typeof CreateCompanyInput>;

const createCompanyRequest = ({ fields, ...named }: CreateCompanyInput): ApiRequest => ({
  method: 'POST',
  path: '/companies',
  body: bodyOf(named, fields),
  scope: 'write:crm',
  what: 'create a company',
});

const createCompany = defineAction({
  key: 'createCompany',
  version: 1,
  label: 'Create CRM company',
  description: `Adds a company. Only the name is required. ${WRITES}`,
  effect: 'write',
  input: CreateCompanyInput,
  output: Company,
  sample: SAMPLE_COMPANY,
  run: async (ctx) => one<Company>(await call(crm(ctx), createCompanyRequest(ctx.input)), 'company'),
  plan(ctx) {
    const request = createCompanyRequest(ctx.input);
    const at = ctx.now().toISOString();
    return {
      request: planOf(crm(ctx), request),
      output: { status: 'active', ...(request.body as object), id: simulatedId(), name: ctx.input.name, createdAt: at, updatedAt: at },
    };
  },
});

const UpdateCompanyInput = z.object({
  companyId,
  name: optionalText({ title: 'New name', description: 'Leave empty to keep the name.' }),
  ...CompanyFields,
});
type UpdateCompanyInput = z.output<typeof UpdateCompanyInput>;

function updateCompanyRequest({ companyId, fields, ...named }: UpdateCompanyInput): ApiRequest {
  const body = bodyOf(named, fields);
  nothingToChange(body);
  return { method: 'PATCH', path: companyPath(companyId), body, retrySafe: true, scope: 'write:crm', what: 'update the company' };
}

const updateCompany = defineAction({
  key: 'updateCompany',
  version: 1,
  label: 'Update CRM company',
  description: `Changes a company’s name, relationship, status, owner or other fields; anything left empty stays as it is. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateCompanyInput,
  output: Company,
  sample: SAMPLE_COMPANY,
  run: async (ctx) => one<Company>(await call(crm(ctx), updateCompanyRequest(ctx.input)), 'company'),
  plan: (ctx) =>
    planUpdate<Company>(ctx, updateCompanyRequest(ctx.input), ctx.input.companyId, 'company', 'read the company', {
      id: ctx.input.companyId,
      name: '',
    }),
});

const listCompanyContacts = defineAction({
  key: 'listCompanyContacts',
  version: 1,
  label: 'List a CRM company’s contacts',
  description: `Lists the contacts who belong to a company. ${READS}`,
  effect: 'read',
  input: z.object({ companyId, limit: limit('contacts') }),
  output: listOutput(Contact, 'contacts', 'Contacts'),
  sample: listResult('contacts', { items: [SAMPLE_CONTACT], total: 1, truncated: false }),
  async run(ctx) {
    const found = await readList<Contact>(
      crm(ctx),
      { method: 'GET', path: `${companyPath(ctx.input.companyId)}/contacts`, scope: 'read:crm', what: 'list the company’s contacts' },
      'contacts',
      ctx.input.limit,
    );
    return listResult('contacts', found);
  },
});

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

const listContacts = defineAction({
  key: 'listContacts',
  version: 1,
  label: 'Find contacts in the CRM',
  description: `Lists contacts, optionally only those of one company (query parameter companyId). ${READS}`,
  effect: 'read',
  input: z.object({
    companyId: optionalText({ title: 'Company', description: 'Only contacts of this company (ID). Leave empty for every contact.' }),
    limit: limit('contacts'),
  }),
  output: listOutput(Contact, 'contacts', 'Contacts'),
  sample: listResult('contacts', { items: [SAMPLE_CONTACT], total: 1, truncated: false }),
  async run(ctx) {
    const found = await readList<Contact>(
      crm(ctx),
      { method: 'GET', path: '/contacts', query: { companyId: ctx.input.companyId }, scope: 'read:crm', what: 'list contacts' },
      'contacts',
      ctx.input.limit,
    );
    return listResult('contacts', found);
  },
});

const getContact = defineAction({
  key: 'getContact',
  version: 1,
  label: 'Get CRM contact',
  description: `Reads one contact. ${READS}`,
  effect: 'read',
  input: z.object({ contactId }),
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) =>
    one<Contact>(
      await call(crm(ctx), { method: 'GET', path: contactPath(ctx.input.contactId), scope: 'read:crm', what: 'read the contact' }),
      'contact',
    ),
});

const ContactFields = {
  firstName: optionalText({ title: 'First name', description: 'The contact’s first name.' }),
  lastName: optionalText({ title: 'Last name', description: 'The contact’s last name.' }),
  email: optionalText({ title: 'Email', description: 'The contact’s email address.' }),
  phone: optionalText({ title: 'Phone', description: 'The contact’s phone number.' }),
  title: optionalText({ title: 'Job title', description: 'What the contact does, e.g. Office manager.' }),
  fields: otherFields,
};

const CreateContactInput = z.object(ContactFields);
type CreateContactInput = z.output<typeof CreateContactInput>;

function createContactRequest({ fields, ...named }: CreateContactInput): ApiRequest {
  const body = bodyOf(named, fields);
  if (Object.keys(body).length === 0) throw new Error('Fill in at least one field of the new contact, e.g. a name or an email.');
  return { method: 'POST', path: '/contacts', body, scope: 'write:crm', what: 'create a contact' };
}

const createContact = defineAction({
  key: 'createContact',
  version: 1,
  label: 'Create CRM contact',
  description: `Adds a contact. The document names no required field; fill in at least a name or an email. ${WRITES}`,
  effect: 'write',
  input: CreateContactInput,
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => one<Contact>(await call(crm(ctx), createContactRequest(ctx.input)), 'contact'),
  plan(ctx) {
    const request = createContactRequest(ctx.input);
    const at = ctx.now().toISOString();
    return { request: planOf(crm(ctx), request), output: { ...(request.body as object), id: simulatedId(), createdAt: at, updatedAt: at } };
  },
});

const UpdateContactInput = z.object({ contactId, ...ContactFields });
type UpdateContactInput = z.output<typeof UpdateContactInput>;

function updateContactRequest({ contactId, fields, ...named }: UpdateContactInput): ApiRequest {
  const body = bodyOf(named, fields);
  nothingToChange(body);
  return { method: 'PATCH', path: contactPath(contactId), body, retrySafe: true, scope: 'write:crm', what: 'update the contact' };
}

const updateContact = defineAction({
  key: 'updateContact',
  version: 1,
  label: 'Update CRM contact',
  description: `Changes a contact’s name, email, phone, job title or other fields; anything left empty stays as it is. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateContactInput,
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => one<Contact>(await call(crm(ctx), updateContactRequest(ctx.input)), 'contact'),
  plan: (ctx) =>
    planUpdate<Contact>(ctx, updateContactRequest(ctx.input), ctx.input.contactId, 'contact', 'read the contact', {
      id: ctx.input.contactId,
    }),
});

const deleteContact = defineAction({
  key: 'deleteContact',
  version: 1,
  label: 'Delete CRM contact',
  description: `Deletes a contact. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ contactId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_CONTACT.id },
  async run(ctx) {
    await call(crm(ctx), deleteRequest(contactPath(ctx.input.contactId), 'delete the contact'));
    return { deleted: true as const, id: ctx.input.contactId };
  },
  plan: (ctx) => ({
    request: planOf(crm(ctx), deleteRequest(contactPath(ctx.input.contactId), 'delete the contact')),
    output: { deleted: true as const, id: ctx.input.contactId },
  }),
});

// ---------------------------------------------------------------------------------------------
// Company memberships (a contact's companies)
// ---------------------------------------------------------------------------------------------

const membershipId = idField('Membership', 'The membership’s ID (see "List a CRM contact’s companies").');
const MembershipFields = {
  role: optionalText({ title: 'Role', description: 'What the contact does at this company, e.g. Buyer.' }),
  isPrimary: optionalFlag({ title: 'Primary company', description: 'Yes when this is the contact’s main company.' }),
  fields: otherFields,
};

const listCompanyMemberships = defineAction({
  key: 'listCompanyMemberships',
  version: 1,
  label: 'List a CRM contact’s companies',
  description: `Lists the companies a contact belongs to (their company memberships). ${READS}`,
  effect: 'read',
  input: z.object({ contactId, limit: limit('memberships') }),
  output: listOutput(Membership, 'memberships', 'Memberships'),
  sample: listResult('memberships', { items: [SAMPLE_MEMBERSHIP], total: 1, truncated: false }),
  async run(ctx) {
    const found = await readList<Membership>(
      crm(ctx),
      { method: 'GET', path: membershipsPath(ctx.input.contactId), scope: 'read:crm', what: 'list the contact’s companies' },
      'memberships',
      ctx.input.limit,
    );
    return listResult('memberships', found);
  },
});

const AddMembershipInput = z.object({ contactId, companyId, ...MembershipFields });
type AddMembershipInput = z.output<typeof AddMembershipInput>;

const addMembershipRequest = ({ contactId, fields, ...named }: AddMembershipInput): ApiRequest => ({
  method: 'POST',
  path: membershipsPath(contactId),
  body: bodyOf(named, fields),
  scope: 'write:crm',
  what: 'add the contact to the company',
});

const addCompanyMembership = defineAction({
  key: 'addCompanyMembership',
  version: 1,
  label: 'Add CRM contact to company',
  description: `Links a contact to a company, with an optional role. When the contact already belongs to the company (the CRM answers 409), the existing membership is returned instead of failing, so this step is safe to repeat. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: AddMembershipInput,
  output: Membership.extend({
    alreadyMember: z.boolean().meta({ title: 'Was already a member', description: 'Yes when the link existed before this step.' }),
  }),
  sample: { ...SAMPLE_MEMBERSHIP, alreadyMember: false },
  async run(ctx) {
    const client = crm(ctx);
    try {
      return { ...one<Membership>(await call(client, addMembershipRequest(ctx.input)), 'membership'), alreadyMember: false };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409) throw err;
      const data = await call<unknown>(client, {
        method: 'GET',
        path: membershipsPath(ctx.input.contactId),
        scope: 'read:crm',
        what: 'list the contact’s companies',
      });
      const existing = itemsOf<Membership>(data, 'memberships').find((m) => m.companyId === ctx.input.companyId);
      if (!existing) throw err;
      return { ...existing, alreadyMember: true };
    }
  },
  plan(ctx) {
    const request = addMembershipRequest(ctx.input);
    return {
      request: planOf(crm(ctx), request),
      output: {
        ...(request.body as object),
        id: simulatedId(),
        contactId: ctx.input.contactId,
        companyId: ctx.input.companyId,
        createdAt: ctx.now().toISOString(),
        alreadyMember: false,
      },
    };
  },
});

const UpdateMembershipInput = z.object({ contactId, membershipId, ...MembershipFields });
type UpdateMembershipInput = z.output<typeof UpdateMembershipInput>;

function updateMembershipRequest({ contactId, membershipId, fields, ...named }: UpdateMembershipInput): ApiRequest {
  const body = bodyOf(named, fields);
  nothingToChange(body);
  return {
    method: 'PATCH',
    path: `${membershipsPath(contactId)}/${segment(membershipId)}`,
    body,
    retrySafe: true,
    scope: 'write:crm',
    what: 'update the company membership',
  };
}

const updateCompanyMembership = defineAction({
  key: 'updateCompanyMembership',
  version: 1,
  label: 'Update CRM company membership',
  description: `Changes a contact’s role at a company, or whether it is their primary company. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateMembershipInput,
  output: Membership,
  sample: SAMPLE_MEMBERSHIP,
  run: async (ctx) => one<Membership>(await call(crm(ctx), updateMembershipRequest(ctx.input)), 'membership'),
  async plan(ctx) {
    const client = crm(ctx);
    const request = updateMembershipRequest(ctx.input);
    const data = await call<unknown>(client, {
      method: 'GET',
      path: membershipsPath(ctx.input.contactId),
      scope: 'read:crm',
      what: 'list the contact’s companies',
    }).catch((err) => {
      if (err instanceof ApiError && err.status === 404 && simulatedIds.has(ctx.input.contactId)) return null;
      throw err;
    });
    const before = itemsOf<Membership>(data, 'memberships').find((m) => m.id === ctx.input.membershipId);
    return {
      request: planOf(client, request),
      output: { ...(before ?? { id: ctx.input.membershipId, contactId: ctx.input.contactId, companyId: '' }), ...(request.body as object) },
    };
  },
});

const removeCompanyMembership = defineAction({
  key: 'removeCompanyMembership',
  version: 1,
  label: 'Remove CRM contact from company',
  description: `Ends a contact’s membership of a company (the contact and the company stay). ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ contactId, membershipId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_MEMBERSHIP.id },
  async run(ctx) {
    const { contactId, membershipId } = ctx.input;
    await call(crm(ctx), deleteRequest(`${membershipsPath(contactId)}/${segment(membershipId)}`, 'remove the company membership'));
    return { deleted: true as const, id: membershipId };
  },
  plan: (ctx) => ({
    request: planOf(
      crm(ctx),
      deleteRequest(`${membershipsPath(ctx.input.contactId)}/${segment(ctx.input.membershipId)}`, 'remove the company membership'),
    ),
    output: { deleted: true as const, id: ctx.input.membershipId },
  }),
});

// ---------------------------------------------------------------------------------------------
// Pipeline stages
// ---------------------------------------------------------------------------------------------

const listPipelineStages = defineAction({
  key: 'listPipelineStages',
  version: 1,
  label: 'List CRM pipeline stages',
  description: `Lists the lead pipeline’s stages in order, with how many leads each holds. ${READS}`,
  effect: 'read',
  input: z.object({}),
  output: z.object({
    stages: z.array(Stage).meta({ title: 'Stages', description: 'In pipeline order.' }),
    count: z.number().meta({ title: 'Number of stages' }),
  }),
  sample: { stages: [SAMPLE_STAGE], count: 1 },
  async run(ctx) {
    const stages = await readStages(crm(ctx), { fresh: true });
    return { stages, count: stages.length };
  },
});

const StageFields = {
  kind: optionalChoice(STAGE_KINDS, {
    title: 'Kind',
    description: 'open for a working stage, won or lost for a closing one.',
    options: [...STAGE_KINDS],
  }),
  defaultProbabilityPct: optionalNumber({
    title: 'Default probability (%)',
    description: 'How likely a lead in this stage is to be won, 0 to 100.',
  }),
  colorKey: optionalText({ title: 'Colour', description: 'The colour the stage is shown in, e.g. blue.' }),
  fields: otherFields,
};

const CreateStageInput = z.object({ name: text({ title: 'Name', description: 'The new stage’s name (required).' }), ...StageFields });
type CreateStageInput = z.output<typeof CreateStageInput>;

const createStageRequest = ({ fields, ...named }: CreateStageInput): ApiRequest => ({
  method: 'POST',
  path: '/pipeline-stages',
  body: bodyOf(named, fields),
  scope: 'write:crm',
  what: 'create a pipeline stage',
});

const createPipelineStage = defineAction({
  key: 'createPipelineStage',
  version: 1,
  label: 'Create CRM pipeline stage',
  description: `Adds a stage at the end of the lead pipeline. The CRM refuses a name that is already used (409). ${WRITES}`,
  effect: 'write',
  input: CreateStageInput,
  output: Stage,
  sample: SAMPLE_STAGE,
  async run(ctx) {
    const client = crm(ctx);
    const stage = one<Stage>(await call(client, createStageRequest(ctx.input)), 'stage');
    forgetStages(client);
    return stage;
  },
  async plan(ctx) {
    const client = crm(ctx);
    const stages = await readStages(client);
    const request = createStageRequest(ctx.input);
    return {
      request: planOf(client, request),
      output: {
        kind: 'open',
        leadCount: 0,
        ...(request.body as object),
        id: simulatedId(),
        name: ctx.input.name,
        sortOrder: stages.length,
      },
    };
  },
});

const reorderRequest = (stageIds: string[]): ApiRequest => ({
  method: 'POST',
  path: '/pipeline-stages/reorder',
  body: { stageIds },
  // Setting the same order twice changes nothing more.
  retrySafe: true,
  scope: 'write:crm',
  what: 'reorder the pipeline stages',
});

const reorderPipelineStages = defineAction({
  key: 'reorderPipelineStages',
  version: 1,
  label: 'Reorder CRM pipeline stages',
  description: `Puts the pipeline’s stages in a new order: list every stage ID, first to last. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({
    stageIds: textList({
      title: 'Stages in order',
      description: 'Every stage’s ID, first to last, separated by commas (see "List CRM pipeline stages").',
      noun: 'stage',
    }),
  }),
  output: z.object({
    stages: z.array(Stage).meta({ title: 'Stages', description: 'In their new order.' }),
    count: z.number().meta({ title: 'Number of stages' }),
  }),
  sample: { stages: [SAMPLE_STAGE], count: 1 },
  async run(ctx) {
    const client = crm(ctx);
    const data = await call<unknown>(client, reorderRequest(ctx.input.stageIds));
    forgetStages(client);
    const answered = itemsOf<Stage>(data, 'stages');
    const stages = answered.length ? answered : await readStages(client, { fresh: true });
    return { stages, count: stages.length };
  },
  async plan(ctx) {
    const client = crm(ctx);
    const current = await readStages(client);
    const byId = new Map(current.map((s) => [s.id, s]));
    const stages = ctx.input.stageIds.map((id, sortOrder) => ({ ...(byId.get(id) ?? { id, name: id }), sortOrder }));
    return { request: planOf(client, reorderRequest(ctx.input.stageIds)), output: { stages, count: stages.length } };
  },
});

const UpdateStageInput = z.object({
  stageId,
  name: optionalText({ title: 'New name', description: 'Leave empty to keep the name.' }),
  ...StageFields,
});
type UpdateStageInput = z.output<typeof UpdateStageInput>;

function updateStageRequest({ stageId, fields, ...named }: UpdateStageInput): ApiRequest {
  const body = bodyOf(named, fields);
  nothingToChange(body);
  return { method: 'PATCH', path: stagePath(stageId), body, retrySafe: true, scope: 'write:crm', what: 'update the pipeline stage' };
}

const updatePipelineStage = defineAction({
  key: 'updatePipelineStage',
  version: 1,
  label: 'Update CRM pipeline stage',
  description: `Renames a stage or changes its kind, default probability or colour. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateStageInput,
  output: Stage,
  sample: SAMPLE_STAGE,
  async run(ctx) {
    const client = crm(ctx);
    const stage = one<Stage>(await call(client, updateStageRequest(ctx.input)), 'stage');
    forgetStages(client);
    return stage;
  },
  async plan(ctx) {
    const client = crm(ctx);
    const request = updateStageRequest(ctx.input);
    const before = (await readStages(client)).find((s) => s.id === ctx.input.stageId);
    return {
      request: planOf(client, request),
      output: { ...(before ?? { id: ctx.input.stageId, name: '' }), ...(request.body as object) },
    };
  },
});

const DeleteStageInput = z.object({
  stageId,
  moveLeadsToStageId: optionalText({
    title: 'Move its leads to',
    description:
      'The stage (ID) that takes over the leads of the deleted stage, sent as moveLeadsToStageId. The CRM refuses to delete a stage that still holds leads without it (409).',
    widget: 'crmStage',
  }),
});
type DeleteStageInput = z.output<typeof DeleteStageInput>;

const deleteStageRequest = (input: DeleteStageInput) =>
  deleteRequest(stagePath(input.stageId), 'delete the pipeline stage', given({ moveLeadsToStageId: input.moveLeadsToStageId }));

const deletePipelineStage = defineAction({
  key: 'deletePipelineStage',
  version: 1,
  label: 'Delete CRM pipeline stage',
  description: `Deletes a pipeline stage, moving its leads to another stage first when you choose one. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: DeleteStageInput,
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_STAGE.id },
  async run(ctx) {
    const client = crm(ctx);
    await call(client, deleteStageRequest(ctx.input));
    forgetStages(client);
    return { deleted: true as const, id: ctx.input.stageId };
  },
  plan: (ctx) => ({
    request: planOf(crm(ctx), deleteStageRequest(ctx.input)),
    output: { deleted: true as const, id: ctx.input.stageId },
  }),
});

// ---------------------------------------------------------------------------------------------
// Leads
// ---------------------------------------------------------------------------------------------

const listLeads = defineAction({
  key: 'listLeads',
  version: 1,
  label: 'Find leads in the CRM',
  description: `Lists leads, optionally of one company, contact, owner or stage (query parameters companyId, contactId, ownerId and stage). ${READS}`,
  effect: 'read',
  input: z.object({
    companyId: optionalText({ title: 'Company', description: 'Only leads of this company (ID).' }),
    contactId: optionalText({ title: 'Contact', description: 'Only leads of this contact (ID).' }),
    ownerId: optionalText({ title: 'Owner', description: 'Only leads of this team member (ID).' }),
    stage: optionalText({
      title: 'Stage',
      description: 'Only leads in this stage, by stage name or legacy system key, e.g. Qualified.',
    }),
    limit: limit('leads'),
  }),
  output: listOutput(Lead, 'leads', 'Leads'),
  sample: listResult('leads', { items: [SAMPLE_LEAD], total: 1, truncated: false }),
  async run(ctx) {
    const { limit, ...query } = ctx.input;
    const found = await readList<Lead>(
      crm(ctx),
      { method: 'GET', path: '/leads', query, scope: 'read:crm', what: 'list leads' },
      'leads',
      limit,
    );
    return listResult('leads', found);
  },
});

const getLead = defineAction({
  key: 'getLead',
  version: 1,
  label: 'Get CRM lead',
  description: `Reads one lead. ${READS}`,
  effect: 'read',
  input: z.object({ leadId }),
  output: Lead,
  sample: SAMPLE_LEAD,
  run: async (ctx) =>
    one<Lead>(await call(crm(ctx), { method: 'GET', path: leadPath(ctx.input.leadId), scope: 'read:crm', what: 'read the lead' }), 'lead'),
});

const LeadFields = {
  contactId: optionalText({ title: 'Contact', description: 'The lead’s contact (ID).' }),
  companyId: optionalText({ title: 'Company', description: 'The lead’s company (ID).' }),
  value: optionalNumber({ title: 'Value', description: 'The expected deal value, e.g. 4200.' }),
  ownerId: optionalText({ title: 'Owner', description: 'The team member responsible (ID).' }),
  fields: otherFields,
};

const CreateLeadInput = z.object({
  title: text({ title: 'Title', description: 'What the lead is about, e.g. "Harbor Roofing - gutters" (required).' }),
  stage: optionalText({
    title: 'Stage',
    description: 'The stage to start in, by name, legacy system key or ID. Leave empty for the CRM’s first stage.',
    widget: 'crmStage',
  }),
  ...LeadFields,
});
type CreateLeadInput = z.output<typeof CreateLeadInput>;

async function createLeadRequest(client: ApiClient, { stage, fields, ...named }: CreateLeadInput): Promise<ApiRequest> {
  const stageId = stage ? (await resolveStage(client, stage)).id : undefined;
  return { method: 'POST', path: '/leads', body: bodyOf({ ...named, stageId }, fields), scope: 'write:crm', what: 'create a lead' };
}

const createLead = defineAction({
  key: 'createLead',
  version: 1,
  label: 'Create CRM lead',
  description: `Adds a lead, optionally in a stage chosen by name (Pipewright looks up its ID in the pipeline stages). ${WRITES}`,
  effect: 'write',
  input: CreateLeadInput,
  output: Lead,
  sample: SAMPLE_LEAD,
  async run(ctx) {
    const client = crm(ctx);
    return one<Lead>(await call(client, await createLeadRequest(client, ctx.input)), 'lead');
  },
  async plan(ctx) {
    const client = crm(ctx);
    const request = await createLeadRequest(client, ctx.input);
    const body = request.body as Record<string, unknown>;
    const stage = body.stageId ? await resolveStage(client, String(body.stageId)) : (await readStages(client))[0];
    const at = ctx.now().toISOString();
    return {
      request: planOf(client, request),
      output: {
        ...body,
        id: simulatedId(),
        title: ctx.input.title,
        stageId: stage?.id ?? null,
        stage: stage?.name ?? null,
        createdAt: at,
        updatedAt: at,
      },
    };
  },
});

const UpdateLeadInput = z.object({
  leadId,
  title: optionalText({ title: 'New title', description: 'Leave empty to keep the title.' }),
  ...LeadFields,
});
type UpdateLeadInput = z.output<typeof UpdateLeadInput>;

function updateLeadRequest({ leadId, fields, ...named }: UpdateLeadInput): ApiRequest {
  const body = bodyOf(named, fields);
  nothingToChange(body);
  return { method: 'PATCH', path: leadPath(leadId), body, retrySafe: true, scope: 'write:crm', what: 'update the lead' };
}

const updateLead = defineAction({
  key: 'updateLead',
  version: 1,
  label: 'Update CRM lead',
  description: `Changes a lead’s title, contact, company, value, owner or other fields (its stage has its own step, "Change CRM lead stage"). ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateLeadInput,
  output: Lead,
  sample: SAMPLE_LEAD,
  run: async (ctx) => one<Lead>(await call(crm(ctx), updateLeadRequest(ctx.input)), 'lead'),
  plan: (ctx) =>
    planUpdate<Lead>(ctx, updateLeadRequest(ctx.input), ctx.input.leadId, 'lead', 'read the lead', { id: ctx.input.leadId, title: '' }),
});

const deleteLead = defineAction({
  key: 'deleteLead',
  version: 1,
  label: 'Delete CRM lead',
  description: `Deletes a lead. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ leadId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_LEAD.id },
  async run(ctx) {
    await call(crm(ctx), deleteRequest(leadPath(ctx.input.leadId), 'delete the lead'));
    return { deleted: true as const, id: ctx.input.leadId };
  },
  plan: (ctx) => ({
    request: planOf(crm(ctx), deleteRequest(leadPath(ctx.input.leadId), 'delete the lead')),
    output: { deleted: true as const, id: ctx.input.leadId },
  }),
});

const getLeadTimeline = defineAction({
  key: 'getLeadTimeline',
  version: 1,
  label: 'Get CRM lead timeline',
  description: `Reads everything that happened to a lead, oldest first: stage changes, activities, emails. ${READS}`,
  effect: 'read',
  input: z.object({ leadId, limit: limit('entries', 500) }),
  output: listOutput(TimelineEntry, 'timeline', 'Timeline'),
  sample: listResult('timeline', {
    items: [{ id: 'e1', type: 'stage_changed', at: AT, summary: 'Moved to Qualified' }],
    total: 1,
    truncated: false,
  }),
  async run(ctx) {
    const found = await readList<z.infer<typeof TimelineEntry>>(
      crm(ctx),
      { method: 'GET', path: `${leadPath(ctx.input.leadId)}/timeline`, scope: 'read:crm', what: 'read the lead’s timeline' },
      'timeline',
      ctx.input.limit,
    );
    return listResult('timeline', found);
  },
});

const ChangeStageInput = z.object({
  leadId,
  stage: text({
    title: 'Stage',
    description: 'The stage to move the lead to, by name, legacy system key or ID, e.g. Qualified.',
    widget: 'crmStage',
  }),
});
type ChangeStageInput = z.output<typeof ChangeStageInput>;

async function changeStageRequest(client: ApiClient, input: ChangeStageInput): Promise<{ request: ApiRequest; stage: Stage }> {
  const stage = await resolveStage(client, input.stage);
  return {
    stage,
    request: {
      method: 'PATCH',
      path: `${leadPath(input.leadId)}/stage`,
      body: { stageId: stage.id },
      retrySafe: true,
      scope: 'write:crm',
      what: 'change the lead’s stage',
    },
  };
}

const changeLeadStage = defineAction({
  key: 'changeLeadStage',
  version: 1,
  label: 'Change CRM lead stage',
  description: `Moves a lead to another pipeline stage, chosen by name, system key or ID (sent as stageId). ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: ChangeStageInput,
  output: Lead,
  sample: SAMPLE_LEAD,
  async run(ctx) {
    const client = crm(ctx);
    const { request } = await changeStageRequest(client, ctx.input);
    return one<Lead>(await call(client, request), 'lead');
  },
  async plan(ctx) {
    const client = crm(ctx);
    const { request, stage } = await changeStageRequest(client, ctx.input);
    const before = await currentForPlan<Lead>(client, leadPath(ctx.input.leadId), ctx.input.leadId, 'lead', 'read the lead');
    return {
      request: planOf(client, request),
      output: {
        ...(before ?? { id: ctx.input.leadId, title: '' }),
        stageId: stage.id,
        stage: stage.name,
        updatedAt: ctx.now().toISOString(),
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Activities
// ---------------------------------------------------------------------------------------------

const ActivityFields = {
  type: text({
    title: 'Type',
    description: 'What kind of activity: call, email, meeting or note (the document’s example is call).',
    examples: ['call', 'email', 'meeting', 'note'],
  }),
  subject: text({ title: 'Subject', description: 'A one-line summary, e.g. "Discussed the quote".' }),
  body: optionalText({ title: 'Details', description: 'What was said or done.', widget: 'textarea' }),
  occurredAt: optionalDate({ title: 'Happened on', description: 'When it happened; leave empty for now.' }),
  fields: otherFields,
};

const LogActivityInput = z.object({ leadId, ...ActivityFields });
type LogActivityInput = z.output<typeof LogActivityInput>;

const logActivityRequest = ({ leadId, fields, ...named }: LogActivityInput): ApiRequest => ({
  method: 'POST',
  path: `${leadPath(leadId)}/activities`,
  body: bodyOf(named, fields),
  scope: 'write:crm',
  what: 'log an activity on the lead',
});

function simulatedActivity(body: Record<string, unknown>, now: Date, leadId?: string): Activity {
  const at = now.toISOString();
  return {
    ...body,
    id: simulatedId(),
    type: String(body.type),
    subject: String(body.subject),
    leadId: leadId ?? (body.leadId as string) ?? null,
    occurredAt: (body.occurredAt as string) ?? at,
    createdAt: at,
  };
}

const logLeadActivity = defineAction({
  key: 'logLeadActivity',
  version: 1,
  label: 'Log activity on CRM lead',
  description: `Records a call, email, meeting or note on a lead’s timeline. ${WRITES}`,
  effect: 'write',
  input: LogActivityInput,
  output: Activity,
  sample: SAMPLE_ACTIVITY,
  run: async (ctx) => one<Activity>(await call(crm(ctx), logActivityRequest(ctx.input)), 'activity'),
  plan(ctx) {
    const request = logActivityRequest(ctx.input);
    return {
      request: planOf(crm(ctx), request),
      output: simulatedActivity(request.body as Record<string, unknown>, ctx.now(), ctx.input.leadId),
    };
  },
});

const listActivities = defineAction({
  key: 'listActivities',
  version: 1,
  label: 'Find activities in the CRM',
  description: `Lists activities, optionally of one lead or one contact (query parameters leadId and contactId). ${READS}`,
  effect: 'read',
  input: z.object({
    leadId: optionalText({ title: 'Lead', description: 'Only activities of this lead (ID).' }),
    contactId: optionalText({ title: 'Contact', description: 'Only activities of this contact (ID).' }),
    limit: limit('activities'),
  }),
  output: listOutput(Activity, 'activities', 'Activities'),
  sample: listResult('activities', { items: [SAMPLE_ACTIVITY], total: 1, truncated: false }),
  async run(ctx) {
    const { limit, ...query } = ctx.input;
    const found = await readList<Activity>(
      crm(ctx),
      { method: 'GET', path: '/activities', query, scope: 'read:crm', what: 'list activities' },
      'activities',
      limit,
    );
    return listResult('activities', found);
  },
});

const CreateActivityInput = z.object({
  ...ActivityFields,
  leadId: optionalText({ title: 'Lead', description: 'The lead it belongs to (ID), if any.' }),
  contactId: optionalText({ title: 'Contact', description: 'The contact it belongs to (ID), if any.' }),
});
type CreateActivityInput = z.output<typeof CreateActivityInput>;

const createActivityRequest = ({ fields, ...named }: CreateActivityInput): ApiRequest => ({
  method: 'POST',
  path: '/activities',
  body: bodyOf(named, fields),
  scope: 'write:crm',
  what: 'log an activity',
});

const createActivity = defineAction({
  key: 'createActivity',
  version: 1,
  label: 'Log CRM activity',
  description: `Records a call, email, meeting or note, for a lead, a contact or on its own. ${WRITES}`,
  effect: 'write',
  input: CreateActivityInput,
  output: Activity,
  sample: SAMPLE_ACTIVITY,
  run: async (ctx) => one<Activity>(await call(crm(ctx), createActivityRequest(ctx.input)), 'activity'),
  plan(ctx) {
    const request = createActivityRequest(ctx.input);
    return { request: planOf(crm(ctx), request), output: simulatedActivity(request.body as Record<string, unknown>, ctx.now()) };
  },
});

// ---------------------------------------------------------------------------------------------
// Tasks, dashboard
// ---------------------------------------------------------------------------------------------

const listTasks = defineAction({
  key: 'listTasks',
  version: 1,
  label: 'Find tasks in the CRM',
  description: `Lists tasks, optionally only those of one lead (query parameter leadId). The document lists tasks but no way to create or change them. ${READS}`,
  effect: 'read',
  input: z.object({
    leadId: optionalText({ title: 'Lead', description: 'Only tasks of this lead (ID). Leave empty for every task.' }),
    limit: limit('tasks'),
  }),
  output: listOutput(Task, 'tasks', 'Tasks'),
  sample: listResult('tasks', { items: [SAMPLE_TASK], total: 1, truncated: false }),
  async run(ctx) {
    const found = await readList<z.infer<typeof Task>>(
      crm(ctx),
      { method: 'GET', path: '/tasks', query: { leadId: ctx.input.leadId }, scope: 'read:crm', what: 'list tasks' },
      'tasks',
      ctx.input.limit,
    );
    return listResult('tasks', found);
  },
});

const getDashboard = defineAction({
  key: 'getDashboard',
  version: 1,
  label: 'Get CRM dashboard',
  description: `Reads the dashboard’s figures (e.g. open leads, pipeline value) for reports and digests. ${READS}`,
  effect: 'read',
  input: z.object({}),
  output: Dashboard,
  sample: { openLeads: 12, pipelineValue: 48200, wonThisMonth: 3, tasksDueToday: 5 },
  run: async (ctx) =>
    (await call<Record<string, unknown> | null>(crm(ctx), {
      method: 'GET',
      path: '/dashboard',
      scope: 'read:crm',
      what: 'read the dashboard',
    })) ?? {},
});

// ---------------------------------------------------------------------------------------------
// Outbound email and marketing lists
// ---------------------------------------------------------------------------------------------

const listOutboundEmailConnections = defineAction({
  key: 'listOutboundEmailConnections',
  version: 1,
  label: 'List CRM email connections',
  description: `Lists the mailboxes (e.g. Gmail) the CRM can send email from; their IDs go into "Send email from the CRM". ${READS}`,
  effect: 'read',
  input: z.object({}),
  output: z.object({
    connections: z.array(EmailConnection).meta({ title: 'Email connections' }),
    count: z.number().meta({ title: 'Number of email connections' }),
  }),
  sample: { connections: [SAMPLE_EMAIL_CONNECTION], count: 1 },
  async run(ctx) {
    const data = await call<unknown>(crm(ctx), {
      method: 'GET',
      path: '/outbound-email-connections',
      scope: 'read:crm',
      what: 'list email connections',
    });
    const connections = itemsOf<EmailConnection>(data, 'connections');
    return { connections, count: connections.length };
  },
});

const SendEmailInput = z.object({
  leadId,
  connectionId: text({
    title: 'Send from',
    description: 'The email connection (mailbox) to send from, by ID (see "List CRM email connections").',
    widget: 'crmEmailConnection',
  }),
  channel: text({ title: 'Channel', description: 'The kind of mailbox, e.g. gmail (as the email connection says).', examples: ['gmail'] }),
  subject: text({ title: 'Subject', description: 'The email’s subject line.' }),
  htmlBody: text({ title: 'Message', description: 'The email’s text; HTML such as <p> and <a> is allowed.', widget: 'textarea' }),
  fields: otherFields,
});
type SendEmailInput = z.output<typeof SendEmailInput>;

const sendEmailRequest = ({ fields, ...named }: SendEmailInput): ApiRequest => ({
  method: 'POST',
  path: '/outbound-email',
  body: bodyOf(named, fields),
  scope: 'write:crm',
  what: 'send the email',
});

const sendOutboundEmail = defineAction({
  key: 'sendOutboundEmail',
  version: 1,
  label: 'Send email from the CRM',
  description: `Sends an email to a lead’s contact from one of the CRM’s mailboxes; it appears on the lead’s timeline. Never sent twice: if the CRM does not answer, the run stops for review instead of sending again. ${WRITES}`,
  effect: 'write',
  input: SendEmailInput,
  output: SentEmail,
  sample: {
    id: 'm-5f1e2d3c',
    status: 'queued',
    leadId: SAMPLE_LEAD.id,
    connectionId: SAMPLE_EMAIL_CONNECTION.id,
    channel: 'gmail',
    subject: 'Your quote',
  },
  run: async (ctx) => one<z.infer<typeof SentEmail>>(await call(crm(ctx), sendEmailRequest(ctx.input)), 'email'),
  plan(ctx) {
    const { leadId, connectionId, channel, subject } = ctx.input;
    return {
      request: planOf(crm(ctx), sendEmailRequest(ctx.input)),
      output: { id: simulatedId(), status: 'not sent (test run)', leadId, connectionId, channel, subject },
    };
  },
});

const AddToListInput = z.object({
  listId: text({ title: 'Marketing list', description: 'The marketing list’s ID.' }),
  contactIds: optionalIdList({
    title: 'Contacts',
    description: 'The contacts to add (IDs, separated by commas), sent as contactIds.',
  }),
  leadIds: optionalIdList({ title: 'Leads', description: 'The leads to add (IDs, separated by commas), sent as leadIds.' }),
  fields: otherFields,
});
type AddToListInput = z.output<typeof AddToListInput>;

const addToListRequest = ({ fields, ...named }: AddToListInput): ApiRequest => ({
  method: 'POST',
  path: '/prospecting/add-to-marketing-list',
  body: bodyOf(named, fields),
  // Adding someone who is already on the list changes nothing.
  retrySafe: true,
  scope: 'write:crm',
  what: 'add to the marketing list',
});

const addToMarketingList = defineAction({
  key: 'addToMarketingList',
  version: 1,
  label: 'Add to CRM marketing list',
  description: `Adds contacts or leads to a marketing list. The document shows only listId in the body; Pipewright sends the chosen people as contactIds and leadIds (use "Other fields" if your CRM names them differently). ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: AddToListInput,
  output: z.looseObject({
    listId: z.string().meta({ title: 'Marketing list ID' }),
    added: z
      .number()
      .nullable()
      .optional()
      .meta({ title: 'Added', description: 'How many were added (not counting those already on it).' }),
  }),
  sample: { listId: '9fc6ad7d-902a-4834-b161-a4911b883d44', added: 2 },
  async run(ctx) {
    const data = await call<Record<string, unknown> | null>(crm(ctx), addToListRequest(ctx.input));
    return { listId: ctx.input.listId, ...(data ?? {}) };
  },
  plan(ctx) {
    const count = (ctx.input.contactIds?.length ?? 0) + (ctx.input.leadIds?.length ?? 0);
    return { request: planOf(crm(ctx), addToListRequest(ctx.input)), output: { listId: ctx.input.listId, added: count } };
  },
});

// ---------------------------------------------------------------------------------------------
// The connector
// ---------------------------------------------------------------------------------------------

export const crmHttpConnector = defineConnector({
  id: 'crm-http',
  name: 'CRM HTTP API',
  description:
    'A CRM with the generic HTTP API under /api/crm: companies, contacts, leads and their pipeline stages, activities, tasks, the dashboard, outbound email and marketing lists. Connect with an ak_ API key (read:crm, write:crm) from Settings → API keys, the base URL ending in /api/crm, and the entityId the key belongs to.',
  icon: 'building-2',
  needsConnection: true,
  triggers: [],
  actions: [
    listCompanies,
    getCompany,
    createCompany,
    updateCompany,
    listCompanyContacts,
    listContacts,
    getContact,
    createContact,
    updateContact,
    deleteContact,
    listCompanyMemberships,
    addCompanyMembership,
    updateCompanyMembership,
    removeCompanyMembership,
    listPipelineStages,
    createPipelineStage,
    reorderPipelineStages,
    updatePipelineStage,
    deletePipelineStage,
    listLeads,
    getLead,
    createLead,
    updateLead,
    deleteLead,
    getLeadTimeline,
    changeLeadStage,
    logLeadActivity,
    listActivities,
    createActivity,
    listTasks,
    getDashboard,
    listOutboundEmailConnections,
    sendOutboundEmail,
    addToMarketingList,
  ],
});
