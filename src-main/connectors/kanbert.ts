import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { NewInboxEvent } from '../store/inbox.ts';
import {
  type ConnectorWebhooks,
  defineAction,
  defineConnector,
  defineTrigger,
  type EchoKey,
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
  type ApiResponse,
  asChangeCursor,
  type ChangeCursor,
  canonicalJson,
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
  asList,
  asObject,
  asText,
  limitField,
  optionalChoice,
  optionalDate,
  optionalFields,
  optionalFlag,
  optionalText,
  Timestamp,
  text,
} from './remote-fields.ts';

/**
 * Kanbert contacts (kanbert-contacts-api.txt): list with the filter language, sort, companies and
 * cursor pagination; get, create, update, delete, restore; the external identifier; company
 * links; and the contact:create/update/delete webhooks. Bearer tokens or OAuth2 access tokens with
 * the contact-data:read / contact-data:write scopes; plain JSON answers (lists as
 * `{data, links, meta}` with `meta.next_cursor`).
 */

export const KANBERT_EVENTS = ['contact:create', 'contact:update', 'contact:delete'] as const;
export type KanbertEvent = (typeof KANBERT_EVENTS)[number];

/**
 * The inbox event name of a Kanbert webhook delivery (`contact:create` → `kanbert:contact.create`).
 * Prefixed like Kanvo's, so no other app's or the local CRM's events can start a Kanbert trigger.
 */
export function kanbertInboxEvent(event: string): string {
  return `kanbert:${event.trim().replace(':', '.')}`;
}

/**
 * The deduplication key of a Kanbert webhook delivery. Kanbert sends a delivery again (twice more)
 * when it is not answered with 200 within 10 seconds, with the same content; the key is the event,
 * the contact id and a hash of the documented parts of the payload (event, resource, triggered_by,
 * data), so a repeat gives the same key while two real changes of one contact (whose data differ,
 * at least in updated_at) give two. Anything else a delivery may carry (e.g. an attempt counter)
 * does not count.
 */
export function kanbertDeliveryKey(payload: unknown): string {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const resource = (p.resource ?? {}) as { id?: unknown };
  const data = (p.data ?? {}) as { id?: unknown };
  const id = String(resource.id ?? data.id ?? '');
  const hash = createHash('sha256')
    .update(canonicalJson({ event: p.event, resource: p.resource, triggered_by: p.triggered_by, data: p.data }))
    .digest('hex')
    .slice(0, 32);
  return `${String(p.event ?? '')}:${id}:${hash}`;
}

/**
 * What the webhook receiver commits to the inbox for one Kanbert delivery: the prefixed event, the
 * payload (with the time it arrived as `timestamp`, which Kanbert does not send) and the dedupe
 * key, so a repeated delivery is dropped by the inbox instead of starting a second run.
 */
export function kanbertInboxDelivery(payload: Record<string, unknown>, receivedAt: string): NewInboxEvent {
  const event = typeof payload.event === 'string' ? payload.event.trim() : '';
  if (!(KANBERT_EVENTS as readonly string[]).includes(event)) {
    throw new WebhookRejection(400, `Not a Kanbert contact event: "${event}" (the events are ${KANBERT_EVENTS.join(', ')}).`);
  }
  return {
    source: 'kanbert',
    event: kanbertInboxEvent(event),
    payload: { ...payload, timestamp: typeof payload.timestamp === 'string' ? payload.timestamp : receivedAt },
    receivedAt,
    dedupeKey: kanbertDeliveryKey(payload),
  };
}

// ---------------------------------------------------------------------------------------------
// The filter language: a structured builder → the string DSL or the JSON form
// ---------------------------------------------------------------------------------------------

export type KanbertFieldKind = 'string' | 'date' | 'id' | 'archived' | 'custom';

/** The fields the document's table allows, by type. */
export const KANBERT_FILTER_FIELDS: Readonly<Record<string, KanbertFieldKind>> = {
  archived: 'archived',
  first_name: 'string',
  last_name: 'string',
  birthday: 'date',
  email: 'string',
  email_private: 'string',
  mobile: 'string',
  mobile_private: 'string',
  telephone: 'string',
  telephone_private: 'string',
  fax: 'string',
  address_street: 'string',
  address_street2: 'string',
  address_house: 'string',
  address_zip: 'string',
  address_state: 'string',
  address_town: 'string',
  'address_country.name': 'string',
  'owner.id': 'id',
  'owner.email': 'string',
  'owner.external_id': 'string',
  'owner.external_origin': 'string',
  'client.id': 'id',
  'client.name': 'string',
  'client.shortcode': 'string',
  'client.external_id': 'string',
  'client.external_origin': 'string',
  created_at: 'date',
  updated_at: 'date',
  external_origin: 'string',
};

/** The fields of the `companies` relation (its rows go inside `companies any (…)`). */
export const KANBERT_COMPANY_FIELDS: Readonly<Record<string, 'string' | 'id'>> = {
  id: 'id',
  external_id: 'string',
  company_name: 'string',
  external_origin: 'string',
  tax_uid: 'string',
  iban: 'string',
  bic: 'string',
  phone: 'string',
  fax: 'string',
  email: 'string',
  email_general: 'string',
  homepage: 'string',
};

const STRING_OPS = ['eq', 'ne', 'contains', 'like', 'startswith', 'endswith', 'in', 'nin', 'isnull', 'isnotnull'] as const;
const DATE_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'nin', 'isnull', 'isnotnull'] as const;
const ID_OPS = ['eq', 'ne', 'in', 'nin', 'isnull', 'isnotnull'] as const;
const CUSTOM_OPS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'nin',
  'contains',
  'like',
  'startswith',
  'endswith',
  'isnull',
  'isnotnull',
] as const;
const OPS_BY_KIND: Record<KanbertFieldKind, readonly string[]> = {
  string: STRING_OPS,
  date: DATE_OPS,
  id: ID_OPS,
  archived: ['eq'],
  custom: CUSTOM_OPS,
};
const RELATION_OPS = ['any', 'none', 'all', 'count'] as const;
const COMPARISONS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;
const UNARY = new Set(['isnull', 'isnotnull']);
const LISTS = new Set(['in', 'nin']);
const ORDERING = new Set(['lt', 'lte', 'gt', 'gte']);

/** The document's alternative spellings (and the symbols its own example uses) → one name each. */
const OPERATOR_ALIASES: Record<string, string> = {
  neq: 'ne',
  notin: 'nin',
  notnull: 'isnotnull',
  le: 'lte',
  ge: 'gte',
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<>': 'ne',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};

/** Special values the API understands on date fields (`now`, `sow`, `today-30d` …). */
const SPECIAL_DATE = /^(now|sow|eow|som|eom|today([+-]\d+d)?)$/i;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const CUSTOM_SLUG = /^[A-Za-z0-9_-]+$/;

export interface KanbertFilterRow {
  field: string;
  operator: string;
  value?: unknown;
  /** For `companies count`: how to compare the number of companies. */
  comparison?: string;
  /** For `companies any | none | all`: the conditions on the companies (a group, a list, or either as JSON text). */
  where?: unknown;
}

export interface KanbertFilterGroup {
  match?: 'all' | 'any';
  conditions: Array<KanbertFilterRow | KanbertFilterGroup>;
}

/** A filter: a group, or a plain list of conditions that must all hold. */
export type KanbertFilter = KanbertFilterGroup | KanbertFilterGroup['conditions'];

export class KanbertFilterError extends Error {
  constructor(
    message: string,
    /** Where in the builder's rows the problem is (e.g. `conditions.1.value`), so a form can point at it. */
    readonly path: (string | number)[] = [],
  ) {
    super(message);
    this.name = 'KanbertFilterError';
  }
}

/** A value as the DSL writes it: quoted text, or a bare word/number the API interprets (`now`, `me.id`, 10). */
type Val = { value: string | number | boolean; bare: boolean };
type FilterNode =
  | { kind: 'group'; op: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'cond'; field: string; operator: string; value?: Val | Val[] }
  | { kind: 'relation'; field: 'companies'; quantifier: 'any' | 'none' | 'all'; where: FilterNode }
  | { kind: 'count'; field: 'companies'; comparison: string; value: number };

/** A row's place: its label in messages ("Condition 2.1") and its path in the params. */
type Loc = { label: string; path: (string | number)[] };
const fail = (loc: Loc, message: string, key?: string): never => {
  throw new KanbertFilterError(`${loc.label}: ${message}`, key === undefined ? loc.path : [...loc.path, key]);
};

const filterSize = (f: KanbertFilter) => (Array.isArray(f) ? f.length : Array.isArray(f.conditions) ? f.conditions.length : 0);

const isFilterGroup = (c: unknown): c is KanbertFilterGroup =>
  !!c && typeof c === 'object' && Array.isArray((c as KanbertFilterGroup).conditions);

function normalizeOperator(raw: unknown, loc: Loc, key: string): string {
  const op = String(asText(raw) ?? '')
    .trim()
    .toLowerCase();
  if (!op) fail(loc, 'choose an operator.', key);
  return OPERATOR_ALIASES[op] ?? op;
}

function kindOf(field: string, context: 'contact' | 'company'): KanbertFieldKind | undefined {
  if (context === 'company') return KANBERT_COMPANY_FIELDS[field];
  if (field.startsWith('custom_fields.')) return 'custom';
  return KANBERT_FILTER_FIELDS[field];
}

const fieldList = (context: 'contact' | 'company') =>
  context === 'company'
    ? Object.keys(KANBERT_COMPANY_FIELDS).join(', ')
    : `${Object.keys(KANBERT_FILTER_FIELDS).join(', ')}, companies, companies.<field>, custom_fields.<slug>`;

function scalar(kind: KanbertFieldKind, operator: string, raw: unknown, loc: Loc, field: string): Val {
  const value = absentIfBlank(typeof raw === 'string' ? raw.trim() : raw);
  if (value === undefined) return fail(loc, `${field} ${operator} needs a value.`, 'value');
  if (typeof value === 'object') return fail(loc, `the value of ${field} must be text, a number or a date.`, 'value');
  if (kind === 'custom') {
    if (typeof value === 'number' || typeof value === 'boolean') return { value, bare: true };
    const s = String(value);
    if (SPECIAL_DATE.test(s)) return { value: s.toLowerCase(), bare: true };
    if (ORDERING.has(operator) && NUMBER.test(s)) return { value: Number(s), bare: true };
    return { value: s, bare: false };
  }
  const s = String(value);
  if (kind === 'archived') {
    const word = s.toLowerCase();
    if (!['with', 'only', 'without'].includes(word)) fail(loc, `archived must be "with", "only" or "without" (got "${s}").`, 'value');
    return { value: word, bare: false };
  }
  if (kind === 'date') {
    if (SPECIAL_DATE.test(s)) return { value: s.toLowerCase(), bare: true };
    if (!DATE_LIKE.test(s) || Number.isNaN(Date.parse(s))) {
      fail(loc, `${field} needs a date such as 2026-06-30 (or now, today, today-30d, sow, eow, som, eom), not "${s}".`, 'value');
    }
    return { value: s, bare: false };
  }
  if (kind === 'id' && s === 'me.id') return { value: s, bare: true };
  return { value: s, bare: false };
}

function normalizeRow(row: KanbertFilterRow, loc: Loc, context: 'contact' | 'company', depth: number): FilterNode {
  if (!row || typeof row !== 'object') return fail(loc, 'a condition needs a field, an operator and a value.');
  let field = String(asText(row.field) ?? '').trim();
  if (!field) fail(loc, 'choose a field.', 'field');
  if (!field.startsWith('custom_fields.')) field = field.toLowerCase();
  if (context === 'company' && field.startsWith('companies.')) field = field.slice('companies.'.length);
  const operator = normalizeOperator(row.operator, loc, 'operator');

  if (context === 'contact' && field === 'companies') {
    if (!(RELATION_OPS as readonly string[]).includes(operator)) {
      fail(loc, `on companies use any, none, all or count (got "${operator}").`, 'operator');
    }
    if (operator === 'count') {
      const comparison = normalizeOperator(row.comparison ?? 'gte', loc, 'comparison');
      if (!(COMPARISONS as readonly string[]).includes(comparison)) {
        fail(loc, `compare the number of companies with ${COMPARISONS.join(', ')} (got "${comparison}").`, 'comparison');
      }
      const n = Number(asText(absentIfBlank(row.value)));
      if (!Number.isInteger(n) || n < 0) fail(loc, 'companies count needs a whole number.', 'value');
      return { kind: 'count', field: 'companies', comparison, value: n };
    }
    const sub = asObject(row.where);
    const group: KanbertFilter | undefined = Array.isArray(sub) || isFilterGroup(sub) ? sub : undefined;
    if (!group || filterSize(group) === 0) {
      return fail(loc, `companies ${operator} needs conditions on the companies (e.g. company_name contains "Acme").`, 'where');
    }
    return {
      kind: 'relation',
      field: 'companies',
      quantifier: operator as 'any' | 'none' | 'all',
      where: normalizeGroup(group, { label: `${loc.label} (companies)`, path: [...loc.path, 'where'] }, 'company', depth + 1),
    };
  }
  if (context === 'contact' && field.startsWith('companies.')) {
    // "companies.company_name contains Acme" is short for "companies any (company_name contains Acme)".
    const inner = normalizeRow({ ...row, field: field.slice('companies.'.length) }, loc, 'company', depth + 1);
    return { kind: 'relation', field: 'companies', quantifier: 'any', where: inner };
  }

  if (field.startsWith('custom_fields.') && !CUSTOM_SLUG.test(field.slice('custom_fields.'.length))) {
    fail(loc, `"${field}" is not a custom field name (custom_fields.<slug>, letters, digits, _ and -).`, 'field');
  }
  const kind = kindOf(field, context);
  if (!kind) {
    const what = context === 'company' ? 'companies' : 'contacts';
    return fail(loc, `Kanbert cannot filter ${what} by "${field}"; the fields are: ${fieldList(context)}.`, 'field');
  }
  const allowed = OPS_BY_KIND[kind];
  if (!allowed.includes(operator)) fail(loc, `Kanbert cannot use "${operator}" on ${field}; use one of ${allowed.join(', ')}.`, 'operator');
  if (UNARY.has(operator)) return { kind: 'cond', field, operator };
  if (LISTS.has(operator)) {
    const items = asList(absentIfBlank(row.value));
    if (!Array.isArray(items) || items.length === 0)
      return fail(loc, `${field} ${operator} needs a list of values (e.g. a, b, c).`, 'value');
    return { kind: 'cond', field, operator, value: items.map((item) => scalar(kind, operator, item, loc, field)) };
  }
  return { kind: 'cond', field, operator, value: scalar(kind, operator, row.value, loc, field) };
}

const MAX_DEPTH = 6;

function normalizeGroup(group: KanbertFilter, loc: Loc, context: 'contact' | 'company', depth: number): FilterNode {
  if (depth > MAX_DEPTH) fail(loc, `groups are nested too deeply (at most ${MAX_DEPTH}).`);
  // A plain list is a group matching all; its rows sit right under it.
  const list = Array.isArray(group) ? group : group.conditions;
  const base = Array.isArray(group) ? loc.path : [...loc.path, 'conditions'];
  const match = Array.isArray(group) ? 'all' : (group.match ?? 'all');
  if (match !== 'all' && match !== 'any') fail(loc, 'a group matches "all" or "any".', 'match');
  if (!Array.isArray(list) || list.length === 0) fail(loc, 'add at least one condition to the group.', 'conditions');
  const items = list.map((c, i) => {
    const at: Loc = { label: loc.label ? `${loc.label}.${i + 1}` : `Condition ${i + 1}`, path: [...base, i] };
    return isFilterGroup(c) ? normalizeGroup(c, at, context, depth + 1) : normalizeRow(c, at, context, depth);
  });
  return { kind: 'group', op: match === 'any' ? 'or' : 'and', items };
}

function dslValue(v: Val): string {
  if (v.bare) return String(v.value);
  return `"${String(v.value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function toDsl(node: FilterNode, top: boolean): string {
  switch (node.kind) {
    case 'group': {
      if (node.items.length === 1) return toDsl(node.items[0] as FilterNode, top);
      const text = node.items.map((n) => toDsl(n, false)).join(` ${node.op} `);
      return top ? text : `(${text})`;
    }
    case 'cond':
      if (node.value === undefined) return `${node.field} ${node.operator}`;
      if (Array.isArray(node.value)) return `${node.field} ${node.operator} (${node.value.map(dslValue).join(', ')})`;
      return `${node.field} ${node.operator} ${dslValue(node.value)}`;
    case 'relation':
      return `companies ${node.quantifier} (${toDsl(node.where, true)})`;
    case 'count':
      return `companies count ${node.comparison} ${node.value}`;
  }
}

function toJson(node: FilterNode): unknown {
  switch (node.kind) {
    case 'group':
      return { [node.op]: node.items.map(toJson) };
    case 'cond':
      if (node.value === undefined) return { field: node.field, operator: node.operator };
      return {
        field: node.field,
        operator: node.operator,
        value: Array.isArray(node.value) ? node.value.map((v) => v.value) : node.value.value,
      };
    case 'relation':
      return { field: 'companies', operator: node.quantifier, where: toJson(node.where) };
    case 'count':
      return { field: 'companies', operator: 'count', comparison: node.comparison, value: node.value };
  }
}

export type KanbertFilterFormat = 'dsl' | 'json';

/**
 * Turns the filter builder's rows and groups into what Kanbert's `filter` parameter takes: the
 * readable DSL (`first_name eq "Anna" and (created_at gte "2026-01-01" or client.name contains
 * "Corp")`) or the JSON tree (`{"and": [{"field", "operator", "value"}, {"or": […]}]}`). Only the
 * fields and operators of the document's table pass; anything else is a plain error naming the
 * condition. An empty builder means no filter (undefined).
 */
export function buildKanbertFilter(group: KanbertFilter | undefined, format: KanbertFilterFormat = 'dsl'): string | undefined {
  if (!group || filterSize(group) === 0) return undefined;
  const node = normalizeGroup(group, { label: '', path: [] }, 'contact', 0);
  return format === 'json' ? JSON.stringify(toJson(node)) : toDsl(node, true);
}

export const KANBERT_SORT_FIELDS = ['first_name', 'last_name', 'created_at', 'custom_fields.<alias>'] as const;

export interface KanbertSortRow {
  field: string;
  direction?: 'asc' | 'desc';
}

/** Sort rows → Kanbert's `sort` text (`-created_at,last_name`); only the document's sorts pass. */
export function buildKanbertSort(rows: readonly KanbertSortRow[] | undefined): string | undefined {
  if (!rows || rows.length === 0) return undefined;
  return rows
    .map((row, i) => {
      const field = row.field.startsWith('custom_fields.') ? row.field.trim() : row.field.trim().toLowerCase();
      const ok =
        ['first_name', 'last_name', 'created_at'].includes(field) ||
        (field.startsWith('custom_fields.') && CUSTOM_SLUG.test(field.slice('custom_fields.'.length)));
      if (!ok) {
        throw new KanbertFilterError(
          `Sort ${i + 1}: Kanbert cannot sort contacts by "${row.field}"; sort by first_name, last_name, created_at or custom_fields.<alias>.`,
          [i, 'field'],
        );
      }
      return `${row.direction === 'desc' ? '-' : ''}${field}`;
    })
    .join(',');
}

// ---------------------------------------------------------------------------------------------
// The API profile
// ---------------------------------------------------------------------------------------------

const READ = 'contact-data:read';
const WRITE = 'contact-data:write';

export const kanbertApi = defineApi({
  app: 'kanbert',
  name: 'Kanbert',
  defaultBaseUrl: 'https://api.kanbert.com/api/v1',
  envelope: 'plain',
  defaultAuth: 'bearer',
  // Personal tokens and OAuth2 access tokens both go as a Bearer token.
  authHeaders: (_connection, secret) => ({ Authorization: `Bearer ${secret}` }),
  // Kanbert documents no rate limit; 5 a second (bursts of 10) is gentle.
  rateLimit: { requestsPerSecond: 5, burst: 10 },
  scopeIn: (message) => message.match(/contact-data:(read|write)/i)?.[0]?.toLowerCase(),
  keyHelp:
    'Kanbert tokens (API tokens or OAuth2 access tokens) need the contact-data:read scope to read contacts and contact-data:write to change them.',
  async test(client) {
    const response = await client.get<ContactList>('/contacts', { 'page[size]': 1 }, { scope: READ, what: 'list contacts' });
    const first = response.data?.data?.[0];
    if (!first) return 'contacts can be read (there are none yet).';
    const name = [first.first_name, first.last_name].filter(Boolean).join(' ') || first.email || first.id;
    return `contacts can be read (e.g. ${name}).`;
  },
  async options(_client, kind) {
    if (kind === 'kanbertFilterField') {
      return [
        ...Object.entries(KANBERT_FILTER_FIELDS).map(([field, k]): Option => ({ value: field, label: field, description: k })),
        { value: 'companies', label: 'companies', description: 'relation: any, none, all, count' },
        ...Object.keys(KANBERT_COMPANY_FIELDS).map((f): Option => ({ value: `companies.${f}`, label: `companies.${f}` })),
      ];
    }
    if (kind === 'kanbertSortField') return ['first_name', 'last_name', 'created_at'].map((f) => ({ value: f, label: f }));
    if (kind === 'kanbertEvent') return KANBERT_EVENTS.map((e) => ({ value: e, label: e }));
    return [];
  },
});

// ---------------------------------------------------------------------------------------------
// Output shapes (the API's own field names)
// ---------------------------------------------------------------------------------------------

const nullableText = (title: string, description?: string) =>
  z
    .string()
    .nullable()
    .meta(description ? { title, description } : { title });

const Space = z.looseObject({ id: z.string().meta({ title: 'Space ID' }), name: z.string().meta({ title: 'Space name' }) });

const User = z.looseObject({
  id: z.string().meta({ title: 'User ID' }),
  first_name: z.string().meta({ title: 'First name' }),
  last_name: z.string().meta({ title: 'Last name' }),
  email: z.string().meta({ title: 'Email' }),
  type: z.string().meta({ title: 'Type', description: 'user, guest, tax_advisor or integration.' }),
  space: Space.optional().meta({ title: 'Space' }),
});

const Company = z.looseObject({
  id: z.string().meta({ title: 'Company ID' }),
  company_name: z.string().nullable().optional().meta({ title: 'Company name' }),
  external_id: z.string().nullable().optional().meta({ title: 'External ID' }),
  email: z.string().nullable().optional().meta({ title: 'Email' }),
});

const Contact = z.looseObject({
  id: z.string().meta({ title: 'Contact ID' }),
  external_id: nullableText('External ID', 'The ID another system gave this contact (unique per origin).'),
  external_origin: nullableText('External origin', 'The system the external ID comes from.'),
  gender: nullableText('Gender', 'f, m or x.'),
  first_name: nullableText('First name'),
  last_name: nullableText('Last name'),
  title: nullableText('Title', 'e.g. Dr.'),
  title_suffix: nullableText('Title suffix'),
  position: nullableText('Position'),
  locale: nullableText('Locale'),
  birthday: nullableText('Birthday'),
  fax: nullableText('Fax'),
  telephone: nullableText('Telephone'),
  telephone_private: nullableText('Private telephone'),
  mobile: nullableText('Mobile'),
  mobile_private: nullableText('Private mobile'),
  email: nullableText('Email'),
  email_private: nullableText('Private email'),
  address_street: nullableText('Street'),
  address_house: nullableText('House number'),
  address_street2: nullableText('Street (line 2)'),
  address_zip: nullableText('ZIP code'),
  address_state: nullableText('State'),
  address_town: nullableText('Town'),
  address_country: z
    .looseObject({
      id: z.string().meta({ title: 'Country ID' }),
      name: z.string().meta({ title: 'Country' }),
      code: z.string().meta({ title: 'Country code', description: 'ISO 3166-1 alpha-2, e.g. DE.' }),
    })
    .nullable()
    .meta({ title: 'Country' }),
  owner: User.nullable().meta({ title: 'Owner' }),
  client: z
    .looseObject({ id: z.string().meta({ title: 'Client ID' }), name: z.string().meta({ title: 'Client name' }) })
    .nullable()
    .meta({ title: 'Client' }),
  companies: z.array(Company).optional().meta({ title: 'Companies', description: 'Only when "Include companies" is on.' }),
  custom_fields: z.record(z.string(), z.unknown()).meta({ title: 'Custom fields', description: 'By field name.' }),
  created_at: Timestamp('Created at'),
  updated_at: z.string().nullable().meta({ title: 'Updated at' }),
  deleted_at: z.string().nullable().meta({ title: 'Deleted at', description: 'Set when the contact is deleted (it can be restored).' }),
});
type Contact = z.infer<typeof Contact>;

interface ContactList {
  data: Contact[];
  links?: unknown;
  meta?: { next_cursor?: string | null; per_page?: number };
}

const Message = z.object({ message: z.string().meta({ title: 'Message', description: "Kanbert's confirmation." }) });

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

const AT = '2026-06-17T14:20:00Z';
const SAMPLE_OWNER = {
  id: 'u-5d1c2b7a',
  first_name: 'Jonas',
  last_name: 'Keller',
  email: 'jonas.keller@example.com',
  type: 'user',
  space: { id: 'sp-01', name: 'Keller & Partner' },
};
const SAMPLE_CONTACT: Contact = {
  id: '9b2f6c1e-4a7d-4e3b-9c51-2f8a7d6e1b30',
  external_id: 'crm-1042',
  external_origin: 'pipewright',
  gender: 'f',
  first_name: 'Anna',
  last_name: 'Berger',
  title: 'Dr.',
  title_suffix: null,
  position: 'Head of Finance',
  locale: 'de',
  birthday: '1984-05-12',
  fax: null,
  telephone: '+49 30 1234567',
  telephone_private: null,
  mobile: '+49 170 1234567',
  mobile_private: null,
  email: 'anna.berger@example.com',
  email_private: null,
  address_street: 'Hauptstraße',
  address_house: '12',
  address_street2: null,
  address_zip: '10115',
  address_state: 'Berlin',
  address_town: 'Berlin',
  address_country: { id: 'c-de', name: 'Germany', code: 'DE' },
  owner: SAMPLE_OWNER,
  client: null,
  custom_fields: { newsletter: true },
  created_at: '2026-03-14T18:30:00Z',
  updated_at: AT,
  deleted_at: null,
};

// ---------------------------------------------------------------------------------------------
// Shared pieces of the actions
// ---------------------------------------------------------------------------------------------

/** Kanbert's default page is 30; 100 a page reads long lists in fewer calls (the cursor decides the end). */
const CURSOR = {
  style: 'cursor',
  pageSize: 100,
  nextCursor: (r: ApiResponse) => (r.data as ContactList | null)?.meta?.next_cursor,
} as const;
const itemsOf = (r: ApiResponse) => ((r.data as ContactList | null)?.data ?? []) as Contact[];

const simulatedIds = new Set<string>();
function simulatedId(): string {
  const id = randomUUID();
  simulatedIds.add(id);
  if (simulatedIds.size > 1000) simulatedIds.delete(simulatedIds.values().next().value as string);
  return id;
}

type Ctx<I> = RunContext<I>;
const kanbert = <I>(ctx: Ctx<I>) => clientFor(kanbertApi, ctx);

/** A contact from an answer: plain, as documented, or wrapped in `data` as some API versions do. */
function contactOf(body: unknown): Contact {
  const o = body as Record<string, unknown> | null;
  if (o && typeof o === 'object' && !('id' in o) && o.data && typeof o.data === 'object' && !Array.isArray(o.data)) {
    return o.data as Contact;
  }
  return o as Contact;
}

async function send<T>(client: ApiClient, request: ApiRequest): Promise<T> {
  return (await client.request<T>(request)).data;
}

const contactRef = text({
  title: 'Contact',
  description: 'The Kanbert contact: its ID, or its external ID when "Find by" is external ID. Usually picked from an earlier step.',
});
const findBy = z
  .preprocess(
    (v) =>
      typeof v === 'string'
        ? absentIfBlank(
            v
              .trim()
              .toLowerCase()
              .replace(/[\s-]+/g, '_'),
          )
        : absentIfBlank(v),
    z.enum(['id', 'external_id'], { error: 'Find by: choose "id" or "external_id".' }).default('id'),
  )
  .meta({
    title: 'Find by',
    description: '"id" (Kanbert\'s own contact ID, the default) or "external_id" (the ID your other system gave the contact).',
    options: ['id', 'external_id'],
  });
const origin = optionalText({
  title: 'External origin',
  description: "Only with Find by external_id: the system the external ID belongs to. Kanbert uses your integration's slug when empty.",
});
const includeCompanies = optionalFlag({
  title: 'Include companies',
  description: 'Yes to add the companies each contact belongs to (the "companies" list).',
});

const Locate = { contact: contactRef, find_by: findBy, origin };
type Locate = { contact: string; find_by: 'id' | 'external_id'; origin?: string };

const contactPath = (input: Locate, suffix = '') => `/contacts/${segment(input.contact)}${suffix}`;
/** `find_by`/`origin` only when finding by external ID (id is Kanbert's default). */
const locateQuery = (input: Locate) =>
  input.find_by === 'external_id' ? { find_by: 'external_id', ...(input.origin ? { origin: input.origin } : {}) } : {};

const readContact = (input: Locate, include?: boolean): ApiRequest => ({
  method: 'GET',
  path: contactPath(input),
  query: { ...locateQuery(input), ...(include ? { include: 'companies' } : {}) },
  scope: READ,
  what: 'read the contact',
});

/** Reads a contact for a dry run's simulated output; one created by an earlier simulated step does not exist yet. */
async function currentForPlan(client: ApiClient, input: Locate): Promise<Contact | undefined> {
  try {
    return contactOf(await send(client, readContact(input)));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && simulatedIds.has(input.contact)) return undefined;
    throw err;
  }
}

function placeholderContact(input: Locate, now: Date): Contact {
  return {
    ...Object.fromEntries(Object.keys(SAMPLE_CONTACT).map((k) => [k, null])),
    id: input.find_by === 'id' ? input.contact : '',
    external_id: input.find_by === 'external_id' ? input.contact : null,
    custom_fields: {},
    created_at: now.toISOString(),
  } as Contact;
}

const READS = `Needs a token with the ${READ} scope.`;
const WRITES = `Needs a token with the ${WRITE} scope.`;
const FIND_BY_HELP = 'Find the contact by its Kanbert ID or by its external ID.';

// ---------------------------------------------------------------------------------------------
// List contacts (filter builder, sort, include, cursor pagination)
// ---------------------------------------------------------------------------------------------

const FilterRowSchema = z.object({
  field: z.string().meta({
    title: 'Field',
    description: 'A contact field from Kanbert\'s list (e.g. email, created_at, client.name), "companies", or custom_fields.<slug>.',
    widget: 'kanbertFilterField',
  }),
  operator: z.string().meta({
    title: 'Operator',
    description:
      'eq, ne, contains, like, startswith, endswith, lt, lte, gt, gte, in, nin, isnull, isnotnull (for companies: any, none, all, count).',
  }),
  value: z.unknown().optional().meta({
    title: 'Value',
    description:
      'What to compare with; a list for in/nin (a, b, c); none for isnull/isnotnull. Dates take 2026-06-30, now, today, today-30d …',
  }),
  comparison: z.string().optional().meta({
    title: 'Comparison',
    description: 'Only for companies count: eq, ne, lt, lte, gt or gte (default gte).',
  }),
  where: z.unknown().optional().meta({
    title: 'Company conditions',
    description: 'Only for companies any/none/all: a group of conditions on company fields (company_name, email …).',
  }),
});

const FilterGroupSchema: z.ZodType<KanbertFilterGroup> = z.lazy(() =>
  z.object({
    match: z.enum(['all', 'any']).default('all').meta({ title: 'Match', description: '"all" conditions (and) or "any" of them (or).' }),
    conditions: z
      .array(z.union([FilterGroupSchema, FilterRowSchema]))
      .meta({ title: 'Conditions', description: 'Rows of field, operator and value, and nested groups.' }),
  }),
) as z.ZodType<KanbertFilterGroup>;

const filterField = z
  .preprocess(
    (v) => asObject(absentIfBlank(v)),
    z.union([FilterGroupSchema, z.array(z.union([FilterGroupSchema, FilterRowSchema]))]).optional(),
  )
  .superRefine((group, ctx) => {
    try {
      buildKanbertFilter(group);
    } catch (err) {
      if (!(err instanceof KanbertFilterError)) throw err;
      // The path lets a check before the run skip rows whose values are templates (known only then).
      ctx.addIssue({ code: 'custom', message: err.message, path: err.path });
    }
  })
  .meta({
    title: 'Filter',
    description:
      'Which contacts to list: rows of field, operator and value in "all" or "any" groups, limited to the fields Kanbert allows (its own examples filter by "title", which its field list does not allow, so Pipewright does not offer it). Leave empty for every contact.',
    widget: 'filterBuilder',
  });

const SortRowSchema = z.object({
  field: z.string().meta({
    title: 'Sort by',
    description: 'first_name, last_name, created_at or custom_fields.<alias>.',
    widget: 'kanbertSortField',
  }),
  direction: z
    .preprocess((v) => (typeof v === 'string' ? absentIfBlank(v.trim().toLowerCase()) : v), z.enum(['asc', 'desc']).default('asc'))
    .meta({ title: 'Direction', description: '"asc" (A→Z, oldest first) or "desc" (Z→A, newest first).' }),
});

/** "-created_at, last_name" → rows. */
function sortRows(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('-') ? { field: s.slice(1).trim(), direction: 'desc' } : { field: s, direction: 'asc' }));
}

const sortField = z
  .preprocess((v) => sortRows(asObject(absentIfBlank(v))), z.array(SortRowSchema).optional())
  .superRefine((rows, ctx) => {
    try {
      buildKanbertSort(rows);
    } catch (err) {
      if (!(err instanceof KanbertFilterError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, path: err.path });
    }
  })
  .meta({
    title: 'Sort',
    description:
      'The order: first_name, last_name, created_at or custom_fields.<alias>, each ascending or descending (text such as "-created_at, last_name" works too). Empty: Kanbert\'s order.',
    widget: 'sortRows',
  });

const ListContactsInput = z
  .object({
    filter: filterField,
    filter_format: optionalChoice(['dsl', 'json'], {
      title: 'Send the filter as',
      description:
        'Kanbert takes a filter as readable text ("dsl", the default) or as JSON ("json"). Choose json only if your Kanbert account asks for it.',
      options: ['dsl', 'json'],
    }),
    filter_expression: optionalText({
      title: 'Filter expression (advanced)',
      description:
        'A filter written in Kanbert\'s own syntax, sent as it is, e.g. email endswith "@example.com" and created_at gte today-30d. Use this or the filter rows, not both.',
      widget: 'advanced',
    }),
    sort: sortField,
    include_companies: includeCompanies,
    limit: limitField({
      title: 'At most',
      description: 'The largest number of contacts to return (1 to 10000); Pipewright reads page after page until then.',
      fallback: 100,
      max: 10_000,
    }),
  })
  .refine((i) => !(i.filter_expression && i.filter && filterSize(i.filter) > 0), {
    error: 'Use either the filter rows or a filter expression, not both.',
    path: ['filter_expression'],
  });

const listContacts = defineAction({
  key: 'listContacts',
  version: 1,
  label: 'Find contacts in Kanbert',
  description: `Lists Kanbert contacts that match a filter (built from rows, or Kanbert's own filter text), sorted, optionally with their companies, reading every page up to "At most". Deleted contacts are left out unless the filter says archived eq with/only. ${READS}`,
  effect: 'read',
  input: ListContactsInput,
  output: z.object({
    contacts: z.array(Contact).meta({ title: 'Contacts' }),
    count: z.number().meta({ title: 'Number returned' }),
    truncated: z.boolean().meta({ title: 'Cut short', description: 'More matched than "At most" allowed.' }),
    first: Contact.nullable().meta({ title: 'First one', description: 'The first contact, or empty when none matched.' }),
    filter: z.string().nullable().meta({ title: 'Filter sent', description: 'The filter as Kanbert received it.' }),
  }),
  sample: {
    contacts: [SAMPLE_CONTACT],
    count: 1,
    truncated: false,
    first: SAMPLE_CONTACT,
    filter: 'last_name eq "Berger"',
  },
  async run(ctx) {
    const { input } = ctx;
    const filter = input.filter_expression ?? buildKanbertFilter(input.filter, input.filter_format ?? 'dsl');
    const found = await collect<Contact>(
      kanbert(ctx),
      {
        method: 'GET',
        path: '/contacts',
        query: { filter, sort: buildKanbertSort(input.sort), include: input.include_companies ? 'companies' : undefined },
        scope: READ,
        what: 'list contacts',
      },
      CURSOR,
      { maxItems: input.limit, items: itemsOf },
    );
    return {
      contacts: found.items,
      count: found.items.length,
      truncated: found.truncated,
      first: found.items[0] ?? null,
      filter: filter ?? null,
    };
  },
});

const getContact = defineAction({
  key: 'getContact',
  version: 1,
  label: 'Get Kanbert contact',
  description: `Reads one Kanbert contact with all its fields. ${FIND_BY_HELP} ${READS}`,
  effect: 'read',
  input: z.object({ ...Locate, include_companies: includeCompanies }),
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => contactOf(await send(kanbert(ctx), readContact(ctx.input, ctx.input.include_companies))),
});

// ---------------------------------------------------------------------------------------------
// Create and update
// ---------------------------------------------------------------------------------------------

const MAX = 255;
const field = (title: string, description: string) =>
  optionalText({ title, description }).refine((v) => v === undefined || v.length <= MAX, { error: `${title}: at most ${MAX} characters.` });
const emailField = (title: string, description: string) =>
  field(title, description).refine((v) => v === undefined || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
    error: (issue) => `${title} "${String(issue.input)}" is not an email address.`,
  });

const ContactFields = {
  gender: optionalChoice(['f', 'm', 'x'], { title: 'Gender', description: 'f, m or x.', options: ['f', 'm', 'x'] }),
  first_name: field('First name', 'The first name.'),
  last_name: field('Last name', 'The last name.'),
  birthday: optionalDate({ title: 'Birthday', description: 'The date of birth, e.g. 1984-05-12.' }),
  title: field('Title', 'An academic or honorary title, e.g. Dr.'),
  title_suffix: field('Title suffix', 'A title after the name, e.g. MBA.'),
  position: field('Position', 'The job title, e.g. Head of Finance.'),
  locale: field('Locale', 'The language and region, e.g. de or en_US.'),
  fax: field('Fax', 'The fax number.'),
  telephone: field('Telephone', 'The business telephone number.'),
  telephone_private: field('Private telephone', 'The private telephone number.'),
  mobile: field('Mobile', 'The business mobile number.'),
  mobile_private: field('Private mobile', 'The private mobile number.'),
  email: emailField('Email', 'The business email address.'),
  email_private: emailField('Private email', 'The private email address.'),
  address_street: field('Street', 'The street name.'),
  address_street2: field('Street (line 2)', 'More of the address, e.g. a building or floor.'),
  address_house: field('House number', 'The house number.'),
  address_zip: field('ZIP code', 'The postal code.'),
  address_state: field('State', 'The state or region.'),
  address_town: field('Town', 'The town or city.'),
  address_country: optionalText({
    title: 'Country',
    description:
      "A country code (DE, DEU, 276) or name; Kanbert finds or creates it, or uses the space's default country when it is not valid.",
  }),
  address_country_id: optionalText({
    title: 'Country ID',
    description: 'A country already in Kanbert, by its ID (wins over "Country").',
    widget: 'advanced',
  }),
  client_id: optionalText({ title: 'Client', description: 'The client this contact belongs to (client ID).' }),
  owner_id: optionalText({ title: 'Owner', description: 'The user responsible for this contact (user ID).' }),
};
type ContactFieldName = keyof typeof ContactFields;
const CONTACT_FIELD_NAMES = Object.keys(ContactFields) as ContactFieldName[];

const CreateContactInput = z
  .object({
    external_id: field(
      'External ID',
      'The ID your other system uses for this contact; it must be unique within the origin, so it also keeps a repeat from making a second contact.',
    ),
    external_origin: field('External origin', "The system the external ID belongs to; Kanbert uses your integration's slug when empty."),
    ...ContactFields,
    custom_fields: optionalFields({
      title: 'Custom fields',
      description: "Values of your Kanbert custom fields, by slug (Kanbert's document shows them as {slug: value}).",
    }),
  })
  .refine((i) => Object.values(i).some((v) => v !== undefined), { error: 'Fill in at least one field of the new contact.' });
type CreateContactInput = z.output<typeof CreateContactInput>;

function defined(input: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
}

const createRequest = (input: CreateContactInput): ApiRequest => ({
  method: 'POST',
  path: '/contacts',
  body: defined(input, ['external_id', 'external_origin', ...CONTACT_FIELD_NAMES, 'custom_fields']),
  scope: WRITE,
  what: 'create a contact',
});

const createContact = defineAction({
  key: 'createContact',
  version: 1,
  label: 'Create Kanbert contact',
  description: `Creates a contact in Kanbert. Kanbert then sends "contact:create". Give an external ID to link it to your other system. ${WRITES}`,
  effect: 'write',
  input: CreateContactInput,
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => contactOf(await send(kanbert(ctx), createRequest(ctx.input))),
  plan(ctx) {
    const request = createRequest(ctx.input);
    const at = ctx.now().toISOString();
    const {
      address_country,
      address_country_id: _countryId,
      client_id: _client,
      owner_id: _owner,
      ...rest
    } = request.body as Record<string, unknown>;
    return {
      request: kanbert(ctx).plan(request),
      output: {
        ...placeholderContact({ contact: '', find_by: 'id' }, ctx.now()),
        ...rest,
        id: simulatedId(),
        // Kanbert fills in the integration's slug when no origin is given; the simulation cannot know it.
        external_origin: (rest.external_origin as string | undefined) ?? null,
        address_country: address_country ? { id: '', name: String(address_country), code: '' } : null,
        custom_fields: (rest.custom_fields as Record<string, unknown> | undefined) ?? {},
        created_at: at,
        updated_at: at,
      } as Contact,
    };
  },
});

const CLEARABLE = CONTACT_FIELD_NAMES.filter((k) => k !== 'address_country');

const UpdateContactInput = z
  .object({
    ...Locate,
    ...ContactFields,
    clear: z
      .preprocess((v) => asList(absentIfBlank(v)), z.array(z.string()).optional())
      .refine((list) => !list || list.every((f) => (CLEARABLE as string[]).includes(f)), {
        error: (issue) => `Clear: only these fields can be emptied: ${CLEARABLE.join(', ')} (got ${JSON.stringify(issue.input)}).`,
      })
      .meta({
        title: 'Empty these fields',
        description: 'Fields to empty in Kanbert, e.g. fax, mobile_private (a field left blank above is kept as it is).',
        widget: 'multiSelect',
        options: CLEARABLE,
      }),
  })
  .refine((i) => CONTACT_FIELD_NAMES.some((k) => i[k] !== undefined) || (i.clear?.length ?? 0) > 0, {
    error: 'Nothing to change: fill in at least one field to update, or choose fields to empty.',
  })
  .refine((i) => !(i.clear ?? []).some((k) => i[k as ContactFieldName] !== undefined), {
    error: 'A field cannot be both set and emptied.',
    path: ['clear'],
  });
type UpdateContactInput = z.output<typeof UpdateContactInput>;

const updateRequest = (input: UpdateContactInput): ApiRequest => ({
  method: 'PATCH',
  path: contactPath(input),
  query: locateQuery(input),
  body: { ...defined(input, CONTACT_FIELD_NAMES), ...Object.fromEntries((input.clear ?? []).map((k) => [k, null])) },
  // Every field is set to a value, so the same PATCH twice changes nothing more.
  retrySafe: true,
  scope: WRITE,
  what: 'update the contact',
});

const updateContact = defineAction({
  key: 'updateContact',
  version: 1,
  label: 'Update Kanbert contact',
  description: `Changes a Kanbert contact's fields; anything left empty stays as it is. ${FIND_BY_HELP} Kanbert's update does not take custom fields or the external ID (use "Set Kanbert external ID" for that). ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: UpdateContactInput,
  output: Contact,
  sample: { ...SAMPLE_CONTACT, position: 'CFO' },
  run: async (ctx) => contactOf(await send(kanbert(ctx), updateRequest(ctx.input))),
  async plan(ctx) {
    const client = kanbert(ctx);
    const request = updateRequest(ctx.input);
    const before = (await currentForPlan(client, ctx.input)) ?? placeholderContact(ctx.input, ctx.now());
    const { address_country, ...rest } = request.body as Record<string, unknown>;
    return {
      request: client.plan(request),
      output: {
        ...before,
        ...rest,
        ...(address_country ? { address_country: { id: '', name: String(address_country), code: '' } } : {}),
        updated_at: ctx.now().toISOString(),
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Delete, restore, external identifier
// ---------------------------------------------------------------------------------------------

const Deleted = z.object({
  deleted: z.literal(true).meta({ title: 'Deleted' }),
  contact: z.string().meta({ title: 'Contact', description: 'The ID (or external ID) the contact was found by.' }),
  message: z.string().meta({ title: 'Message', description: "Kanbert's confirmation." }),
});

const deleteRequest = (input: Locate): ApiRequest => ({
  method: 'DELETE',
  path: contactPath(input),
  query: locateQuery(input),
  scope: WRITE,
  what: 'delete the contact',
});

const deleteContact = defineAction({
  key: 'deleteContact',
  version: 1,
  label: 'Delete Kanbert contact',
  description: `Deletes a Kanbert contact. Kanbert keeps it as deleted (see "Restore Kanbert contact") and sends "contact:delete". ${FIND_BY_HELP} ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object(Locate),
  output: Deleted,
  sample: { deleted: true, contact: SAMPLE_CONTACT.id, message: 'Contact deleted successfully' },
  async run(ctx) {
    const answer = await send<{ message?: string } | null>(kanbert(ctx), deleteRequest(ctx.input));
    return { deleted: true as const, contact: ctx.input.contact, message: answer?.message ?? 'Contact deleted successfully' };
  },
  plan: (ctx) => ({
    request: kanbert(ctx).plan(deleteRequest(ctx.input)),
    output: { deleted: true as const, contact: ctx.input.contact, message: 'Contact deleted successfully' },
  }),
});

const restoreRequest = (input: Locate): ApiRequest => ({
  method: 'POST',
  path: contactPath(input, '/restore'),
  query: locateQuery(input),
  // Restoring a restored contact leaves it as it is.
  retrySafe: true,
  scope: WRITE,
  what: 'restore the contact',
});

const restoreContact = defineAction({
  key: 'restoreContact',
  version: 1,
  label: 'Restore Kanbert contact',
  description: `Brings back a deleted Kanbert contact. ${FIND_BY_HELP} ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: z.object(Locate),
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => contactOf(await send(kanbert(ctx), restoreRequest(ctx.input))),
  // A deleted contact cannot be read, so the simulation shows only what is known.
  plan: (ctx) => ({
    request: kanbert(ctx).plan(restoreRequest(ctx.input)),
    output: { ...placeholderContact(ctx.input, ctx.now()), deleted_at: null, updated_at: ctx.now().toISOString() },
  }),
});

const SetExternalIdInput = z
  .object({
    ...Locate,
    external_id: field('New external ID', 'The ID your other system uses for this contact (unique within the origin).'),
    remove_external_id: optionalFlag({ title: 'Remove the external ID', description: 'Yes to remove the external ID instead.' }),
    external_origin: field('New external origin', "The system the ID belongs to; Kanbert uses your integration's slug when empty."),
  })
  .refine((i) => (i.external_id !== undefined) !== (i.remove_external_id === true), {
    error: 'Give the new external ID, or choose to remove it (one of the two).',
    path: ['external_id'],
  });
type SetExternalIdInput = z.output<typeof SetExternalIdInput>;

const externalIdRequest = (input: SetExternalIdInput): ApiRequest => ({
  method: 'PUT',
  path: contactPath(input, '/external-identifier'),
  query: locateQuery(input),
  body: {
    external_id: input.remove_external_id ? null : input.external_id,
    ...(input.external_origin !== undefined ? { external_origin: input.external_origin } : {}),
  },
  scope: WRITE,
  what: "set the contact's external ID",
});

const setExternalId = defineAction({
  key: 'setExternalId',
  version: 1,
  label: 'Set Kanbert external ID',
  description: `Sets (overwrites) or removes the external ID that links a Kanbert contact to your other system. ${FIND_BY_HELP} ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: SetExternalIdInput,
  output: Contact,
  sample: SAMPLE_CONTACT,
  run: async (ctx) => contactOf(await send(kanbert(ctx), externalIdRequest(ctx.input))),
  async plan(ctx) {
    const client = kanbert(ctx);
    const before = (await currentForPlan(client, ctx.input)) ?? placeholderContact(ctx.input, ctx.now());
    const request = externalIdRequest(ctx.input);
    const body = request.body as { external_id: string | null; external_origin?: string };
    return {
      request: client.plan(request),
      output: {
        ...before,
        external_id: body.external_id,
        external_origin: body.external_origin ?? before.external_origin,
        updated_at: ctx.now().toISOString(),
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Companies
// ---------------------------------------------------------------------------------------------

const companyId = text({ title: 'Company', description: 'The Kanbert company (its ID), usually picked from an earlier step.' });

const Linked = Message.extend({
  contact: z.string().meta({ title: 'Contact', description: 'The ID (or external ID) the contact was found by.' }),
  company_id: z.string().meta({ title: 'Company ID' }),
});

const AttachInput = z.object({
  ...Locate,
  company_id: companyId,
  position: field('Position in the company', 'The role the contact holds there, e.g. Managing Director.'),
});
type AttachInput = z.output<typeof AttachInput>;

const attachRequest = (input: AttachInput): ApiRequest => ({
  method: 'PUT',
  path: contactPath(input, '/company/attach'),
  query: locateQuery(input),
  body: { company_id: input.company_id, ...(input.position !== undefined ? { position: input.position } : {}) },
  scope: WRITE,
  what: 'attach the contact to the company',
});

const attachCompany = defineAction({
  key: 'attachCompany',
  version: 1,
  label: 'Attach Kanbert contact to company',
  description: `Links a Kanbert contact to a company, optionally with the position held there. ${FIND_BY_HELP} ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: AttachInput,
  output: Linked.extend({ position: z.string().nullable().meta({ title: 'Position' }) }),
  sample: {
    message: 'Contact successfully associated with company',
    contact: SAMPLE_CONTACT.id,
    company_id: 'co-7f3a9e',
    position: 'Head of Finance',
  },
  async run(ctx) {
    const answer = await send<{ message?: string } | null>(kanbert(ctx), attachRequest(ctx.input));
    return {
      message: answer?.message ?? 'Contact successfully associated with company',
      contact: ctx.input.contact,
      company_id: ctx.input.company_id,
      position: ctx.input.position ?? null,
    };
  },
  plan: (ctx) => ({
    request: kanbert(ctx).plan(attachRequest(ctx.input)),
    output: {
      message: 'Contact successfully associated with company',
      contact: ctx.input.contact,
      company_id: ctx.input.company_id,
      position: ctx.input.position ?? null,
    },
  }),
});

const DetachInput = z.object({ ...Locate, company_id: companyId });
type DetachInput = z.output<typeof DetachInput>;

const detachRequest = (input: DetachInput): ApiRequest => ({
  method: 'PUT',
  path: contactPath(input, '/company/detach'),
  query: locateQuery(input),
  body: { company_id: input.company_id },
  scope: WRITE,
  what: 'detach the contact from the company',
});

const detachCompany = defineAction({
  key: 'detachCompany',
  version: 1,
  label: 'Detach Kanbert contact from company',
  description: `Removes the link between a Kanbert contact and a company (both stay). ${FIND_BY_HELP} ${WRITES}`,
  effect: 'write',
  retrySafe: true,
  input: DetachInput,
  output: Linked,
  sample: { message: 'Contact successfully detached from company', contact: SAMPLE_CONTACT.id, company_id: 'co-7f3a9e' },
  async run(ctx) {
    const answer = await send<{ message?: string } | null>(kanbert(ctx), detachRequest(ctx.input));
    return {
      message: answer?.message ?? 'Contact successfully detached from company',
      contact: ctx.input.contact,
      company_id: ctx.input.company_id,
    };
  },
  plan: (ctx) => ({
    request: kanbert(ctx).plan(detachRequest(ctx.input)),
    output: { message: 'Contact successfully detached from company', contact: ctx.input.contact, company_id: ctx.input.company_id },
  }),
});

// ---------------------------------------------------------------------------------------------
// Triggers (webhook deliveries)
// ---------------------------------------------------------------------------------------------

const HOW =
  "Kanbert calls Pipewright's webhook address, which you enter in Kanbert (its API has no call to register a webhook). Kanbert sends a delivery up to twice more when it is not answered with 200 within 10 seconds, so Pipewright answers at once and drops repeats: deliveries with the same event, contact and content count once. Without a public address, Pipewright checks Kanbert's contact list for changes on a schedule instead (those events do not say who made the change).";

const Payload = (event: KanbertEvent) =>
  z.object({
    event: z.literal(event).meta({ title: 'Event' }),
    resource: z
      .looseObject({ type: z.string().meta({ title: 'Type' }), id: z.string().meta({ title: 'Contact ID' }) })
      .meta({ title: 'Resource' }),
    triggered_by: User.nullable().optional().meta({ title: 'Changed by', description: 'The user or integration that made the change.' }),
    data: Contact,
    timestamp: Timestamp('Received at'),
  });

const isEvent = (e: TriggerEvent, name: KanbertEvent) => e.event === name || e.event === kanbertInboxEvent(name);

const TriggerParams = z.object({
  skipIntegrations: optionalFlag({
    title: 'Skip changes made through integrations',
    description:
      "Yes to ignore changes made by an integration (API writes, including Pipewright's own), e.g. to keep a two-way sync from looping.",
  }),
  externalOrigin: optionalText({
    title: 'Only this external origin',
    description: 'Only contacts whose external origin is this, e.g. the slug of your other system. Leave empty for every contact.',
  }),
});

function contactTrigger(key: string, event: KanbertEvent, label: string, description: string, sample: Contact) {
  return defineTrigger({
    key,
    version: 1,
    label,
    description: `${description} ${HOW}`,
    source: 'webhook',
    events: [kanbertInboxEvent(event)],
    params: TriggerParams,
    output: Payload(event),
    sample: {
      event,
      resource: { type: 'contact', id: sample.id },
      triggered_by: SAMPLE_OWNER,
      data: sample,
      timestamp: AT,
    },
    matches: (params, e) => {
      if (!isEvent(e, event)) return false;
      const by = (e as unknown as { triggered_by?: { type?: unknown } | null }).triggered_by;
      if (params.skipIntegrations && by?.type === 'integration') return false;
      if (params.externalOrigin && e.data?.external_origin !== params.externalOrigin) return false;
      return true;
    },
  });
}

const triggers = [
  contactTrigger(
    'contactCreated',
    'contact:create',
    'Kanbert contact created',
    'Starts when a contact is created in Kanbert.',
    SAMPLE_CONTACT,
  ),
  contactTrigger('contactUpdated', 'contact:update', 'Kanbert contact updated', 'Starts when a Kanbert contact changes.', {
    ...SAMPLE_CONTACT,
    position: 'CFO',
  }),
  contactTrigger('contactDeleted', 'contact:delete', 'Kanbert contact deleted', 'Starts when a Kanbert contact is deleted.', {
    ...SAMPLE_CONTACT,
    deleted_at: AT,
  }),
];

// ---------------------------------------------------------------------------------------------
// How Kanbert's events reach Pipewright: deliveries to the pasted address, or polling the list
// ---------------------------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/** Checks a delivery's `{event, resource, triggered_by, data}` before it becomes an inbox event. */
function receiveDelivery(body: unknown, receivedAt: string): ReceivedEvent {
  if (!isObject(body)) throw new WebhookRejection(400, 'The body must be a JSON object: {event, resource, triggered_by, data}.');
  if (typeof body.event !== 'string' || !(KANBERT_EVENTS as readonly string[]).includes(body.event.trim())) {
    throw new WebhookRejection(400, `event: expected one of ${KANBERT_EVENTS.join(', ')}, got ${JSON.stringify(body.event)}.`);
  }
  if (body.resource !== undefined && !isObject(body.resource)) throw new WebhookRejection(400, 'resource: expected an object {type, id}.');
  if (!isObject(body.data) || typeof body.data.id !== 'string') {
    throw new WebhookRejection(400, 'data: expected the contact (an object with its id).');
  }
  const delivery = kanbertInboxDelivery(body, receivedAt);
  return { event: delivery.event, payload: delivery.payload as TriggerEvent, dedupeKey: delivery.dedupeKey as string };
}

/** `kanbert:contact.create` → `contact:create`. */
function remoteEvent(inboxEvent: string): string {
  const name = inboxEvent.startsWith('kanbert:') ? inboxEvent.slice('kanbert:'.length) : inboxEvent;
  return name.replace('.', ':');
}

/** Where the last poll stopped: contacts changed (by updated_at) and contacts deleted (by deleted_at). */
interface KanbertPollCursor {
  changed?: ChangeCursor;
  deleted?: ChangeCursor;
}

/** A poll reads at most this many contacts a list. */
const POLL_MAX_ITEMS = 50_000;

function polled(event: KanbertEvent, contact: Contact, at: string, suffix = ''): ReceivedEvent {
  return {
    event: kanbertInboxEvent(event),
    // Shaped like a delivery; a list does not say who made the change.
    payload: { event, resource: { type: 'contact', id: contact.id }, triggered_by: null, data: contact, timestamp: at } as TriggerEvent,
    dedupeKey: `poll:${contact.id}:${at}${suffix}`,
  };
}

/**
 * Finds contacts created, changed or deleted since the cursor. Changes: `filter=updated_at gte
 * "<newest seen>"` (the time is compared again here, so the boundary second is neither lost nor
 * doubled), sorted by created_at, page by page with the cursor. Deletions: Kanbert lists deleted
 * contacts with `archived eq only` (with their deleted_at) but cannot filter on deleted_at, so every
 * deleted contact is read and compared.
 */
async function pollKanbert(connection: ResolvedConnection, events: string[], cursor: unknown, signal: AbortSignal) {
  const wanted = new Set(events.map(remoteEvent));
  if (!KANBERT_EVENTS.some((e) => wanted.has(e))) throw new Error(`Kanbert has no contact event ${[...wanted].join(', ')} to check for.`);
  const client = clientForConnection(kanbertApi, connection, signal);
  const previous: KanbertPollCursor | undefined = isObject(cursor)
    ? { changed: asChangeCursor(cursor.changed), deleted: asChangeCursor(cursor.deleted) }
    : undefined;
  const next: KanbertPollCursor = {};
  const out: ReceivedEvent[] = [];
  const list = async (filter: string | undefined) =>
    (
      await collect<Contact>(
        client,
        { method: 'GET', path: '/contacts', query: { filter, sort: 'created_at' }, scope: READ, what: 'list contacts' },
        CURSOR,
        { items: itemsOf, maxItems: POLL_MAX_ITEMS },
      )
    ).items;

  if (wanted.has('contact:create') || wanted.has('contact:update')) {
    const since = previous?.changed?.since;
    const contacts = await list(since ? buildKanbertFilter([{ field: 'updated_at', operator: 'gte', value: since }]) : undefined);
    const changes = changesSince(contacts, previous?.changed, (c) => ({
      id: c.id,
      changedAt: c.updated_at ?? c.created_at,
      createdAt: c.created_at,
    }));
    if (wanted.has('contact:create')) out.push(...changes.created.map((c) => polled('contact:create', c, c.updated_at ?? c.created_at)));
    if (wanted.has('contact:update')) out.push(...changes.updated.map((c) => polled('contact:update', c, c.updated_at ?? c.created_at)));
    next.changed = changes.cursor;
  }
  if (wanted.has('contact:delete')) {
    const deleted = await list(buildKanbertFilter([{ field: 'archived', operator: 'eq', value: 'only' }]));
    const changes = changesSince(deleted, previous?.deleted, (c) => ({ id: c.id, changedAt: c.deleted_at, createdAt: null }));
    const gone = [...changes.created, ...changes.updated];
    out.push(...gone.map((c) => polled('contact:delete', c, c.deleted_at as string, ':deleted')));
    next.deleted = changes.cursor;
  }
  return { events: inChangeOrder(out), cursor: next };
}

// ----- echoes of our own writes (two-way sync) -----------------------------------------------

const CONTACT_WRITES = new Set(['createContact', 'updateContact', 'setExternalId']);
const ECHO_EVENTS = new Set(['contact:create', 'contact:update']);
const TEXT_FIELDS = [
  'external_id',
  'external_origin',
  'gender',
  'first_name',
  'last_name',
  'title',
  'title_suffix',
  'position',
  'locale',
  'address_street',
  'address_house',
  'address_street2',
  'address_zip',
  'address_state',
  'address_town',
] as const;
const PHONE_FIELDS = ['fax', 'telephone', 'telephone_private', 'mobile', 'mobile_private'] as const;
const EMAIL_FIELDS = ['email', 'email_private'] as const;

const textOf = (value: unknown) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') || null : null);
/** Phone numbers compare by their digits (and a leading +): "+49 30 123-45" is "+493012345". */
const phoneOf = (value: unknown) => (typeof value === 'string' ? value.trim().replace(/(?!^\+)\D/g, '') || null : null);
const emailOf = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() || null : null);
const idOf = (value: unknown) => (isObject(value) && typeof value.id === 'string' ? value.id : null);

/** A contact's synced fields, as both our output and Kanbert's event carry them (times and companies left out). */
function contactEcho(contact: Record<string, unknown>): EchoKey | undefined {
  if (typeof contact.id !== 'string') return undefined;
  const fields: Record<string, unknown> = {};
  for (const f of TEXT_FIELDS) fields[f] = textOf(contact[f]);
  for (const f of PHONE_FIELDS) fields[f] = phoneOf(contact[f]);
  for (const f of EMAIL_FIELDS) fields[f] = emailOf(contact[f]);
  fields.birthday = typeof contact.birthday === 'string' ? contact.birthday.slice(0, 10) : null;
  fields.address_country = isObject(contact.address_country) ? (contact.address_country.code ?? null) : null;
  fields.owner = idOf(contact.owner);
  fields.client = idOf(contact.client);
  fields.custom_fields = isObject(contact.custom_fields) ? contact.custom_fields : {};
  return { resourceId: `contact:${contact.id}`, fields };
}

const webhooks: ConnectorWebhooks = {
  receive: (body, _headers, receivedAt) => receiveDelivery(body, receivedAt),
  // Kanbert documents no signature and no call to register a webhook: the user pastes the address.
  remoteEvent,
  poll: pollKanbert,
  echoOfWrite: (actionKey, output) => (CONTACT_WRITES.has(actionKey) && isObject(output) ? contactEcho(output) : undefined),
  echoOfEvent: (event) => (ECHO_EVENTS.has(remoteEvent(event.event)) && isObject(event.data) ? contactEcho(event.data) : undefined),
};

export const kanbertConnector = defineConnector({
  id: 'kanbert',
  name: 'Kanbert',
  description:
    'Kanbert contacts over its API v1: find contacts with filters, create, update, delete and restore them, link them to companies and to your other systems, and start workflows on contact changes. Connect with an API token or OAuth2 access token that has the contact-data:read and contact-data:write scopes.',
  icon: 'contact',
  needsConnection: true,
  triggers,
  webhooks,
  actions: [
    listContacts,
    getContact,
    createContact,
    updateContact,
    deleteContact,
    restoreContact,
    setExternalId,
    attachCompany,
    detachCompany,
  ],
});
