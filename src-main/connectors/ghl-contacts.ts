import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type ConnectorWebhooks,
  defineAction,
  defineConnector,
  defineTrigger,
  type EchoKey,
  type PlanResult,
  type ReceivedEvent,
  type RunContext,
  type TriggerEvent,
  WebhookRejection,
} from './define.ts';
import {
  type ApiClient,
  ApiError,
  type ApiRequest,
  type ApiResponse,
  bodyDedupeKey,
  clientFor,
  collect,
  defineApi,
  oauthRefresh,
  segment,
} from './http.ts';
import {
  absentIfBlank,
  asList,
  asText,
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
 * GHL Contacts (ghl-contacts-kvcore.txt): contacts, their tasks, notes, appointments and tags, over
 * the GHL API (`services.leadconnectorhq.com`, `Version: 2021-07-28`). An OAuth access token or a
 * location API key, as a Bearer token, with the contacts.readonly scope to read and contacts.write
 * to change; OAuth tokens are renewed with the refresh token shortly before they expire. Plain JSON
 * answers (`{ contact }`, `{ contacts, meta }`, …). The document states rate limits "per plan":
 * each connection paces its requests (about 100 per 10 seconds by default, configurable), waits out
 * a 429's Retry-After and retries; lists read 100 contacts a request.
 *
 * The document lists no webhook events; the triggers use GHL's own webhook names (ContactCreate,
 * ContactUpdate, ContactDelete, ContactTagUpdate), received under `ghl:<name>`.
 */

export const GHL_EVENTS = ['ContactCreate', 'ContactUpdate', 'ContactDelete', 'ContactTagUpdate'] as const;
export type GhlEvent = (typeof GHL_EVENTS)[number];

/** The inbox event name of a GHL webhook delivery (prefixed: the local CRM has contact events too). */
export function ghlInboxEvent(event: string): string {
  return `ghl:${event}`;
}

/**
 * Turns a GHL webhook body (flat: `{ type, locationId, id, email, … }`) into the event a GHL
 * trigger receives: `{ event, timestamp, location_id, data }` under the inbox name `ghl:<type>`.
 * The webhook receiver (and tests standing in for GHL) add it to the inbox with this.
 */
export function ghlWebhookEvent(
  body: Record<string, unknown>,
  receivedAt: string = new Date().toISOString(),
): { source: 'ghl'; event: string; payload: TriggerEvent & { location_id?: string }; receivedAt: string; dedupeKey?: string } {
  const { type, locationId, webhookId, timestamp, ...data } = body;
  const event = typeof type === 'string' && type ? type : 'Unknown';
  const at = typeof timestamp === 'string' && timestamp ? timestamp : receivedAt;
  return {
    source: 'ghl',
    event: ghlInboxEvent(event),
    payload: { event, timestamp: at, ...(typeof locationId === 'string' ? { location_id: locationId } : {}), data },
    receivedAt,
    // GHL retries deliveries: the same webhook id is one event.
    ...(typeof webhookId === 'string' && webhookId ? { dedupeKey: `ghl:${webhookId}` } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The API profile: auth (with OAuth renewal), limits, test
// ---------------------------------------------------------------------------------------------

export const GHL_API_VERSION = '2021-07-28';
const SCOPE = /\bcontacts\.(readonly|write)\b/i;

export const ghlApi = defineApi({
  app: 'ghl',
  name: 'GHL',
  defaultBaseUrl: 'https://services.leadconnectorhq.com',
  envelope: 'plain',
  defaultAuth: 'bearer',
  // OAuth access tokens and location API keys both go as Bearer tokens.
  authHeaders: (connection, secret) => ({
    Authorization: `Bearer ${secret}`,
    Version: connection.extras.apiVersion?.trim() || GHL_API_VERSION,
  }),
  // GHL allows about 100 requests per 10 seconds per location on common plans; a connection on
  // another plan sets its own rate (`--rate-limit 200/10s`).
  rateLimit: { requestsPerSecond: 8, burst: 20 },
  secretPatterns: [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, /\bpit-[A-Za-z0-9-]{8,}/g],
  scopeIn: (message) => {
    const scope = message.match(SCOPE)?.[0]?.toLowerCase();
    if (scope) return scope;
    // A token for another location is refused too; that is not a missing scope.
    return /location/i.test(message) ? null : undefined;
  },
  keyHelp:
    'GHL connections use an OAuth access token (with its refresh token, renewed automatically) or a location API key: contacts.readonly reads contacts, tasks, notes and appointments; contacts.write also creates, changes and tags them.',
  refreshBeforeMs: 5 * 60_000,
  refreshTokens: (connection, refreshToken, signal) =>
    oauthRefresh({
      profile: { app: 'ghl', name: 'GHL' },
      connection,
      tokenUrl:
        connection.extras.tokenUrl?.trim() ||
        `${(connection.baseUrl ?? 'https://services.leadconnectorhq.com').replace(/\/+$/, '')}/oauth/token`,
      refreshToken,
      clientId: connection.extras.clientId,
      clientSecret: connection.clientSecret,
      params: { user_type: connection.extras.userType?.trim() || 'Location' },
      signal,
    }),
  async test(client) {
    const response = await client.request<{ contacts?: unknown[]; meta?: { total?: number } }>(
      listRequest(client, { limit: 1 }, 'read contacts'),
    );
    const total = Number(response.data?.meta?.total ?? response.data?.contacts?.length ?? 0);
    const where = client.connection.extras.locationId ? ` in location ${client.connection.extras.locationId}` : '';
    return `${total} contact${total === 1 ? '' : 's'}${where}.`;
  },
});

// ---------------------------------------------------------------------------------------------
// Output shapes (GHL's own field names)
// ---------------------------------------------------------------------------------------------

const GhlContact = z.looseObject({
  id: z.string().meta({ title: 'Contact ID' }),
  locationId: z.string().nullable().optional().meta({ title: 'Location ID' }),
  firstName: z.string().nullable().optional().meta({ title: 'First name' }),
  lastName: z.string().nullable().optional().meta({ title: 'Last name' }),
  email: z.string().nullable().optional().meta({ title: 'Email' }),
  phone: z.string().nullable().optional().meta({ title: 'Phone' }),
  tags: z.array(z.string()).optional().meta({ title: 'Tags' }),
  externalId: z.string().nullable().optional().meta({ title: 'External ID', description: 'The ID in the other system, e.g. kvCORE.' }),
  status: z.string().nullable().optional().meta({ title: 'Status' }),
  businessId: z.string().nullable().optional().meta({ title: 'Business ID' }),
  dateAdded: Timestamp('Added at').optional(),
  dateUpdated: Timestamp('Updated at').optional(),
});
type GhlContact = z.infer<typeof GhlContact>;

const GhlTask = z.looseObject({
  id: z.string().meta({ title: 'Task ID' }),
  contactId: z.string().optional().meta({ title: 'Contact ID' }),
  title: z.string().meta({ title: 'Title' }),
  body: z.string().nullable().optional().meta({ title: 'Details' }),
  dueDate: z.string().nullable().optional().meta({ title: 'Due' }),
  completed: z.boolean().meta({ title: 'Completed' }),
  assignedTo: z.string().nullable().optional().meta({ title: 'Assigned to (user ID)' }),
});
type GhlTask = z.infer<typeof GhlTask>;

const GhlNote = z.looseObject({
  id: z.string().meta({ title: 'Note ID' }),
  contactId: z.string().optional().meta({ title: 'Contact ID' }),
  body: z.string().meta({ title: 'Text' }),
  userId: z.string().nullable().optional().meta({ title: 'Written by (user ID)' }),
  dateAdded: Timestamp('Written at').optional(),
});

const GhlAppointment = z.looseObject({
  id: z.string().meta({ title: 'Appointment ID' }),
  calendarId: z.string().nullable().optional().meta({ title: 'Calendar ID' }),
  title: z.string().nullable().optional().meta({ title: 'Title' }),
  startTime: z.string().nullable().optional().meta({ title: 'Starts at' }),
  endTime: z.string().nullable().optional().meta({ title: 'Ends at' }),
  appointmentStatus: z.string().nullable().optional().meta({ title: 'Status', description: 'e.g. confirmed, cancelled, showed.' }),
});

const Deleted = z.object({
  deleted: z.literal(true).meta({ title: 'Deleted' }),
  id: z.string().meta({ title: 'ID' }),
});

function listOutput<N extends string, T extends z.ZodType>(item: T, noun: N, title: string) {
  const items = { [noun]: z.array(item).meta({ title }) } as { [K in N]: z.ZodArray<T> };
  return z.object({
    ...items,
    count: z.number().meta({ title: 'Number returned' }),
    total: z.number().nullable().meta({ title: 'Total in GHL', description: 'How many match in all, when GHL says.' }),
    truncated: z.boolean().meta({ title: 'Cut short', description: 'More matched than "At most" allowed.' }),
    first: item.nullable().meta({ title: 'First one', description: 'The first item, or empty when none matched.' }),
  });
}

function listResult<N extends string, T>(noun: N, items: T[], total: number | null, truncated: boolean) {
  const list = { [noun]: items } as { [K in N]: T[] };
  return { ...list, count: items.length, total, truncated, first: items[0] ?? null };
}

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

const AT = '2026-06-17T14:20:00.000Z';
const SAMPLE_CONTACT: GhlContact = {
  id: 'ocQHyuzHvysMo5N5VsXc',
  locationId: 've9EPM428h8vShlRW1KT',
  firstName: 'Rosa',
  lastName: 'Delgado',
  email: 'rosa.delgado@example.com',
  phone: '+15550101',
  tags: ['kvcore', 'buyer'],
  externalId: 'kv-48213',
  status: null,
  businessId: null,
  dateAdded: AT,
  dateUpdated: AT,
};
const SAMPLE_TASK: GhlTask = {
  id: 'tsk_8Qk2LmN4pR',
  contactId: SAMPLE_CONTACT.id,
  title: 'Call about the showing',
  body: 'Ask which weekend works.',
  dueDate: '2026-06-20T15:00:00.000Z',
  completed: false,
  assignedTo: null,
};
const SAMPLE_NOTE = { id: 'nt_5Hj7Kl9Mn', contactId: SAMPLE_CONTACT.id, body: 'Pre-approved up to $450k.', userId: null, dateAdded: AT };
const SAMPLE_APPOINTMENT = {
  id: 'apt_2Wx4Yz6Ab',
  calendarId: 'cal_1Bc3De5Fg',
  title: 'Showing: 12 Elm St',
  startTime: '2026-06-21T16:00:00.000Z',
  endTime: '2026-06-21T17:00:00.000Z',
  appointmentStatus: 'confirmed',
};

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

type Ctx<I> = RunContext<I>;
const ghl = <I>(ctx: Ctx<I>) => clientFor(ghlApi, ctx);

const READS = 'Needs the contacts.readonly scope.';
const WRITES = 'Needs the contacts.write scope.';

async function call<T>(client: ApiClient, request: ApiRequest): Promise<T> {
  return (await client.request<T>(request)).data;
}

/** A single object, whether GHL wraps it (`{ contact: {…} }`) or not. */
function one<T>(data: unknown, key: string): T {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const inner = (data as Record<string, unknown>)[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as T;
  }
  return data as T;
}

function itemsOf<T>(data: unknown, key: string): T[] {
  if (Array.isArray(data)) return data as T[];
  const value = data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Ids handed out by simulated creates in dry runs, so a later simulated step can use them. */
const simulatedIds = new Set<string>();
function simulatedId(): string {
  const id = randomUUID().replace(/-/g, '').slice(0, 20);
  simulatedIds.add(id);
  if (simulatedIds.size > 1000) simulatedIds.delete(simulatedIds.values().next().value as string);
  return id;
}

async function currentForPlan<T>(client: ApiClient, path: string, id: string, key: string, what: string): Promise<T | undefined> {
  try {
    return one<T>(await call(client, { method: 'GET', path, scope: 'contacts.readonly', what }), key);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && simulatedIds.has(id)) return undefined;
    throw err;
  }
}

const given = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

const contactPath = (id: string) => `/contacts/${segment(id)}`;
const tasksPath = (contactId: string) => `${contactPath(contactId)}/tasks`;
const taskPath = (contactId: string, taskId: string) => `${tasksPath(contactId)}/${segment(taskId)}`;

const contactId = text({ title: 'Contact', description: 'The GHL contact’s ID, usually picked from an earlier step.' });
const taskId = text({ title: 'Task', description: 'The task’s ID (see "Find a GHL contact’s tasks").' });
const limit = (noun: string, fallback = 100) =>
  limitField({ title: 'At most', description: `The largest number of ${noun} to return (1 to 5000).`, fallback, max: 5000 });
const otherFields = optionalFields({
  title: 'Other fields',
  description: 'Any further GHL contact fields by their API name (e.g. companyName, source, address1). The fields above win over these.',
});

/** GHL lists contacts 100 at a time, continuing after the last contact's id. */
const CONTACT_PAGES = {
  style: 'cursor',
  pageSize: 100,
  sizeParam: 'limit',
  cursorParam: 'startAfterId',
  nextCursor: (response: ApiResponse) => {
    const meta = (response.data as { meta?: { startAfterId?: unknown; nextPageUrl?: unknown } } | null)?.meta;
    return meta?.nextPageUrl && typeof meta.startAfterId === 'string' ? meta.startAfterId : null;
  },
} as const;

function listRequest(client: ApiClient, query: ApiRequest['query'], what: string): ApiRequest {
  const locationId = client.connection.extras.locationId?.trim();
  return {
    method: 'GET',
    path: '/contacts/',
    query: { ...(locationId ? { locationId } : {}), ...query },
    scope: 'contacts.readonly',
    what,
  };
}

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

const listContacts = defineAction({
  key: 'listContacts',
  version: 1,
  label: 'Find GHL contacts',
  description: `Lists contacts, all of them or those matching a search, 100 per request. "Email is exactly" finds the contact with that email (how a sync looks up a contact before creating or updating it). ${READS}`,
  effect: 'read',
  input: z.object({
    query: optionalText({ title: 'Search', description: 'Only contacts whose name, email or phone contains this text.' }),
    email: optionalText({
      title: 'Email is exactly',
      description: 'Only the contact with this email address (any letter case). GHL is searched for it, then exact matches are kept.',
    }),
    limit: limit('contacts'),
  }),
  output: listOutput(GhlContact, 'contacts', 'Contacts'),
  sample: listResult('contacts', [SAMPLE_CONTACT], 1, false),
  async run(ctx) {
    const client = ghl(ctx);
    const { query, email, limit } = ctx.input;
    let total: number | null = null;
    const found = await collect<GhlContact>(client, listRequest(client, { query: email ?? query }, 'list contacts'), CONTACT_PAGES, {
      // An exact email is searched for, then the exact matches are kept: read every match.
      maxItems: email ? 5000 : limit,
      items: (r) => {
        const said = Number((r.data as { meta?: { total?: unknown } } | null)?.meta?.total);
        if (Number.isFinite(said)) total = said;
        return itemsOf<GhlContact>(r.data, 'contacts');
      },
    });
    if (email) {
      const wanted = email.trim().toLowerCase();
      const exact = found.items.filter((c) => (c.email ?? '').trim().toLowerCase() === wanted);
      return listResult('contacts', exact.slice(0, limit), exact.length, exact.length > limit);
    }
    return listResult('contacts', found.items, total, found.truncated);
  },
});

const listContactsByBusiness = defineAction({
  key: 'listContactsByBusiness',
  version: 1,
  label: 'Find a GHL business’s contacts',
  description: `Lists the contacts linked to one business (company) in GHL. ${READS}`,
  effect: 'read',
  input: z.object({
    businessId: text({ title: 'Business', description: 'The GHL business’s ID.' }),
    limit: limit('contacts'),
  }),
  output: listOutput(GhlContact, 'contacts', 'Contacts'),
  sample: listResult('contacts', [{ ...SAMPLE_CONTACT, businessId: 'biz_63f1a2b3c4' }], 1, false),
  async run(ctx) {
    const client = ghl(ctx);
    const locationId = client.connection.extras.locationId?.trim();
    const found = await collect<GhlContact>(
      client,
      {
        method: 'GET',
        path: `/contacts/business/${segment(ctx.input.businessId)}`,
        query: locationId ? { locationId } : {},
        scope: 'contacts.readonly',
        what: 'list the business’s contacts',
      },
      { style: 'offset', pageSize: 100, limitParam: 'limit', offsetParam: 'skip' },
      { maxItems: ctx.input.limit, items: (r) => itemsOf<GhlContact>(r.data, 'contacts') },
    );
    return listResult('contacts', found.items, found.total, found.truncated);
  },
});

const getContact = defineAction({
  key: 'getContact',
  version: 1,
  label: 'Get GHL contact',
  description: `Reads one contact with all its fields and tags (the sync guide’s "GET to verify"). ${READS}`,
  effect: 'read',
  input: z.object({ contactId }),
  output: GhlContact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) =>
    one<GhlContact>(
      await call(ghl(ctx), { method: 'GET', path: contactPath(ctx.input.contactId), scope: 'contacts.readonly', what: 'read the contact' }),
      'contact',
    ),
});

/** "a, b" or a list → a list; empty means "not set". */
function optionalList(meta: { title: string; description: string; widget?: string }) {
  return z
    .preprocess((v) => {
      const list = asList(absentIfBlank(v));
      return Array.isArray(list) && list.length === 0 ? undefined : list;
    }, z.array(z.string(), { error: `${meta.title} must be words separated by commas.` }).optional())
    .meta(meta);
}

const ContactFields = {
  firstName: optionalText({ title: 'First name', description: 'The contact’s first name.' }),
  lastName: optionalText({ title: 'Last name', description: 'The contact’s last name.' }),
  email: optionalText({ title: 'Email', description: 'The contact’s email address.' }),
  phone: optionalText({ title: 'Phone', description: 'The contact’s phone number, best with the country code, e.g. +15550101.' }),
  externalId: optionalText({
    title: 'External ID',
    description: 'The contact’s ID in the other system (e.g. kvCORE), so the two records stay linked.',
  }),
  customFields: optionalFields({
    title: 'Custom fields',
    description: 'GHL custom fields by their key and value (sent as customFields: [{ key, field_value }]).',
  }),
  fields: otherFields,
};

const REQUIRED_SETS = {
  basic: ['email', 'firstName', 'lastName'],
  strict: ['email', 'firstName', 'lastName', 'phone', 'externalId'],
} as const;

const CreateContactInput = z.object({
  ...ContactFields,
  tags: optionalList({
    title: 'Tags',
    description: 'Tags to give the new contact, separated by commas, e.g. "kvcore, buyer".',
    widget: 'tag',
  }),
  requiredFields: z
    .preprocess(
      (v) => (typeof v === 'string' ? absentIfBlank(v.trim().toLowerCase()) : absentIfBlank(v)),
      z.enum(['basic', 'strict'], { error: 'Required fields: choose basic or strict.' }).default('basic'),
    )
    .meta({
      title: 'Required fields',
      description:
        'The document names two lists of required fields for a new contact. basic (the default): email, first name and last name. strict: also phone and external ID, as its kvCORE sync guide asks. With strict, a contact missing one of them is stopped here, before GHL sees it.',
      options: ['basic', 'strict'],
    }),
});
type CreateContactInput = z.output<typeof CreateContactInput>;

function customFieldList(values: Record<string, unknown> | undefined) {
  return values ? Object.entries(values).map(([key, field_value]) => ({ key, field_value })) : undefined;
}

function createContactRequest(client: ApiClient, input: CreateContactInput): ApiRequest {
  const { requiredFields, fields, customFields, ...named } = input;
  const missing = REQUIRED_SETS[requiredFields].filter((f) => named[f] === undefined);
  if (missing.length) {
    throw new Error(
      `A new GHL contact needs ${REQUIRED_SETS[requiredFields].join(', ')} (required fields: ${requiredFields}); missing: ${missing.join(', ')}.`,
    );
  }
  const locationId = client.connection.extras.locationId?.trim();
  return {
    method: 'POST',
    path: '/contacts/',
    body: { ...(fields ?? {}), ...(locationId ? { locationId } : {}), ...given({ ...named, customFields: customFieldList(customFields) }) },
    scope: 'contacts.write',
    what: 'create a contact',
  };
}

const createContact = defineAction({
  key: 'createContact',
  version: 1,
  label: 'Create GHL contact',
  description: `Adds a contact to GHL. By default email, first name and last name are required; "Required fields: strict" also requires phone and external ID (the document asks for both lists in different places). ${WRITES}`,
  effect: 'write',
  input: CreateContactInput,
  output: GhlContact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => {
    const client = ghl(ctx);
    return one<GhlContact>(await call(client, createContactRequest(client, ctx.input)), 'contact');
  },
  plan(ctx) {
    const client = ghl(ctx);
    const request = createContactRequest(client, ctx.input);
    const at = ctx.now().toISOString();
    return {
      request: client.plan(request),
      output: { tags: [], ...(request.body as object), id: simulatedId(), dateAdded: at, dateUpdated: at },
    };
  },
});

const UpdateContactInput = z.object({
  contactId,
  ...ContactFields,
  status: optionalText({
    title: 'Status',
    description: 'The status the sync guide maps between kvCORE and GHL. Leave empty to keep it.',
  }),
  tags: optionalList({
    title: 'Replace tags',
    description: 'Makes these the contact’s only tags. To add tags and keep the others, use "Add tags to GHL contact".',
    widget: 'tag',
  }),
});
type UpdateContactInput = z.output<typeof UpdateContactInput>;

function updateContactRequest(input: UpdateContactInput): ApiRequest {
  const { contactId, fields, customFields, ...named } = input;
  const body = { ...(fields ?? {}), ...given({ ...named, customFields: customFieldList(customFields) }) };
  if (Object.keys(body).length === 0) throw new Error('Nothing to change: fill in at least one field to update.');
  return { method: 'PUT', path: contactPath(contactId), body, retrySafe: true, scope: 'contacts.write', what: 'update the contact' };
}

async function planContactChange(ctx: Ctx<{ contactId: string }>, request: ApiRequest): Promise<PlanResult<GhlContact>> {
  const client = ghl(ctx);
  const before = await currentForPlan<GhlContact>(
    client,
    contactPath(ctx.input.contactId),
    ctx.input.contactId,
    'contact',
    'read the contact',
  );
  return {
    request: client.plan(request),
    output: { ...(before ?? { id: ctx.input.contactId }), ...(request.body as object), dateUpdated: ctx.now().toISOString() },
  };
}

const updateContact = defineAction({
  key: 'updateContact',
  version: 1,
  label: 'Update GHL contact',
  description: `Changes a contact’s name, email, phone, external ID, status, custom fields or tags; anything left empty stays as it is. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateContactInput,
  output: GhlContact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => one<GhlContact>(await call(ghl(ctx), updateContactRequest(ctx.input)), 'contact'),
  plan: (ctx) => planContactChange(ctx, updateContactRequest(ctx.input)),
});

const deleteRequest = (path: string, what: string): ApiRequest => ({
  method: 'DELETE',
  path,
  scope: 'contacts.write',
  what,
  retrySafe: true,
});

const deleteContact = defineAction({
  key: 'deleteContact',
  version: 1,
  label: 'Delete GHL contact',
  description: `Deletes a contact from GHL, with its tasks and notes. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ contactId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_CONTACT.id },
  async run(ctx) {
    await call(ghl(ctx), deleteRequest(contactPath(ctx.input.contactId), 'delete the contact'));
    return { deleted: true as const, id: ctx.input.contactId };
  },
  plan: (ctx) => ({
    request: ghl(ctx).plan(deleteRequest(contactPath(ctx.input.contactId), 'delete the contact')),
    output: { deleted: true as const, id: ctx.input.contactId },
  }),
});

const addTagsRequest = (input: { contactId: string; tags: string[] }): ApiRequest => ({
  method: 'POST',
  path: `${contactPath(input.contactId)}/tags`,
  body: { tags: input.tags },
  // Adding a tag the contact has changes nothing.
  retrySafe: true,
  scope: 'contacts.write',
  what: 'tag the contact',
});

const addTags = defineAction({
  key: 'addTags',
  version: 1,
  label: 'Add tags to GHL contact',
  description: `Adds tags to a contact in one request; tags it already has are kept once. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({
    contactId,
    tags: textList({ title: 'Tags', description: 'Tags to add, separated by commas, e.g. "kvcore, buyer".', noun: 'tag', widget: 'tag' }),
  }),
  output: z.object({
    id: z.string().meta({ title: 'Contact ID' }),
    tags: z.array(z.string()).meta({ title: 'Tags', description: 'All of the contact’s tags now.' }),
  }),
  sample: { id: SAMPLE_CONTACT.id, tags: ['kvcore', 'buyer'] },
  async run(ctx) {
    const data = await call<{ tags?: string[] } | null>(ghl(ctx), addTagsRequest(ctx.input));
    return { id: ctx.input.contactId, tags: data?.tags ?? ctx.input.tags };
  },
  async plan(ctx) {
    const client = ghl(ctx);
    const before = await currentForPlan<GhlContact>(
      client,
      contactPath(ctx.input.contactId),
      ctx.input.contactId,
      'contact',
      'read the contact',
    );
    const tags = [...new Set([...(before?.tags ?? []), ...ctx.input.tags])];
    return { request: client.plan(addTagsRequest(ctx.input)), output: { id: ctx.input.contactId, tags } };
  },
});

// ---------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------

const listTasks = defineAction({
  key: 'listTasks',
  version: 1,
  label: 'Find a GHL contact’s tasks',
  description: `Lists a contact’s tasks, open or completed. ${READS}`,
  effect: 'read',
  input: z.object({
    contactId,
    status: optionalChoice(['open', 'completed', 'any'], {
      title: 'Status',
      description: 'Open tasks only, completed tasks only, or any (the default).',
      options: ['any', 'open', 'completed'],
    }),
    limit: limit('tasks'),
  }),
  output: listOutput(GhlTask, 'tasks', 'Tasks'),
  sample: listResult('tasks', [SAMPLE_TASK], 1, false),
  async run(ctx) {
    const data = await call<unknown>(ghl(ctx), {
      method: 'GET',
      path: tasksPath(ctx.input.contactId),
      scope: 'contacts.readonly',
      what: 'list the contact’s tasks',
    });
    const { status, limit } = ctx.input;
    const all = itemsOf<GhlTask>(data, 'tasks').filter(
      (t) => status === undefined || status === 'any' || t.completed === (status === 'completed'),
    );
    return listResult('tasks', all.slice(0, limit), all.length, all.length > limit);
  },
});

const getTask = defineAction({
  key: 'getTask',
  version: 1,
  label: 'Get GHL task',
  description: `Reads one of a contact’s tasks. ${READS}`,
  effect: 'read',
  input: z.object({ contactId, taskId }),
  output: GhlTask,
  sample: SAMPLE_TASK,
  run: async (ctx) =>
    one<GhlTask>(
      await call(ghl(ctx), {
        method: 'GET',
        path: taskPath(ctx.input.contactId, ctx.input.taskId),
        scope: 'contacts.readonly',
        what: 'read the task',
      }),
      'task',
    ),
});

const TaskFields = {
  body: optionalText({ title: 'Details', description: 'What to do, in more words.', widget: 'textarea' }),
  assignedTo: optionalText({ title: 'Assign to', description: 'The GHL user who should do it (user ID).' }),
};

const CreateTaskInput = z.object({
  contactId,
  title: text({ title: 'Title', description: 'What to do, e.g. "Call {{ trigger.data.firstName }} about the showing".' }),
  dueDate: z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z
        .string({ error: 'Due: GHL requires a due date, e.g. 2026-06-30.' })
        .trim()
        .refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v)), {
          error: (issue) => `Due "${String(issue.input)}" is not a date; use YYYY-MM-DD, e.g. 2026-06-30.`,
        }),
    )
    .meta({ title: 'Due', description: 'When it is due, e.g. 2026-06-30 or 2026-06-30T15:00:00Z (GHL requires it).', widget: 'date' }),
  ...TaskFields,
});
type CreateTaskInput = z.output<typeof CreateTaskInput>;

const createTaskRequest = ({ contactId, ...fields }: CreateTaskInput): ApiRequest => ({
  method: 'POST',
  path: tasksPath(contactId),
  body: { ...given(fields), completed: false },
  scope: 'contacts.write',
  what: 'create a task',
});

const createTask = defineAction({
  key: 'createTask',
  version: 1,
  label: 'Create GHL task',
  description: `Adds a task to a contact, e.g. when a kvCORE milestone is reached. ${WRITES}`,
  effect: 'write',
  input: CreateTaskInput,
  output: GhlTask,
  sample: SAMPLE_TASK,
  run: async (ctx) => one<GhlTask>(await call(ghl(ctx), createTaskRequest(ctx.input)), 'task'),
  plan(ctx) {
    const request = createTaskRequest(ctx.input);
    return {
      request: ghl(ctx).plan(request),
      output: { ...(request.body as object), id: simulatedId(), contactId: ctx.input.contactId, title: ctx.input.title, completed: false },
    };
  },
});

const UpdateTaskInput = z.object({
  contactId,
  taskId,
  title: optionalText({ title: 'New title', description: 'Leave empty to keep it.' }),
  dueDate: optionalDate({ title: 'Due', description: 'The new due date. Leave empty to keep it.' }),
  completed: optionalFlag({ title: 'Completed', description: 'Yes to mark it done, no to reopen it. Leave empty to keep it.' }),
  ...TaskFields,
});
type UpdateTaskInput = z.output<typeof UpdateTaskInput>;

function updateTaskRequest({ contactId, taskId, ...fields }: UpdateTaskInput): ApiRequest {
  const body = given(fields);
  if (Object.keys(body).length === 0) throw new Error('Nothing to change: fill in at least one field to update.');
  return { method: 'PUT', path: taskPath(contactId, taskId), body, retrySafe: true, scope: 'contacts.write', what: 'update the task' };
}

async function planTaskChange(ctx: Ctx<{ contactId: string; taskId: string }>, request: ApiRequest): Promise<PlanResult<GhlTask>> {
  const client = ghl(ctx);
  const before = await currentForPlan<GhlTask>(
    client,
    taskPath(ctx.input.contactId, ctx.input.taskId),
    ctx.input.taskId,
    'task',
    'read the task',
  );
  return {
    request: client.plan(request),
    output: { ...(before ?? { id: ctx.input.taskId, title: '', completed: false }), ...(request.body as object) },
  };
}

const updateTask = defineAction({
  key: 'updateTask',
  version: 1,
  label: 'Update GHL task',
  description: `Changes a task’s title, details, due date or assignee, or marks it done or open again. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateTaskInput,
  output: GhlTask,
  sample: SAMPLE_TASK,
  run: async (ctx) => one<GhlTask>(await call(ghl(ctx), updateTaskRequest(ctx.input)), 'task'),
  plan: (ctx) => planTaskChange(ctx, updateTaskRequest(ctx.input)),
});

const completeRequest = (input: { contactId: string; taskId: string }): ApiRequest => ({
  method: 'PUT',
  path: `${taskPath(input.contactId, input.taskId)}/completed`,
  body: { completed: true },
  retrySafe: true,
  scope: 'contacts.write',
  what: 'complete the task',
});

const completeTask = defineAction({
  key: 'completeTask',
  version: 1,
  label: 'Complete GHL task',
  description: `Marks a contact’s task as done. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ contactId, taskId }),
  output: GhlTask,
  sample: { ...SAMPLE_TASK, completed: true },
  run: async (ctx) => one<GhlTask>(await call(ghl(ctx), completeRequest(ctx.input)), 'task'),
  plan: (ctx) => planTaskChange(ctx, completeRequest(ctx.input)),
});

const deleteTask = defineAction({
  key: 'deleteTask',
  version: 1,
  label: 'Delete GHL task',
  description: `Deletes one of a contact’s tasks. ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ contactId, taskId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_TASK.id },
  async run(ctx) {
    await call(ghl(ctx), deleteRequest(taskPath(ctx.input.contactId, ctx.input.taskId), 'delete the task'));
    return { deleted: true as const, id: ctx.input.taskId };
  },
  plan: (ctx) => ({
    request: ghl(ctx).plan(deleteRequest(taskPath(ctx.input.contactId, ctx.input.taskId), 'delete the task')),
    output: { deleted: true as const, id: ctx.input.taskId },
  }),
});

// ---------------------------------------------------------------------------------------------
// Notes and appointments
// ---------------------------------------------------------------------------------------------

const listNotes = defineAction({
  key: 'listNotes',
  version: 1,
  label: 'Find a GHL contact’s notes',
  description: `Lists the notes written on a contact, newest first as GHL gives them. (The document lists this endpoint twice; this step covers both.) ${READS}`,
  effect: 'read',
  input: z.object({ contactId, limit: limit('notes') }),
  output: listOutput(GhlNote, 'notes', 'Notes'),
  sample: listResult('notes', [SAMPLE_NOTE], 1, false),
  async run(ctx) {
    const data = await call<unknown>(ghl(ctx), {
      method: 'GET',
      path: `${contactPath(ctx.input.contactId)}/notes`,
      scope: 'contacts.readonly',
      what: 'list the contact’s notes',
    });
    const all = itemsOf<z.infer<typeof GhlNote>>(data, 'notes');
    return listResult('notes', all.slice(0, ctx.input.limit), all.length, all.length > ctx.input.limit);
  },
});

const getNote = defineAction({
  key: 'getNote',
  version: 1,
  label: 'Get GHL note',
  description: `Reads one note of a contact. ${READS}`,
  effect: 'read',
  input: z.object({ contactId, noteId: text({ title: 'Note', description: 'The note’s ID (see "Find a GHL contact’s notes").' }) }),
  output: GhlNote,
  sample: SAMPLE_NOTE,
  run: async (ctx) =>
    one<z.infer<typeof GhlNote>>(
      await call(ghl(ctx), {
        method: 'GET',
        path: `${contactPath(ctx.input.contactId)}/notes/${segment(ctx.input.noteId)}`,
        scope: 'contacts.readonly',
        what: 'read the note',
      }),
      'note',
    ),
});

const listAppointments = defineAction({
  key: 'listAppointments',
  version: 1,
  label: 'Find a GHL contact’s appointments',
  description: `Lists a contact’s appointments (calendar events) with their times and status. ${READS}`,
  effect: 'read',
  input: z.object({ contactId, limit: limit('appointments') }),
  output: listOutput(GhlAppointment, 'appointments', 'Appointments'),
  sample: listResult('appointments', [SAMPLE_APPOINTMENT], 1, false),
  async run(ctx) {
    const data = await call<unknown>(ghl(ctx), {
      method: 'GET',
      path: `${contactPath(ctx.input.contactId)}/appointments`,
      scope: 'contacts.readonly',
      what: 'list the contact’s appointments',
    });
    const all = itemsOf<z.infer<typeof GhlAppointment>>(data, 'events');
    return listResult('appointments', all.slice(0, ctx.input.limit), all.length, all.length > ctx.input.limit);
  },
});

// ---------------------------------------------------------------------------------------------
// Triggers (GHL webhooks)
// ---------------------------------------------------------------------------------------------

const HOW =
  'GHL calls Pipewright through a webhook (set up in your GHL app or workflow, pointing at Pipewright’s public address), so this trigger needs that address: the document gives no way to list only the contacts that changed. The document names no events; these are GHL’s own webhook names. Test runs use the sample below.';

function payload<E extends string>(event: E, data: z.ZodType) {
  return z.object({
    event: z.literal(event).meta({ title: 'Event' }),
    timestamp: Timestamp('Happened at'),
    location_id: z.string().optional().meta({ title: 'Location ID' }),
    data,
  });
}

const isEvent = (event: TriggerEvent, name: GhlEvent) => event.event === name || event.event === ghlInboxEvent(name);

const tagParam = optionalText({
  title: 'Only with tag',
  description: 'Only for contacts that have this tag (any letter case). Leave empty for every contact.',
  widget: 'tag',
});

function hasTag(data: Record<string, unknown>, tag: string | undefined): boolean {
  if (!tag) return true;
  const tags = Array.isArray(data.tags) ? data.tags : [];
  return tags.some((t) => typeof t === 'string' && t.toLowerCase() === tag.trim().toLowerCase());
}

function contactTrigger(key: string, event: GhlEvent, label: string, description: string) {
  return defineTrigger({
    key,
    version: 1,
    label,
    description: `${description} ${HOW}`,
    source: 'webhook',
    events: [ghlInboxEvent(event)],
    params: z.object({ tag: tagParam }),
    output: payload(event, GhlContact),
    sample: { event, timestamp: AT, location_id: SAMPLE_CONTACT.locationId as string, data: SAMPLE_CONTACT },
    matches: (params, e) => isEvent(e, event) && hasTag(e.data, params.tag),
  });
}

const triggers = [
  contactTrigger('contactCreated', 'ContactCreate', 'GHL contact created', 'Starts when a contact is added in GHL.'),
  contactTrigger(
    'contactUpdated',
    'ContactUpdate',
    'GHL contact updated',
    'Starts when a GHL contact’s fields change (the sync guide’s "changes in the Contacts API").',
  ),
  contactTrigger('contactDeleted', 'ContactDelete', 'GHL contact deleted', 'Starts when a contact is deleted in GHL.'),
  contactTrigger(
    'contactTagsChanged',
    'ContactTagUpdate',
    'GHL contact tags changed',
    'Starts when tags are added to or removed from a GHL contact.',
  ),
];

// ---------------------------------------------------------------------------------------------
// How GHL's events reach Pipewright: webhook deliveries (no polling, see the README)
// ---------------------------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * Checks a delivery's flat body (`{ type, locationId, id, … }`). GHL sends events of other kinds
 * (opportunities, notes …) to the same address: any named type is accepted (no trigger listens to
 * it), but a contact event must name its contact.
 */
function receiveDelivery(body: unknown, receivedAt: string): ReceivedEvent {
  if (!isObject(body)) throw new WebhookRejection(400, 'The body must be a JSON object: { type, locationId, id, … }.');
  if (typeof body.type !== 'string' || !body.type.trim()) {
    throw new WebhookRejection(400, 'type: expected the GHL event name, e.g. ContactUpdate.');
  }
  if ((GHL_EVENTS as readonly string[]).includes(body.type) && (typeof body.id !== 'string' || !body.id)) {
    throw new WebhookRejection(400, `id: expected the contact ID of the ${body.type} event.`);
  }
  if (body.locationId !== undefined && typeof body.locationId !== 'string') {
    throw new WebhookRejection(400, 'locationId: expected the location ID (text).');
  }
  const delivery = ghlWebhookEvent(body, receivedAt);
  // Without a webhookId, a retried delivery is recognised by its unchanged body.
  return { event: delivery.event, payload: delivery.payload, dedupeKey: delivery.dedupeKey ?? bodyDedupeKey(body) };
}

const remoteEvent = (inboxEvent: string) => (inboxEvent.startsWith('ghl:') ? inboxEvent.slice('ghl:'.length) : inboxEvent);

// ----- echoes of our own writes (two-way sync) -----------------------------------------------

const nameOf = (value: unknown) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') || null : null);
const emailOf = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() || null : null);
/** Phone numbers compare by their digits (and a leading +): "+1 (555) 010-1" is "+15550101". */
const phoneOf = (value: unknown) => (typeof value === 'string' ? value.trim().replace(/(?!^\+)\D/g, '') || null : null);
/** Tags compare as a set: GHL keeps them in any order and any letter case. */
const tagsOf = (value: unknown) =>
  Array.isArray(value)
    ? [...new Set(value.filter((t): t is string => typeof t === 'string').map((t) => t.trim().toLowerCase()))].filter(Boolean).sort()
    : [];

/** A contact's synced fields (the sync guide's email, names, phone, status, tags, and the external ID). */
function contactEcho(contact: Record<string, unknown>): EchoKey | undefined {
  if (typeof contact.id !== 'string') return undefined;
  return {
    resourceId: `contact:${contact.id}`,
    fields: {
      firstName: nameOf(contact.firstName),
      lastName: nameOf(contact.lastName),
      email: emailOf(contact.email),
      phone: phoneOf(contact.phone),
      externalId: nameOf(contact.externalId),
      status: nameOf(contact.status),
      tags: tagsOf(contact.tags),
    },
  };
}

/** Adding tags answers with the tags only, and GHL reports it as ContactTagUpdate: both compare by tags. */
function tagsEcho(contact: Record<string, unknown>): EchoKey | undefined {
  if (typeof contact.id !== 'string') return undefined;
  return { resourceId: `contact:${contact.id}`, fields: { tags: tagsOf(contact.tags) } };
}

const webhooks: ConnectorWebhooks = {
  receive: (body, _headers, receivedAt) => receiveDelivery(body, receivedAt),
  // The document describes no signature, no call to register a webhook and no list of changes:
  // the user sets the webhook up in GHL, and there is no polling.
  remoteEvent,
  echoOfWrite(actionKey, output) {
    if (!isObject(output)) return undefined;
    if (actionKey === 'createContact' || actionKey === 'updateContact') return contactEcho(output);
    if (actionKey === 'addTags') return tagsEcho(output);
    return undefined;
  },
  echoOfEvent(event) {
    const name = remoteEvent(event.event);
    if (!isObject(event.data)) return undefined;
    const data = { ...event.data, id: event.data.id ?? event.data.contactId };
    if (name === 'ContactCreate' || name === 'ContactUpdate') return contactEcho(data);
    if (name === 'ContactTagUpdate') return tagsEcho(data);
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// The connector
// ---------------------------------------------------------------------------------------------

export const ghlConnector = defineConnector({
  id: 'ghl',
  name: 'GHL Contacts',
  description:
    'GHL (HighLevel) contacts with their tasks, notes, appointments and tags, e.g. to sync contacts with kvCORE. Connect with an OAuth access token and refresh token (renewed before they expire; set the clientId extra) or a location API key; scopes contacts.readonly and contacts.write. Optional extras: locationId, apiVersion, tokenUrl. Rate limits depend on your GHL plan: requests are paced per connection (about 100 per 10 seconds unless the connection sets its own rate), lists read 100 contacts a request, and a 429 is waited out and retried.',
  icon: 'contact',
  needsConnection: true,
  triggers,
  webhooks,
  actions: [
    getContact,
    listContacts,
    listContactsByBusiness,
    createContact,
    updateContact,
    deleteContact,
    addTags,
    listTasks,
    getTask,
    createTask,
    updateTask,
    completeTask,
    deleteTask,
    listNotes,
    getNote,
    listAppointments,
  ],
});
