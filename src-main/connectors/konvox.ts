import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type ConnectorWebhooks,
  defineAction,
  defineConnector,
  defineTrigger,
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
  type Connection,
  changesSince,
  clientFor,
  clientForConnection,
  collect,
  defineApi,
  inChangeOrder,
  paginate,
  segment,
} from './http.ts';
import { absentIfBlank, limitField, optionalChoice, optionalFlag, optionalText, Timestamp, text, textList } from './remote-fields.ts';

/**
 * Konvox (konvox-api.txt): campaigns, contacts, sender identities, channel accounts
 * ("connections") and webhooks. API keys `kvx_live_…` sent as `Authorization: Bearer` or
 * `X-API-Key`; answers in `{data, error, meta}`; contacts paged with limit/offset (at most 200).
 * The document names no paths: Pipewright uses `/api/v1/<resource>` under the connection's base URL.
 */

/**
 * Konvox's webhook events. Its event reference is not part of the document, so these are plain
 * names of what its contacts and campaigns show (contact status active/unsubscribed/bounced,
 * campaign status draft/active/paused/completed), delivered as `{event, data, timestamp}`; see the
 * connectors README.
 */
export const KONVOX_EVENTS = [
  'contact.created',
  'contact.replied',
  'contact.bounced',
  'contact.unsubscribed',
  'campaign.status_changed',
] as const;
export type KonvoxEvent = (typeof KONVOX_EVENTS)[number];

/** The inbox event name of a Konvox delivery, prefixed like the other apps' (`konvox:contact.bounced`). */
export function konvoxInboxEvent(event: string): string {
  return `konvox:${event}`;
}

// ---------------------------------------------------------------------------------------------
// Connection details the document leaves open
// ---------------------------------------------------------------------------------------------

export type KonvoxAuthStyle = 'bearer' | 'x-api-key';

/**
 * Which header carries the key: the connection extra `authHeader` ("bearer" or "x-api-key") when
 * set, else the connection's auth kind (`apiKey` → X-API-Key), else Bearer as the document shows first.
 */
export function konvoxAuthStyle(connection: Pick<Connection, 'extras' | 'auth'>): KonvoxAuthStyle {
  const chosen = connection.extras?.authHeader
    ?.trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  if (chosen) {
    if (['x-api-key', 'api-key', 'apikey'].includes(chosen)) return 'x-api-key';
    if (['bearer', 'authorization'].includes(chosen)) return 'bearer';
    throw new Error(
      `The Konvox connection's authHeader setting must be "bearer" or "x-api-key" (it is "${connection.extras.authHeader}").`,
    );
  }
  return connection.auth === 'apiKey' ? 'x-api-key' : 'bearer';
}

/**
 * The path of a resource: `/api/v1/<resource>` under the base URL, unless the base URL already ends
 * in `/api/vN`, or the connection extra `apiPath` says otherwise (e.g. "/api/v2", or "" for none).
 */
export function konvoxPath(client: Pick<ApiClient, 'baseUrl' | 'connection'>, resource: string): string {
  const custom = client.connection.extras?.apiPath;
  let prefix = custom !== undefined ? custom.trim().replace(/\/+$/, '') : /\/api\/v\d+$/i.test(client.baseUrl) ? '' : '/api/v1';
  if (prefix && !prefix.startsWith('/')) prefix = `/${prefix}`;
  return `${prefix}/${resource}`;
}

/** The scope a Konvox 403 names, if it names one ("Insufficient scope: write", "lacks the 'campaigns:write' scope"). */
function scopeIn(message: string): string | undefined {
  const after = /\bscopes?\b\s*[:=]?\s*['"]?([a-z][a-z0-9_.:-]*)/i.exec(message)?.[1];
  if (after && !['required', 'is', 'for', 'to', 'the', 'missing', 'not'].includes(after.toLowerCase())) return after;
  return /['"]([a-z][a-z0-9_.:-]*)['"]\s+scope/i.exec(message)?.[1];
}

export const konvoxApi = defineApi({
  app: 'konvox',
  name: 'Konvox',
  // The document names no address: each connection gives its own base URL.
  envelope: 'dataError',
  defaultAuth: 'bearer',
  authHeaders: (connection, secret): Record<string, string> =>
    konvoxAuthStyle(connection) === 'x-api-key' ? { 'X-API-Key': secret } : { Authorization: `Bearer ${secret}` },
  // Konvox documents no rate limit; 5 a second (bursts of 10) is gentle.
  rateLimit: { requestsPerSecond: 5, burst: 10 },
  secretPatterns: [/kvx_(live|test)_[A-Za-z0-9_-]+/g],
  scopeIn,
  keyHelp:
    'Konvox API keys (kvx_live_…) are made in Settings > API keys. Konvox answers 403 when a key lacks a permission or the plan limit is reached.',
  async test(client) {
    const response = await client.get<unknown[]>(konvoxPath(client, 'contacts'), { limit: 1 }, { what: 'list contacts' });
    const total = Number(response.meta?.total);
    return Number.isFinite(total) ? `${total} contact${total === 1 ? '' : 's'}.` : 'contacts can be read.';
  },
  async options(client, kind) {
    if (kind === 'konvoxSenderIdentity') {
      const identities = (await client.get<SenderIdentity[]>(konvoxPath(client, 'sender-identities'), undefined, { what: 'list senders' }))
        .data;
      return identities.map((s) => ({ value: s.id, label: s.email ?? s.localPart ?? s.id, description: s.displayName ?? undefined }));
    }
    if (kind === 'konvoxCampaign') {
      const campaigns = (await client.get<Campaign[]>(konvoxPath(client, 'campaigns'), undefined, { what: 'list campaigns' })).data;
      return campaigns.map((c) => ({ value: c.id, label: c.name, description: c.status }));
    }
    return [];
  },
});

// ---------------------------------------------------------------------------------------------
// Output shapes (the API's own field names)
// ---------------------------------------------------------------------------------------------

const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed'] as const;
const CHANNELS = ['email', 'linkedin', 'multi'] as const;
const CONTACT_STATUSES = ['active', 'unsubscribed', 'bounced'] as const;
const PLATFORMS = ['linkedin', 'email', 'twitter', 'instagram'] as const;
const CONNECTION_METHODS = ['socialcrabs', 'oauth_personal', 'oauth_company', 'oauth_page', 'oauth_konvox_app', 'oauth_own_app'] as const;

const Campaign = z.looseObject({
  id: z.string().meta({ title: 'Campaign ID' }),
  name: z.string().meta({ title: 'Name' }),
  channel: z.string().meta({ title: 'Channel', description: 'email, linkedin or multi.' }),
  status: z.string().meta({ title: 'Status', description: 'draft, active, paused or completed.' }),
  profileId: z.string().nullable().optional().meta({ title: 'AI profile ID' }),
  senderIdentityId: z.string().nullable().optional().meta({ title: 'Sender ID' }),
  targetsByState: z
    .record(z.string(), z.number())
    .optional()
    .meta({ title: 'Targets by state', description: 'How many enrolled contacts are in each state.' }),
  createdAt: Timestamp('Created at').optional(),
  updatedAt: Timestamp('Updated at').optional(),
});
type Campaign = z.infer<typeof Campaign>;

const Contact = z.looseObject({
  id: z.string().meta({ title: 'Contact ID' }),
  email: z.string().meta({ title: 'Email' }),
  firstName: z.string().nullable().optional().meta({ title: 'First name' }),
  lastName: z.string().nullable().optional().meta({ title: 'Last name' }),
  companyName: z.string().nullable().optional().meta({ title: 'Company' }),
  linkedinUrl: z.string().nullable().optional().meta({ title: 'LinkedIn URL' }),
  title: z.string().nullable().optional().meta({ title: 'Job title' }),
  status: z.string().optional().meta({ title: 'Status', description: 'active, unsubscribed or bounced.' }),
  createdAt: Timestamp('Created at').optional(),
});
type Contact = z.infer<typeof Contact>;

const SenderIdentity = z.looseObject({
  id: z.string().meta({ title: 'Sender ID' }),
  localPart: z.string().optional().meta({ title: 'Local part', description: 'The part before the @.' }),
  email: z.string().optional().meta({ title: 'Address', description: 'localPart@yourslug.konvox.io' }),
  displayName: z.string().nullable().optional().meta({ title: 'Display name' }),
  warmup: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .meta({ title: 'Warm-up', description: "The address's warm-up progress." }),
  dailyLimit: z.number().nullable().optional().meta({ title: 'Daily limit', description: 'How many emails it may send a day.' }),
  createdAt: Timestamp('Created at').optional(),
});
type SenderIdentity = z.infer<typeof SenderIdentity>;

const ChannelAccount = z.looseObject({
  id: z.string().meta({ title: 'Account ID' }),
  name: z.string().meta({ title: 'Name' }),
  platform: z.string().meta({ title: 'Platform', description: 'linkedin, email, twitter or instagram.' }),
  connectionMethod: z.string().optional().meta({ title: 'Connected through' }),
  username: z.string().nullable().optional().meta({ title: 'Username' }),
  status: z.string().optional().meta({ title: 'Status' }),
  createdAt: Timestamp('Created at').optional(),
});
type ChannelAccount = z.infer<typeof ChannelAccount>;

const Webhook = z.looseObject({
  id: z.string().meta({ title: 'Webhook ID' }),
  url: z.string().meta({ title: 'URL' }),
  events: z.array(z.string()).meta({ title: 'Events' }),
  active: z.boolean().meta({ title: 'Active' }),
  createdAt: Timestamp('Created at').optional(),
});
type Webhook = z.infer<typeof Webhook>;

/** What every list answer has besides its items. */
const listShape = <T extends z.ZodType>(item: T) => ({
  count: z.number().meta({ title: 'Number returned' }),
  total: z.number().nullable().meta({ title: 'Total in Konvox', description: 'How many there are in all, when Konvox says.' }),
  first: item.nullable().meta({ title: 'First one', description: 'The first item, or empty when there is none.' }),
});

const Deleted = z.object({
  deleted: z.literal(true).meta({ title: 'Deleted' }),
  id: z.string().meta({ title: 'Campaign ID' }),
});

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

const AT = '2026-06-17T14:20:00.000Z';
const SAMPLE_CAMPAIGN: Campaign = {
  id: 'cmp_8f2k1x',
  name: 'Q3 founders outreach',
  channel: 'email',
  status: 'draft',
  profileId: 'prf_friendly01',
  senderIdentityId: 'snd_4h7q2m',
  targetsByState: { pending: 40, contacted: 12, replied: 3, completed: 1 },
  createdAt: AT,
  updatedAt: AT,
};
const SAMPLE_CONTACT: Contact = {
  id: 'ctc_5n3r8w',
  email: 'maria.lopez@example.com',
  firstName: 'Maria',
  lastName: 'Lopez',
  companyName: 'Lopez Roofing',
  linkedinUrl: 'https://www.linkedin.com/in/maria-lopez-example',
  title: 'Owner',
  status: 'active',
  createdAt: AT,
};
const SAMPLE_SENDER: SenderIdentity = {
  id: 'snd_4h7q2m',
  localPart: 'sales',
  email: 'sales@acme.konvox.io',
  displayName: 'Acme Sales',
  warmup: { status: 'warming', day: 9 },
  dailyLimit: 40,
  createdAt: AT,
};
const SAMPLE_ACCOUNT: ChannelAccount = {
  id: 'acc_2p9d6v',
  name: 'Maria on LinkedIn',
  platform: 'linkedin',
  connectionMethod: 'oauth_personal',
  username: 'maria-lopez-example',
  status: 'connected',
  createdAt: AT,
};
const SAMPLE_WEBHOOK: Webhook = {
  id: 'whk_7c1m4z',
  url: 'https://hooks.example.com/konvox',
  events: ['contact.replied'],
  active: true,
  createdAt: AT,
};

// ---------------------------------------------------------------------------------------------
// Shared pieces of the actions
// ---------------------------------------------------------------------------------------------

type Ctx<I> = RunContext<I>;
const konvox = <I>(ctx: Ctx<I>) => clientFor(konvoxApi, ctx);

async function send<T>(client: ApiClient, request: ApiRequest): Promise<T> {
  return (await client.request<T>(request)).data;
}

const simulated = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

const campaignId = text({
  title: 'Campaign',
  description: 'The Konvox campaign (its ID), usually picked from an earlier step.',
  widget: 'konvoxCampaign',
});
const campaignPath = (client: ApiClient, id: string) => konvoxPath(client, `campaigns/${segment(id)}`);

const ERRORS = 'Konvox answers 403 when the key lacks a permission or the plan limit is reached.';

/** Reads every item of a list that Konvox returns whole (no paging documented). */
async function listAll<T>(client: ApiClient, resource: string, what: string, query?: ApiRequest['query']) {
  const response = await client.request<T[]>({ method: 'GET', path: konvoxPath(client, resource), query, what });
  const items = Array.isArray(response.data) ? response.data : [];
  const total = Number(response.meta?.total);
  return { items, count: items.length, total: Number.isFinite(total) ? total : null, first: items[0] ?? null };
}

// ---------------------------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------------------------

const listCampaigns = defineAction({
  key: 'listCampaigns',
  version: 1,
  label: 'List Konvox campaigns',
  description:
    'Lists the Konvox campaigns of your company, newest first, optionally of one status, each with how many targets are in each state.',
  effect: 'read',
  input: z.object({
    status: optionalChoice(CAMPAIGN_STATUSES, {
      title: 'Status',
      description: 'Only campaigns in this status: draft, active, paused or completed. Leave empty for all.',
      options: [...CAMPAIGN_STATUSES],
    }),
  }),
  output: z.object({ campaigns: z.array(Campaign).meta({ title: 'Campaigns' }), ...listShape(Campaign) }),
  sample: { campaigns: [SAMPLE_CAMPAIGN], count: 1, total: 1, first: SAMPLE_CAMPAIGN },
  async run(ctx) {
    const { items, ...rest } = await listAll<Campaign>(konvox(ctx), 'campaigns', 'list campaigns', { status: ctx.input.status });
    return { campaigns: items, ...rest };
  },
});

const getCampaign = defineAction({
  key: 'getCampaign',
  version: 1,
  label: 'Get Konvox campaign',
  description: 'Reads one Konvox campaign with how many targets are in each state.',
  effect: 'read',
  input: z.object({ campaign_id: campaignId }),
  output: Campaign,
  sample: SAMPLE_CAMPAIGN,
  async run(ctx) {
    const client = konvox(ctx);
    return send<Campaign>(client, { method: 'GET', path: campaignPath(client, ctx.input.campaign_id), what: 'read the campaign' });
  },
});

const CHANNEL_META = {
  title: 'Channel',
  description: 'How the campaign reaches people: email, linkedin or multi (both).',
  options: [...CHANNELS],
};
const lower = (v: unknown) => (typeof v === 'string' ? absentIfBlank(v.trim().toLowerCase()) : absentIfBlank(v));
const channelField = z.preprocess(lower, z.enum(CHANNELS, { error: 'Channel: choose email, linkedin or multi.' })).meta(CHANNEL_META);
const optionalChannelField = optionalChoice(CHANNELS, CHANNEL_META);
const profileIdField = optionalText({
  title: 'AI profile',
  description: 'The ID of the AI communication profile the campaign writes with.',
});
const senderField = optionalText({
  title: 'Sender',
  description: 'The sender address the campaign emails from (its ID); required for email campaigns.',
  widget: 'konvoxSenderIdentity',
});

const CreateCampaignInput = z
  .object({
    name: text({ title: 'Name', description: 'The campaign name shown in the Konvox dashboard.' }),
    channel: channelField,
    profileId: profileIdField,
    senderIdentityId: senderField,
  })
  .refine((i) => i.channel !== 'email' || i.senderIdentityId !== undefined, {
    error: 'An email campaign needs a sender: choose the sender address it emails from.',
    path: ['senderIdentityId'],
  });
type CreateCampaignInput = z.output<typeof CreateCampaignInput>;

const createCampaignRequest = (client: ApiClient, input: CreateCampaignInput): ApiRequest => ({
  method: 'POST',
  path: konvoxPath(client, 'campaigns'),
  body: input,
  what: 'create a campaign',
});

const createCampaign = defineAction({
  key: 'createCampaign',
  version: 1,
  label: 'Create Konvox campaign',
  description: `Creates a Konvox campaign (as a draft) on a channel, optionally with an AI profile and a sender address. ${ERRORS}`,
  effect: 'write',
  input: CreateCampaignInput,
  output: Campaign,
  sample: SAMPLE_CAMPAIGN,
  async run(ctx) {
    const client = konvox(ctx);
    return send<Campaign>(client, createCampaignRequest(client, ctx.input));
  },
  plan(ctx) {
    const client = konvox(ctx);
    const at = ctx.now().toISOString();
    return {
      request: client.plan(createCampaignRequest(client, ctx.input)),
      output: {
        id: simulated('cmp'),
        status: 'draft',
        profileId: null,
        senderIdentityId: null,
        ...ctx.input,
        targetsByState: {},
        createdAt: at,
        updatedAt: at,
      },
    };
  },
});

/** A read for a dry run's simulated output; the campaign may come from an earlier simulated step. */
async function campaignForPlan(client: ApiClient, id: string): Promise<Campaign | undefined> {
  try {
    return await send<Campaign>(client, { method: 'GET', path: campaignPath(client, id), what: 'read the campaign' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

const UPDATE_STATUSES = ['active', 'paused', 'completed'] as const;
const STATUS_META = {
  title: 'Status',
  description: '"active" starts (or resumes) the campaign, "paused" pauses it, "completed" ends it.',
  options: [...UPDATE_STATUSES],
};
const statusField = z
  .preprocess(lower, z.enum(UPDATE_STATUSES, { error: 'Status: choose active, paused or completed.' }))
  .meta(STATUS_META);
const optionalStatusField = optionalChoice(UPDATE_STATUSES, STATUS_META);

const UpdateCampaignInput = z
  .object({
    campaign_id: campaignId,
    name: optionalText({ title: 'New name', description: 'Leave empty to keep the current name.' }),
    channel: optionalChannelField,
    profileId: profileIdField,
    senderIdentityId: senderField,
    status: optionalStatusField,
  })
  .refine((i) => Object.entries(i).some(([k, v]) => k !== 'campaign_id' && v !== undefined), {
    error: 'Nothing to change: fill in at least one field to update.',
  });
type UpdateCampaignInput = z.output<typeof UpdateCampaignInput>;

const updateCampaignRequest = (
  client: ApiClient,
  input: { campaign_id: string } & Partial<Omit<UpdateCampaignInput, 'campaign_id'>>,
  what = 'update the campaign',
): ApiRequest => {
  const { campaign_id, ...fields } = input;
  return {
    method: 'PATCH',
    path: campaignPath(client, campaign_id),
    body: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    // Every field is set to a value: the same PATCH twice changes nothing more.
    retrySafe: true,
    what,
  };
};

async function planCampaignUpdate(ctx: Ctx<{ campaign_id: string }>, request: ApiRequest) {
  const client = konvox(ctx);
  const before = await campaignForPlan(client, ctx.input.campaign_id);
  const base: Campaign = before ?? { id: ctx.input.campaign_id, name: '', channel: '', status: 'draft' };
  return {
    request: client.plan(request),
    output: { ...base, ...(request.body as object), updatedAt: ctx.now().toISOString() },
  };
}

const updateCampaign = defineAction({
  key: 'updateCampaign',
  version: 1,
  label: 'Update Konvox campaign',
  description: `Changes a Konvox campaign's name, channel, AI profile, sender or status; anything left empty stays as it is. Pipewright sends the change as PATCH (the document does not name the method). ${ERRORS}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateCampaignInput,
  output: Campaign,
  sample: { ...SAMPLE_CAMPAIGN, name: 'Q3 founders outreach (v2)' },
  async run(ctx) {
    const client = konvox(ctx);
    return send<Campaign>(client, updateCampaignRequest(client, ctx.input));
  },
  plan: (ctx) => planCampaignUpdate(ctx, updateCampaignRequest(konvox(ctx), ctx.input)),
});

const SetStatusInput = z.object({ campaign_id: campaignId, status: statusField });

const setCampaignStatus = defineAction({
  key: 'setCampaignStatus',
  version: 1,
  label: 'Start, pause or complete Konvox campaign',
  description: `Changes a Konvox campaign's status: active (start or resume), paused or completed. Starting one may hit your plan's limit of active campaigns (403). ${ERRORS}`,
  effect: 'write',
  retrySafe: true,
  input: SetStatusInput,
  output: Campaign,
  sample: { ...SAMPLE_CAMPAIGN, status: 'active' },
  async run(ctx) {
    const client = konvox(ctx);
    return send<Campaign>(client, updateCampaignRequest(client, ctx.input, 'change the campaign status'));
  },
  plan: (ctx) => planCampaignUpdate(ctx, updateCampaignRequest(konvox(ctx), ctx.input, 'change the campaign status')),
});

const deleteCampaignRequest = (client: ApiClient, id: string): ApiRequest => ({
  method: 'DELETE',
  path: campaignPath(client, id),
  what: 'delete the campaign',
});

const deleteCampaign = defineAction({
  key: 'deleteCampaign',
  version: 1,
  label: 'Delete Konvox campaign',
  description: `Deletes a Konvox campaign and all its enrollments. This cannot be undone. ${ERRORS}`,
  effect: 'write',
  retrySafe: true,
  input: z.object({ campaign_id: campaignId }),
  output: Deleted,
  sample: { deleted: true, id: SAMPLE_CAMPAIGN.id },
  async run(ctx) {
    const client = konvox(ctx);
    await send(client, deleteCampaignRequest(client, ctx.input.campaign_id));
    return { deleted: true as const, id: ctx.input.campaign_id };
  },
  plan: (ctx) => ({
    request: konvox(ctx).plan(deleteCampaignRequest(konvox(ctx), ctx.input.campaign_id)),
    output: { deleted: true as const, id: ctx.input.campaign_id },
  }),
});

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

/** Konvox pages contacts 50 at a time by default, 200 at most. */
const OFFSET = { style: 'offset', pageSize: 200 } as const;

const listContacts = defineAction({
  key: 'listContacts',
  version: 1,
  label: 'List Konvox contacts',
  description: 'Lists Konvox contacts, optionally of one status, reading page after page up to "At most".',
  effect: 'read',
  input: z.object({
    status: optionalChoice(CONTACT_STATUSES, {
      title: 'Status',
      description: 'Only contacts in this status: active, unsubscribed or bounced. Leave empty for all.',
      options: [...CONTACT_STATUSES],
    }),
    limit: limitField({
      title: 'At most',
      description: 'The largest number of contacts to return (1 to 10000).',
      fallback: 200,
      max: 10_000,
    }),
  }),
  output: z.object({
    contacts: z.array(Contact).meta({ title: 'Contacts' }),
    ...listShape(Contact),
    truncated: z.boolean().meta({ title: 'Cut short', description: 'More matched than "At most" allowed.' }),
  }),
  sample: { contacts: [SAMPLE_CONTACT], count: 1, total: 1, truncated: false, first: SAMPLE_CONTACT },
  async run(ctx) {
    const client = konvox(ctx);
    const found = await collect<Contact>(
      client,
      { method: 'GET', path: konvoxPath(client, 'contacts'), query: { status: ctx.input.status }, what: 'list contacts' },
      OFFSET,
      { maxItems: ctx.input.limit },
    );
    return {
      contacts: found.items,
      count: found.items.length,
      total: found.total,
      truncated: found.truncated,
      first: found.items[0] ?? null,
    };
  },
});

const CreateContactInput = z.object({
  email: text({ title: 'Email', description: "The contact's email address; Konvox keeps one contact per address." }).refine(
    (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
    { error: (issue) => `Email "${String(issue.input)}" is not an email address.` },
  ),
  firstName: optionalText({ title: 'First name', description: 'The first name.' }),
  lastName: optionalText({ title: 'Last name', description: 'The last name.' }),
  companyName: optionalText({ title: 'Company', description: 'The company the contact works for.' }),
  linkedinUrl: optionalText({ title: 'LinkedIn URL', description: "The contact's LinkedIn profile address." }),
  title: optionalText({ title: 'Job title', description: 'e.g. Head of Sales.' }),
});
type CreateContactInput = z.output<typeof CreateContactInput>;

const createContactRequest = (client: ApiClient, input: CreateContactInput): ApiRequest => ({
  method: 'POST',
  path: konvoxPath(client, 'contacts'),
  body: input,
  // Konvox returns the existing contact for a known email, so sending it twice makes one contact.
  retrySafe: true,
  what: 'create a contact',
});

const sameEmail = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
/** How many contacts Pipewright looks through for the one a 409 refers to. */
const CONFLICT_SCAN = 10_000;

/**
 * The contact a 409 refers to: the one the answer carries, else found by email in the contact list
 * (the API has no search by email).
 */
async function existingContact(client: ApiClient, email: string, conflict: ApiError): Promise<Contact> {
  const data = conflict.data as Record<string, unknown> | undefined;
  for (const candidate of [data, data?.contact, data?.existing]) {
    const c = candidate as Contact | undefined;
    if (c && typeof c === 'object' && typeof c.id === 'string' && sameEmail(c.email, email)) return c;
  }
  const request: ApiRequest = { method: 'GET', path: konvoxPath(client, 'contacts'), what: 'look up the existing contact' };
  for await (const contact of paginate<Contact>(client, request, OFFSET, { maxItems: CONFLICT_SCAN })) {
    if (sameEmail(contact.email, email)) return contact;
  }
  throw new Error(
    `Konvox says a contact with the email ${email} already exists (409${conflict.apiMessage ? `: "${conflict.apiMessage}"` : ''}), but it is not among the first ${CONFLICT_SCAN} contacts Pipewright can list.`,
  );
}

const createContact = defineAction({
  key: 'createContact',
  version: 1,
  label: 'Create Konvox contact',
  description:
    'Adds a contact to Konvox. When the email is already there, Konvox returns the existing contact (and Pipewright does the same when Konvox answers 409 "already exists"): "Created" says which happened. Safe to repeat.',
  effect: 'write',
  retrySafe: true,
  input: CreateContactInput,
  output: Contact.extend({
    created: z.boolean().meta({
      title: 'Created',
      description: 'Yes when Konvox made a new contact; no when the email was already there and the existing contact is returned.',
    }),
  }),
  sample: { ...SAMPLE_CONTACT, created: true },
  async run(ctx) {
    const client = konvox(ctx);
    try {
      const response = await client.request<Contact>(createContactRequest(client, ctx.input));
      // Konvox answers 201 for a new contact and 200 with the existing one for a known email.
      return { ...response.data, created: response.status === 201 };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409) throw err;
      return { ...(await existingContact(client, ctx.input.email, err)), created: false };
    }
  },
  plan(ctx) {
    const client = konvox(ctx);
    return {
      request: client.plan(createContactRequest(client, ctx.input)),
      output: { id: simulated('ctc'), status: 'active', ...ctx.input, createdAt: ctx.now().toISOString(), created: true },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Sender identities
// ---------------------------------------------------------------------------------------------

const listSenderIdentities = defineAction({
  key: 'listSenderIdentities',
  version: 1,
  label: 'List Konvox sender addresses',
  description: "Lists your company's Konvox sender email addresses, with their warm-up progress and daily sending limit.",
  effect: 'read',
  input: z.object({}),
  output: z.object({ senders: z.array(SenderIdentity).meta({ title: 'Sender addresses' }), ...listShape(SenderIdentity) }),
  sample: { senders: [SAMPLE_SENDER], count: 1, total: 1, first: SAMPLE_SENDER },
  async run(ctx) {
    const { items, ...rest } = await listAll<SenderIdentity>(konvox(ctx), 'sender-identities', 'list sender addresses');
    return { senders: items, ...rest };
  },
});

const CreateSenderInput = z.object({
  localPart: text({
    title: 'Local part',
    description: 'The part before the @ (lowercase letters, numbers and hyphens); the address becomes localPart@yourslug.konvox.io.',
  }).refine((v) => /^[a-z0-9-]+$/.test(v), {
    error: (issue) => `Local part "${String(issue.input)}" may use only lowercase letters, numbers and hyphens.`,
  }),
  displayName: optionalText({ title: 'Display name', description: 'The name shown in the From field, e.g. Acme Sales.' }),
});
type CreateSenderInput = z.output<typeof CreateSenderInput>;

const createSenderRequest = (client: ApiClient, input: CreateSenderInput): ApiRequest => ({
  method: 'POST',
  path: konvoxPath(client, 'sender-identities'),
  body: input,
  what: 'create a sender address',
});

const createSenderIdentity = defineAction({
  key: 'createSenderIdentity',
  version: 1,
  label: 'Create Konvox sender address',
  description: `Creates a sender email address localPart@yourslug.konvox.io; Konvox also sets up receiving its replies. ${ERRORS}`,
  effect: 'write',
  input: CreateSenderInput,
  output: SenderIdentity,
  sample: SAMPLE_SENDER,
  async run(ctx) {
    const client = konvox(ctx);
    return send<SenderIdentity>(client, createSenderRequest(client, ctx.input));
  },
  plan(ctx) {
    const client = konvox(ctx);
    return {
      request: client.plan(createSenderRequest(client, ctx.input)),
      output: {
        id: simulated('snd'),
        localPart: ctx.input.localPart,
        email: `${ctx.input.localPart}@yourslug.konvox.io`,
        displayName: ctx.input.displayName ?? null,
        warmup: null,
        dailyLimit: null,
        createdAt: ctx.now().toISOString(),
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Channel accounts (Konvox "connections")
// ---------------------------------------------------------------------------------------------

const listChannelAccounts = defineAction({
  key: 'listChannelAccounts',
  version: 1,
  label: 'List Konvox connected accounts',
  description:
    'Lists the channel accounts (LinkedIn, email, social) connected to your Konvox company — Konvox calls them connections. No passwords or secrets are included.',
  effect: 'read',
  input: z.object({}),
  output: z.object({ accounts: z.array(ChannelAccount).meta({ title: 'Accounts' }), ...listShape(ChannelAccount) }),
  sample: { accounts: [SAMPLE_ACCOUNT], count: 1, total: 1, first: SAMPLE_ACCOUNT },
  async run(ctx) {
    const { items, ...rest } = await listAll<ChannelAccount>(konvox(ctx), 'connections', 'list connected accounts');
    return { accounts: items, ...rest };
  },
});

const CreateAccountInput = z
  .object({
    name: text({ title: 'Name', description: 'A display name for the account, e.g. Maria on LinkedIn.' }),
    platform: z
      .preprocess(
        (v) => (typeof v === 'string' ? absentIfBlank(v.trim().toLowerCase()) : absentIfBlank(v)),
        z.enum(PLATFORMS, { error: 'Platform: choose linkedin, email, twitter or instagram.' }),
      )
      .meta({ title: 'Platform', description: 'linkedin, email, twitter or instagram.', options: [...PLATFORMS] }),
    connectionMethod: z
      .preprocess(
        (v) => (typeof v === 'string' ? absentIfBlank(v.trim().toLowerCase()) : absentIfBlank(v)),
        z.enum(CONNECTION_METHODS, { error: `Connected through: choose one of ${CONNECTION_METHODS.join(', ')}.` }),
      )
      .meta({
        title: 'Connected through',
        description: `How Konvox signs in to the account: ${CONNECTION_METHODS.join(', ')}.`,
        options: [...CONNECTION_METHODS],
      }),
    username: optionalText({ title: 'Username', description: 'The username or handle on the platform.' }),
    disclaimerAccepted: optionalFlag({
      title: 'Disclaimer accepted',
      description: 'Must be yes for socialcrabs accounts: you accept Konvox’s disclaimer for them.',
    }),
  })
  .refine((i) => i.connectionMethod !== 'socialcrabs' || i.disclaimerAccepted === true, {
    error: 'A socialcrabs account needs the disclaimer accepted (yes).',
    path: ['disclaimerAccepted'],
  });
type CreateAccountInput = z.output<typeof CreateAccountInput>;

const createAccountRequest = (client: ApiClient, input: CreateAccountInput): ApiRequest => ({
  method: 'POST',
  path: konvoxPath(client, 'connections'),
  body: input,
  what: 'connect an account',
});

const createChannelAccount = defineAction({
  key: 'createChannelAccount',
  version: 1,
  label: 'Connect Konvox account',
  description: `Adds a channel account (LinkedIn, email, Twitter, Instagram) to your Konvox company — a Konvox "connection". ${ERRORS}`,
  effect: 'write',
  input: CreateAccountInput,
  output: ChannelAccount,
  sample: SAMPLE_ACCOUNT,
  async run(ctx) {
    const client = konvox(ctx);
    return send<ChannelAccount>(client, createAccountRequest(client, ctx.input));
  },
  plan(ctx) {
    const client = konvox(ctx);
    const { disclaimerAccepted: _accepted, ...account } = ctx.input;
    return {
      request: client.plan(createAccountRequest(client, ctx.input)),
      output: { id: simulated('acc'), ...account, username: account.username ?? null, createdAt: ctx.now().toISOString() },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

const listWebhooks = defineAction({
  key: 'listWebhooks',
  version: 1,
  label: 'List Konvox webhooks',
  description: 'Lists the webhook addresses registered for your Konvox company and the events each receives.',
  effect: 'read',
  input: z.object({}),
  output: z.object({ webhooks: z.array(Webhook).meta({ title: 'Webhooks' }), ...listShape(Webhook) }),
  sample: { webhooks: [SAMPLE_WEBHOOK], count: 1, total: 1, first: SAMPLE_WEBHOOK },
  async run(ctx) {
    const { items, ...rest } = await listAll<Webhook>(konvox(ctx), 'webhooks', 'list webhooks');
    return { webhooks: items, ...rest };
  },
});

const isLocalHost = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const RegisterWebhookInput = z.object({
  url: text({ title: 'URL', description: 'The HTTPS address Konvox should POST events to.' }).refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLocalHost(url));
      } catch {
        return false;
      }
    },
    { error: 'the address must start with https://.' },
  ),
  events: textList({
    title: 'Events',
    description: `The event names to receive, as Konvox's event reference lists them (its API document does not include that list; Pipewright's triggers use ${KONVOX_EVENTS.join(', ')}).`,
    noun: 'event',
  }),
  active: optionalFlag({ title: 'Active', description: 'No to register it switched off. Konvox switches it on by default.' }),
});
type RegisterWebhookInput = z.output<typeof RegisterWebhookInput>;

const registerRequest = (client: ApiClient, input: RegisterWebhookInput): ApiRequest => ({
  method: 'POST',
  path: konvoxPath(client, 'webhooks'),
  body: { url: input.url, events: input.events, ...(input.active !== undefined ? { active: input.active } : {}) },
  what: 'register a webhook',
});

const registerWebhook = defineAction({
  key: 'registerWebhook',
  version: 1,
  label: 'Register Konvox webhook',
  description: `Asks Konvox to POST the chosen events to an address. ${ERRORS}`,
  effect: 'write',
  input: RegisterWebhookInput,
  output: Webhook,
  sample: SAMPLE_WEBHOOK,
  async run(ctx) {
    const client = konvox(ctx);
    return send<Webhook>(client, registerRequest(client, ctx.input));
  },
  plan(ctx) {
    const client = konvox(ctx);
    return {
      request: client.plan(registerRequest(client, ctx.input)),
      output: {
        id: simulated('whk'),
        url: ctx.input.url,
        events: ctx.input.events,
        active: ctx.input.active ?? true,
        createdAt: ctx.now().toISOString(),
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Triggers (webhook deliveries, or polling the contacts and campaigns lists)
// ---------------------------------------------------------------------------------------------

const ASSUMED =
  "Konvox's API document does not include its event reference: Pipewright registers the event name shown here, and expects deliveries shaped {event, data, timestamp}.";
const WEBHOOK_HOW = 'Konvox calls Pipewright through a webhook registered when the workflow goes live (Pipewright needs a public address).';
const POLL_HOW = 'Without a public address, Pipewright checks Konvox for changes on a schedule instead.';

const payload = <E extends KonvoxEvent>(event: E, data: z.ZodType) =>
  z.object({ event: z.literal(event).meta({ title: 'Event' }), timestamp: Timestamp('Happened at'), data });

const isEvent = (e: TriggerEvent, name: KonvoxEvent) => e.event === name || e.event === konvoxInboxEvent(name);

const EventContact = Contact.extend({
  campaignId: z
    .string()
    .nullable()
    .optional()
    .meta({ title: 'Campaign ID', description: 'The campaign it happened in, when Konvox says.' }),
});

interface ContactTriggerSpec {
  key: string;
  event: KonvoxEvent;
  label: string;
  description: string;
  /** Whether a poll can find the event (a reply appears in no list). */
  polled: boolean;
  /** The contact's status in the sample. */
  status: (typeof CONTACT_STATUSES)[number];
}

function contactTrigger({ key, event, label, description, polled, status }: ContactTriggerSpec) {
  return defineTrigger({
    key,
    version: 1,
    label,
    description: `${description} ${WEBHOOK_HOW} ${polled ? POLL_HOW : 'It arrives by webhook only: no list shows it.'} ${ASSUMED}`,
    source: 'webhook',
    events: [konvoxInboxEvent(event)],
    params: z.object({
      campaign: optionalText({
        title: 'Only in campaign',
        description:
          'Only when the event names this campaign (its ID). Leave empty for any; changes found by checking on a schedule name no campaign.',
        widget: 'konvoxCampaign',
      }),
    }),
    output: payload(event, EventContact),
    sample: { event, timestamp: AT, data: { ...SAMPLE_CONTACT, status, campaignId: SAMPLE_CAMPAIGN.id } },
    matches: (params, e) => isEvent(e, event) && (!params.campaign || e.data?.campaignId === params.campaign),
  });
}

const EventCampaign = Campaign.extend({
  previousStatus: z
    .string()
    .nullable()
    .optional()
    .meta({ title: 'Previous status', description: 'The status before the change, when known.' }),
});

const campaignStatusChanged = defineTrigger({
  key: 'campaignStatusChanged',
  version: 1,
  label: 'Konvox campaign status changed',
  description: `Starts when a Konvox campaign is started, paused or completed. ${WEBHOOK_HOW} ${POLL_HOW} ${ASSUMED}`,
  source: 'webhook',
  events: [konvoxInboxEvent('campaign.status_changed')],
  params: z.object({
    status: optionalChoice(CAMPAIGN_STATUSES, {
      title: 'Only when it becomes',
      description: 'Only when the campaign changes to this status, e.g. completed. Leave empty for any change.',
      options: [...CAMPAIGN_STATUSES],
    }),
  }),
  output: payload('campaign.status_changed', EventCampaign),
  sample: { event: 'campaign.status_changed', timestamp: AT, data: { ...SAMPLE_CAMPAIGN, status: 'completed', previousStatus: 'active' } },
  matches: (params, e) => isEvent(e, 'campaign.status_changed') && (!params.status || e.data?.status === params.status),
});

const triggers = [
  contactTrigger({
    key: 'contactCreated',
    event: 'contact.created',
    label: 'Konvox contact created',
    description: 'Starts when a contact is added to Konvox.',
    polled: true,
    status: 'active',
  }),
  contactTrigger({
    key: 'contactReplied',
    event: 'contact.replied',
    label: 'Konvox contact replied',
    description: 'Starts when a contact replies to a Konvox campaign.',
    polled: false,
    status: 'active',
  }),
  contactTrigger({
    key: 'contactBounced',
    event: 'contact.bounced',
    label: 'Konvox contact bounced',
    description: "Starts when email to a Konvox contact bounces (the contact's status becomes bounced).",
    polled: true,
    status: 'bounced',
  }),
  contactTrigger({
    key: 'contactUnsubscribed',
    event: 'contact.unsubscribed',
    label: 'Konvox contact unsubscribed',
    description: "Starts when a Konvox contact unsubscribes (the contact's status becomes unsubscribed).",
    polled: true,
    status: 'unsubscribed',
  }),
  campaignStatusChanged,
];

// ---------------------------------------------------------------------------------------------
// How Konvox's events reach Pipewright: webhook deliveries, or polling the lists
// ---------------------------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/** Checks a delivery's `{event, data, timestamp}`; no delivery id is documented, so the body's hash dedupes. */
function receiveDelivery(body: unknown, receivedAt: string): ReceivedEvent {
  if (!isObject(body)) throw new WebhookRejection(400, 'The body must be a JSON object: {event, data, timestamp}.');
  const { event, data, timestamp } = body;
  if (typeof event !== 'string' || !(KONVOX_EVENTS as readonly string[]).includes(event)) {
    throw new WebhookRejection(400, `event: expected one of ${KONVOX_EVENTS.join(', ')}, got ${JSON.stringify(event)}.`);
  }
  if (!isObject(data)) throw new WebhookRejection(400, 'data: expected an object (the contact or campaign the event is about).');
  if (timestamp !== undefined && (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))) {
    throw new WebhookRejection(400, 'timestamp: expected an ISO 8601 date and time.');
  }
  return {
    event: konvoxInboxEvent(event),
    payload: { ...body, event, data, timestamp: (timestamp as string | undefined) ?? receivedAt },
    dedupeKey: bodyDedupeKey(body),
  };
}

const remoteEvent = (inboxEvent: string) => (inboxEvent.startsWith('konvox:') ? inboxEvent.slice('konvox:'.length) : inboxEvent);

async function registerKonvoxWebhook(connection: ResolvedConnection, url: string, events: string[], signal: AbortSignal) {
  const client = clientForConnection(konvoxApi, connection, signal);
  const hook = await send<Partial<Webhook>>(client, {
    method: 'POST',
    path: konvoxPath(client, 'webhooks'),
    body: { url, events: [...new Set(events.map(remoteEvent))], active: true },
    what: 'register a webhook',
  });
  if (typeof hook?.id !== 'string') throw new Error('Konvox registered the webhook but did not say its ID.');
  // Konvox documents no signing secret.
  return { id: hook.id };
}

type FlaggedStatus = 'bounced' | 'unsubscribed';

/**
 * Where the last poll stopped: contacts created (by createdAt), the contacts known to be bounced or
 * unsubscribed (Konvox shows no time of a status change, so a new one is told by its id), and the
 * status of each campaign.
 */
interface KonvoxPollCursor {
  created?: ChangeCursor;
  flagged?: Record<string, FlaggedStatus>;
  campaigns?: Record<string, string>;
}

function asKonvoxCursor(value: unknown): KonvoxPollCursor | undefined {
  if (!isObject(value)) return undefined;
  const record = (v: unknown) =>
    isObject(v) ? (Object.fromEntries(Object.entries(v).filter(([, s]) => typeof s === 'string')) as Record<string, string>) : undefined;
  return {
    created: asChangeCursor(value.created),
    flagged: record(value.flagged) as Record<string, FlaggedStatus> | undefined,
    campaigns: record(value.campaigns),
  };
}

/** A poll reads at most this many contacts a list. */
const POLL_MAX_ITEMS = 50_000;

function polledEvent(event: KonvoxEvent, data: Record<string, unknown>, at: string, dedupeKey: string): ReceivedEvent {
  return { event: konvoxInboxEvent(event), payload: { event, timestamp: at, data }, dedupeKey };
}

/**
 * Finds new contacts, contacts newly bounced or unsubscribed, and campaigns whose status changed,
 * since the cursor. The contacts list filters by status and pages with limit/offset but has no
 * "changed since", so the bounced and unsubscribed lists are read whole and compared with the ids
 * the cursor holds (a contact that bounces a second time within the inbox's dedupe window counts
 * once). Replies appear in no list: they arrive by webhook only.
 */
async function pollKonvox(connection: ResolvedConnection, events: string[], cursor: unknown, signal: AbortSignal) {
  const wanted = new Set(events.map(remoteEvent));
  const statuses = (['bounced', 'unsubscribed'] as const).filter((s) => wanted.has(`contact.${s}`));
  const wantsCreated = wanted.has('contact.created');
  const wantsCampaigns = wanted.has('campaign.status_changed');
  if (!wantsCreated && !wantsCampaigns && statuses.length === 0) {
    throw new Error(
      `Konvox's lists cannot show ${[...wanted].join(', ') || 'these events'}; give Pipewright a public address so Konvox can send them by webhook.`,
    );
  }
  const client = clientForConnection(konvoxApi, connection, signal);
  const previous = asKonvoxCursor(cursor);
  const next: KonvoxPollCursor = {};
  const out: ReceivedEvent[] = [];
  const now = new Date().toISOString();
  const contacts = async (status?: string) =>
    (
      await collect<Contact>(
        client,
        { method: 'GET', path: konvoxPath(client, 'contacts'), query: { status }, what: 'list contacts' },
        OFFSET,
        {
          maxItems: POLL_MAX_ITEMS,
        },
      )
    ).items;

  const all = wantsCreated ? await contacts() : undefined;
  if (all) {
    const changes = changesSince(all, previous?.created, (c) => ({ id: c.id, changedAt: c.createdAt }));
    for (const c of [...changes.created, ...changes.updated]) {
      out.push(polledEvent('contact.created', c, c.createdAt as string, `poll:${c.id}:${c.createdAt}`));
    }
    next.created = changes.cursor;
  }
  if (statuses.length > 0) {
    const flagged: Record<string, FlaggedStatus> = {};
    for (const status of statuses) {
      const rows = all ? all.filter((c) => c.status === status) : await contacts(status);
      for (const c of rows) {
        flagged[c.id] = status;
        if (previous?.flagged && previous.flagged[c.id] !== status) {
          out.push(polledEvent(`contact.${status}`, c, now, `poll:${c.id}:${status}`));
        }
      }
    }
    next.flagged = flagged;
  }
  if (wantsCampaigns) {
    const { items } = await listAll<Campaign>(client, 'campaigns', 'list campaigns');
    const known: Record<string, string> = {};
    for (const campaign of items) {
      known[campaign.id] = campaign.status;
      const before = previous?.campaigns?.[campaign.id];
      if (before !== undefined && before !== campaign.status) {
        const at = campaign.updatedAt ?? now;
        out.push(
          polledEvent(
            'campaign.status_changed',
            { ...campaign, previousStatus: before },
            at,
            `poll:${campaign.id}:${campaign.status}:${campaign.updatedAt ?? ''}`,
          ),
        );
      }
    }
    next.campaigns = known;
  }
  return { events: inChangeOrder(out), cursor: next };
}

const webhooks: ConnectorWebhooks = {
  receive: (body, _headers, receivedAt) => receiveDelivery(body, receivedAt),
  // No signature and no delete call are documented: going off leaves the webhook in Konvox (see README).
  register: registerKonvoxWebhook,
  remoteEvent,
  poll: pollKonvox,
};

export const konvoxConnector = defineConnector({
  id: 'konvox',
  name: 'Konvox',
  description:
    "Konvox outreach over its REST API: campaigns (create, change, start, pause, complete, delete), contacts, sender addresses, connected channel accounts and webhooks. Connect with an API key (kvx_live_…) and your Konvox address; the key goes as a Bearer token, or as X-API-Key when the connection's auth is apiKey (or its authHeader setting says x-api-key). Paths are /api/v1/<resource> unless the address already ends in /api/vN or the apiPath setting says otherwise. Triggers start on contacts created, replying, bouncing or unsubscribing and on campaign status changes; Konvox's document lists no webhook events, so their names are Pipewright's assumption (see each trigger's help).",
  icon: 'send',
  needsConnection: true,
  triggers,
  webhooks,
  actions: [
    listCampaigns,
    getCampaign,
    createCampaign,
    updateCampaign,
    setCampaignStatus,
    deleteCampaign,
    listContacts,
    createContact,
    listSenderIdentities,
    createSenderIdentity,
    listChannelAccounts,
    createChannelAccount,
    listWebhooks,
    registerWebhook,
  ],
});
