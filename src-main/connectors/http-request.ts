import { z } from 'zod';
import { defineAction, defineConnector, type RunContext } from './define.ts';
import { ApiClient, ApiError, type ApiRequest, type Connection, clientFor, defineApi } from './http.ts';
import { absentIfBlank, asFlag, asObject, optionalFields, optionalFlag, text } from './remote-fields.ts';

/**
 * A generic HTTP request, for APIs Pipewright has no connector for yet: method, URL, query,
 * headers and a JSON body, all from templates. Credentials come only from an optional connection
 * (app "http": a bearer token, or an API key in a header), and are sent only to that connection's
 * base URL. Reading (GET) runs in test runs too; sending (POST, PUT, PATCH, DELETE) is planned
 * there, not sent, and shown with the credential hidden.
 */

export const httpApi = defineApi({
  app: 'http',
  name: 'HTTP request',
  envelope: 'plain',
  defaultAuth: 'bearer',
  authOptional: true,
  // A connection's key goes as a Bearer token, or with auth "apiKey" in the header its extras name.
  authHeaders: (connection, secret) =>
    connection.auth === 'apiKey'
      ? { [connection.extras.headerName?.trim() || 'X-API-Key']: secret }
      : { Authorization: `Bearer ${secret}` },
  rateLimit: { requestsPerSecond: 10, burst: 20 },
  keyHelp:
    'An HTTP connection holds a base URL and a key, sent as "Authorization: Bearer <key>" or, with auth apiKey, in the header named by its headerName extra (X-API-Key by default).',
  async test(client) {
    // The base URL itself, or the path the connection's testPath extra names (e.g. /me).
    const path = client.connection.extras.testPath?.trim() || '/';
    const response = await client.request({ method: 'GET', path, what: `read ${client.url(path)}` });
    return `answered ${response.status}.`;
  },
});

// ---------------------------------------------------------------------------------------------
// Where the request goes, and with which credentials
// ---------------------------------------------------------------------------------------------

/** Headers that carry credentials: they belong in a connection, never in a workflow. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|x-api-key|api-key|cookie|x-auth-token)$/i;
/** Answer headers that may carry credentials are left out of the step's output. */
const SECRET_ANSWER_HEADERS = /^(set-cookie|authorization|x-api-key|www-authenticate)$/i;

interface Target {
  client: ApiClient;
  path: string;
  query: Record<string, string[]>;
}

function anonymous(origin: string): Connection {
  return { alias: 'http', app: 'http', name: 'http', baseUrl: origin, extras: {} };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`URL "${raw}" is not a web address; write it in full, e.g. https://api.example.com/v1/items.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`URL "${raw}" must start with https:// or http://.`);
  if (url.username || url.password) throw new Error('Put credentials in a connection, not in the URL.');
  return url;
}

/**
 * The client and path for a URL. With a connection, the URL is a path under its base URL (or a
 * full address starting with it): its key is never sent anywhere else.
 */
function targetOf(ctx: RunContext<{ url: string }>): Target {
  const raw = ctx.input.url.trim();
  const connection = ctx.connection;
  if (!connection) {
    const url = parseUrl(raw);
    return {
      client: new ApiClient(httpApi, anonymous(url.origin), { signal: ctx.signal }),
      path: url.pathname,
      query: queryOf(url.searchParams),
    };
  }
  const client = clientFor(httpApi, ctx);
  if (!connection.baseUrl) {
    throw new Error(
      `The HTTP connection "${connection.name}" has no base URL; set one with \`pipewright connections update ${connection.name} --base-url URL\` (the only address its key is sent to).`,
    );
  }
  const base = parseUrl(client.baseUrl);
  const full = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? parseUrl(raw) : parseUrl(`${client.baseUrl}/${raw.replace(/^\/+/, '')}`);
  const basePath = base.pathname.replace(/\/+$/, '');
  const inside = full.origin === base.origin && (full.pathname === basePath || full.pathname.startsWith(`${basePath}/`) || basePath === '');
  if (!inside) {
    throw new Error(
      `URL "${raw}" is not under ${client.baseUrl}, the base URL of connection "${connection.name}": its key is only sent there. Use a path such as /items, or no connection.`,
    );
  }
  return { client, path: full.pathname.slice(basePath.length) || '/', query: queryOf(full.searchParams) };
}

function queryOf(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) out[k] = [...(out[k] ?? []), v];
  return out;
}

const asString = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function requestOf(
  ctx: RunContext<{ url: string; query?: Record<string, unknown>; headers?: Record<string, unknown>; retrySafe?: boolean }>,
  method: ApiRequest['method'],
  body?: unknown,
): { client: ApiClient; request: ApiRequest } {
  const { client, path, query } = targetOf(ctx);
  for (const [k, v] of Object.entries(ctx.input.query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    query[k] = Array.isArray(v) ? v.map(asString) : [asString(v)];
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.input.headers ?? {})) {
    if (CREDENTIAL_HEADERS.test(k)) {
      throw new Error(
        `Header "${k}" carries credentials: put the key in an HTTP connection instead (it is stored encrypted, never in the workflow).`,
      );
    }
    if (v !== undefined && v !== null) headers[k] = asString(v);
  }
  const where = new URL(client.url(path));
  return {
    client,
    request: {
      method,
      path,
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(ctx.input.retrySafe ? { retrySafe: true } : {}),
      what: `${method} ${where.host}${where.pathname}`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The answer
// ---------------------------------------------------------------------------------------------

const Answer = z.object({
  status: z.number().meta({ title: 'Status', description: 'The HTTP status code, e.g. 200.' }),
  ok: z.boolean().meta({ title: 'Succeeded', description: 'Yes for a 2xx answer.' }),
  headers: z.record(z.string(), z.string()).meta({ title: 'Headers', description: 'The answer’s headers (cookies left out).' }),
  body: z.unknown().meta({ title: 'Body', description: 'The answer: its JSON as data, or its text.' }),
  error: z.string().optional().meta({ title: 'Error', description: 'What went wrong, when the answer was an error.' }),
});
type Answer = z.infer<typeof Answer>;

function headersOut(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || SECRET_ANSWER_HEADERS.test(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

async function send(client: ApiClient, request: ApiRequest, failOnError: boolean): Promise<Answer> {
  try {
    const response = await client.request(request);
    return { status: response.status, ok: true, headers: headersOut(response.headers), body: response.data };
  } catch (err) {
    // An error answer may be what the workflow branches on (e.g. 404 = not there yet).
    if (failOnError || !(err instanceof ApiError) || err.status === 0) throw err;
    return { status: err.status, ok: false, headers: {}, body: null, error: err.apiMessage ?? err.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------------------------

const Fields = {
  url: text({
    title: 'URL',
    description:
      'The full address, e.g. https://api.example.com/v1/items?status=open. With a connection, a path under its base URL (e.g. /items) or a full address starting with it.',
  }),
  query: optionalFields({
    title: 'Query parameters',
    description: 'Added to the URL, e.g. status = open (a list repeats the parameter).',
  }),
  headers: optionalFields({
    title: 'Headers',
    description: 'Extra request headers, e.g. Accept-Language = en. Keys and tokens go in a connection, not here.',
  }),
  failOnError: z
    .preprocess((v) => asFlag(absentIfBlank(v)), z.boolean({ error: 'Stop on an error answer must be yes or no.' }).default(true))
    .meta({
      title: 'Stop on an error answer',
      description: 'Yes (the default) fails the step on a 4xx or 5xx answer; no returns it as the output (Succeeded = no) to branch on.',
    }),
};

const JsonBody = z
  .preprocess(
    (v) => {
      const value = absentIfBlank(v);
      if (typeof value !== 'string') return value;
      const parsed = asObject(value);
      return parsed === value ? { __notJson: value } : parsed;
    },
    z
      .unknown()
      .refine((v) => !(v && typeof v === 'object' && '__notJson' in v), {
        error: 'Body must be JSON, e.g. {"name": "{{ trigger.data.name }}"}, or named fields.',
      })
      .optional(),
  )
  .meta({
    title: 'Body (JSON)',
    description: 'What to send: named fields, or JSON text such as {"name": "{{ trigger.data.name }}"}. Leave empty to send no body.',
    widget: 'json',
  });

const SEND_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

const get = defineAction({
  key: 'get',
  version: 1,
  label: 'HTTP GET request',
  description:
    'Reads from any web API with a GET request and returns its answer (JSON as data). It changes nothing, so test runs send it too. For an API that needs a key, choose an HTTP connection.',
  effect: 'read',
  input: z.object(Fields),
  output: Answer,
  sample: { status: 200, ok: true, headers: { 'content-type': 'application/json' }, body: { items: [{ id: 1, name: 'Example' }] } },
  async run(ctx) {
    const { client, request } = requestOf(ctx, 'GET');
    return send(client, request, ctx.input.failOnError);
  },
});

const request = defineAction({
  key: 'request',
  version: 1,
  label: 'Send HTTP request',
  description:
    'Sends data to any web API with POST, PUT, PATCH or DELETE and returns its answer. Test runs do not send it: they show the request (key hidden) and go on as if it answered 200 with no body. A POST that fails with a server error is not sent again unless marked safe to repeat. (To read, use "HTTP GET request".)',
  effect: 'write',
  input: z.object({
    method: z
      .preprocess(
        (v) => (typeof v === 'string' ? absentIfBlank(v.trim().toUpperCase()) : absentIfBlank(v)),
        z.enum(SEND_METHODS, { error: 'Method: choose POST, PUT, PATCH or DELETE (to read, use "HTTP GET request").' }).default('POST'),
      )
      .meta({ title: 'Method', description: 'POST to create, PUT or PATCH to change, DELETE to remove.', options: [...SEND_METHODS] }),
    ...Fields,
    body: JsonBody,
    retrySafe: optionalFlag({
      title: 'Safe to send twice',
      description:
        'Yes when sending it again cannot double anything (the API ignores repeats): then a POST is retried after a server error too. PUT and DELETE always are.',
    }),
  }),
  output: Answer,
  sample: { status: 201, ok: true, headers: { 'content-type': 'application/json' }, body: { id: 42, created: true } },
  async run(ctx) {
    const { client, request: req } = requestOf(ctx, ctx.input.method, ctx.input.body);
    return send(client, req, ctx.input.failOnError);
  },
  plan(ctx) {
    const { client, request: req } = requestOf(ctx, ctx.input.method, ctx.input.body);
    return { request: client.plan(req), output: { status: 200, ok: true, headers: {}, body: null } };
  },
});

export const httpConnector = defineConnector({
  id: 'http',
  name: 'HTTP request',
  description:
    'Calls any web API: a GET to read, or POST/PUT/PATCH/DELETE to send JSON. For an API that needs a key, add an HTTP connection (base URL + key as a Bearer token, or in a header with auth apiKey); the key is only ever sent to that base URL.',
  icon: 'globe',
  needsConnection: false,
  triggers: [],
  actions: [get, request],
});
