import { createHash } from 'node:crypto';
import { Agent, type Dispatcher, request as send } from 'undici';
import { sleep as defaultSleep, retryDelay } from '../engine/retry.ts';
import type { ConnectionAuth, RateLimit } from '../store/connections.ts';
import type { PlannedRequest, ResolvedConnection, RunContext } from './define.ts';

/**
 * The HTTP layer every remote connector shares: one keep-alive agent, per-app API profiles
 * (envelope, auth, default rate limit, test request), typed API errors, a per-connection rate
 * limiter shared by all workflows, retries with full-jitter backoff and pagination helpers.
 * Nothing here writes a credential into an error message or a log line.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How an API wraps its answers: Kanvo `{success, data, meta}`, Konvox `{data, error, meta}`, or plain JSON. */
export type Envelope = 'success' | 'dataError' | 'plain';

export interface ClientRetryPolicy {
  /** Attempts in all, inside one step attempt (the engine's own retry policy comes on top). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A longer `Retry-After` is not slept through here: the error goes to the engine's retry policy. */
  maxRetryAfterMs: number;
}

export interface Timeouts {
  /** Until the response headers arrive. */
  headersMs: number;
  /** Between two chunks of the response body. */
  bodyMs: number;
}

export const DEFAULT_CLIENT_RETRY: ClientRetryPolicy = { maxAttempts: 3, initialDelayMs: 300, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };
export const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 30_000, bodyMs: 30_000 };
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;
const USER_AGENT = 'Pipewright/0.1';

/** OAuth tokens after a refresh (`expiresAt` as an ISO time). */
export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: string;
}

/**
 * A connection as connectors see it; the store adds how to authenticate and the rate limit, and for
 * OAuth the refresh token, when the access token expires, and how to keep renewed tokens.
 */
export type Connection = ResolvedConnection & {
  auth?: ConnectionAuth;
  rateLimit?: RateLimit | null;
  refreshToken?: string;
  expiresAt?: string;
  /** An OAuth client secret, when the app's token endpoint needs one. */
  clientSecret?: string;
  /** Persists tokens renewed with the refresh token (the connection store's `setTokens`). */
  saveTokens?(tokens: OAuthTokens): void;
};

export interface Option {
  value: string;
  label: string;
  description?: string;
}

/** Everything the shared layer needs to know about one remote API. One per connector file. */
export interface ApiProfile {
  /** The connector id, e.g. `kanvo`. */
  app: string;
  /** Display name used in messages, e.g. `Kanvo`. */
  name: string;
  defaultBaseUrl?: string;
  envelope: Envelope;
  /** The auth a connection gets when only a key is given. */
  defaultAuth: ConnectionAuth;
  /** Headers that authenticate a request (called with the secret in clear; main process only). */
  authHeaders(connection: Connection, secret: string): Record<string, string>;
  /** Default per-connection rate limit; a connection may set its own. */
  rateLimit: RateLimit;
  retry?: Partial<ClientRetryPolicy>;
  timeouts?: Partial<Timeouts>;
  /** Shapes of this app's credentials, scrubbed from any text that may be shown. */
  secretPatterns?: RegExp[];
  /**
   * The scope a 403 message names, in this app's vocabulary. `null` says the 403 is not about a
   * scope (e.g. a workspace mismatch), so the request's own scope is not blamed either.
   */
  scopeIn?(message: string): string | null | undefined;
  /** Where to get a key, appended to 401/403 messages. */
  keyHelp?: string;
  /** "Test connection": a cheap read, returning a one-line summary of what it found. */
  test(client: ApiClient): Promise<string>;
  /** Choices for form dropdowns, by widget kind (e.g. objectType, pipeline, stage). */
  options?(client: ApiClient, kind: string, params: Record<string, unknown>): Promise<Option[]>;
  /** Called when a workflow using this app goes live (e.g. to learn the ids triggers match on). */
  warmUp?(client: ApiClient): Promise<void>;
  /**
   * OAuth: gets a new access token with the connection's refresh token (see `oauthRefresh`). With
   * it, a client renews the token shortly before it expires, and once after a 401, and hands the new
   * tokens to `connection.saveTokens`.
   */
  refreshTokens?(connection: Connection, refreshToken: string, signal?: AbortSignal): Promise<OAuthTokens>;
  /** How long before expiry the access token is renewed (default 5 minutes). */
  refreshBeforeMs?: number;
  /** Requests may go without credentials when the connection has none (a generic HTTP step). */
  authOptional?: boolean;
}

const profiles = new Map<string, ApiProfile>();

/** Declares an app's API profile; connectors call it once at module load so the CLI and UI find it. */
export function defineApi(profile: ApiProfile): ApiProfile {
  profiles.set(profile.app, profile);
  return profile;
}

export function apiProfile(app: string): ApiProfile | undefined {
  return profiles.get(app);
}

export function apiProfiles(): ApiProfile[] {
  return [...profiles.values()];
}

// ---------------------------------------------------------------------------------------------
// OAuth tokens renewed in this process
// ---------------------------------------------------------------------------------------------

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;

/** Tokens renewed in this process, by connection, with the refresh token that was spent on them. */
const renewedTokens = new Map<string, OAuthTokens & { spent: string }>();
/** One renewal at a time per connection: with rotating refresh tokens, a second one would fail. */
const renewing = new Map<string, Promise<OAuthTokens>>();

const expiryOf = (tokens: { expiresAt?: string }) => (tokens.expiresAt ? Date.parse(tokens.expiresAt) || 0 : 0);

/**
 * The newest tokens of a connection: its own, or those renewed here from the same grant when they
 * are newer (a step resolved before another step's renewal was saved, or the store cannot save).
 */
function newestTokens(key: string, connection: Connection): { accessToken?: string; refreshToken?: string; expiresAt?: string } {
  const own = { accessToken: connection.secret, refreshToken: connection.refreshToken, expiresAt: connection.expiresAt };
  const renewed = renewedTokens.get(key);
  if (!renewed || !own.refreshToken) return own;
  const sameGrant = own.refreshToken === renewed.spent || own.refreshToken === renewed.refreshToken;
  return sameGrant && expiryOf(renewed) > expiryOf(own) ? renewed : own;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export interface ApiRequest {
  method: HttpMethod;
  /** Relative to the connection's base URL, e.g. `/records/${id}` (encode ids with `segment`). */
  path: string;
  query?: Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to send twice (idempotent in effect, or the API deduplicates): retried like a GET. */
  retrySafe?: boolean;
  /** The scope this operation needs, named when the API answers 403. */
  scope?: string;
  /** What the request does, for messages: "create a record". */
  what?: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  data: T;
  meta?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

interface Failure {
  status: number;
  apiMessage?: string;
  retryable: boolean;
  retryAfterMs?: number;
  code?: string;
  detail?: string;
  /** The payload of the error answer, taken out of the app's envelope (e.g. Konvox `{data, error}`). */
  data?: unknown;
}

/**
 * A failed API call: the HTTP status (0 when the API could not be reached), the API's own message,
 * whether sending it again is safe, and how long the API asked us to wait. The engine retries on
 * `retryable` and `retryAfterMs` per the step's retry policy.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly apiMessage?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** The scope the key lacks (403), in the app's vocabulary. */
  readonly scope?: string;
  /** Network error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT …) when status is 0. */
  readonly code?: string;
  /**
   * The payload of the error answer when its envelope carries one (e.g. the existing record a
   * Konvox 409 may name), for connectors that can act on it. Never part of the message.
   */
  readonly data?: unknown;
  readonly app: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly attempts: number;

  constructor(message: string, init: Failure & { app: string; method: HttpMethod; path: string; attempts: number; scope?: string }) {
    super(message);
    this.name = 'ApiError';
    this.status = init.status;
    this.apiMessage = init.apiMessage;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.scope = init.scope;
    this.code = init.code;
    this.data = init.data;
    this.app = init.app;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
  }
}

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
/** Failures where the request never reached the server: sending it again cannot double anything. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Sending these again gives the same failure. */
const NEVER_RETRY = new Set(['RESPONSE_TOO_LARGE', 'UND_ERR_INVALID_ARG', 'ERR_INVALID_URL', 'UND_ERR_RES_EXCEEDED_MAX_SIZE']);

/** `Retry-After` as seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const MESSAGE_MAX = 300;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_MAX ? `${flat.slice(0, MESSAGE_MAX - 1)}…` : flat;
}

/** The API's own words from an error body, whatever its envelope. */
export function apiMessageOf(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body.trim() ? clip(body) : undefined;
  if (Array.isArray(body)) {
    const parts = body.map(apiMessageOf).filter(Boolean);
    return parts.length ? clip(parts.join('; ')) : undefined;
  }
  if (typeof body !== 'object') return String(body);
  const o = body as Record<string, unknown>;
  for (const key of ['error', 'message', 'errors', 'detail', 'title', 'error_description']) {
    const value = o[key];
    if (value === undefined || value === null || value === false || value === '') continue;
    if (key === 'errors' && value && typeof value === 'object' && !Array.isArray(value)) {
      return clip(
        Object.entries(value as Record<string, unknown>)
          .map(([field, v]) => `${field}: ${apiMessageOf(v) ?? ''}`)
          .join('; '),
      );
    }
    const text = apiMessageOf(value);
    if (text) return text;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rate limiting
// ---------------------------------------------------------------------------------------------

/**
 * A token bucket: `burst` requests at once, then `requestsPerSecond`. Callers reserve a token and
 * wait for their turn, so concurrent workflows queue fairly instead of stampeding. A 429 pauses
 * the whole bucket for the API's `Retry-After`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;

  constructor(
    private settings: RateLimit,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = settings.burst;
    this.last = clock();
  }

  configure(settings: RateLimit): void {
    if (settings.burst === this.settings.burst && settings.requestsPerSecond === this.settings.requestsPerSecond) return;
    this.refill();
    this.settings = settings;
    this.tokens = Math.min(this.tokens, settings.burst);
  }

  private refill(): void {
    const t = this.clock();
    this.tokens = Math.min(this.settings.burst, this.tokens + ((t - this.last) / 1000) * this.settings.requestsPerSecond);
    this.last = t;
  }

  /** Reserves one request; returns how many milliseconds the caller must wait before sending it. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    const forTokens = this.tokens >= 0 ? 0 : (-this.tokens / this.settings.requestsPerSecond) * 1000;
    return Math.max(forTokens, this.pausedUntil - this.clock(), 0);
  }

  /** Gives back a reservation that was not used (the caller was cancelled while waiting). */
  release(): void {
    this.tokens = Math.min(this.settings.burst, this.tokens + 1);
  }

  async take(signal?: AbortSignal, sleep: (ms: number, signal?: AbortSignal) => Promise<void> = defaultSleep): Promise<void> {
    const wait = this.reserve();
    if (wait <= 0) return;
    try {
      await sleep(wait, signal);
    } catch (err) {
      this.release();
      throw err;
    }
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + ms);
  }
}

const buckets = new Map<string, TokenBucket>();

/** The process-wide bucket of one connection: every workflow calling it shares this one. */
export function rateLimiterFor(key: string, settings: RateLimit): TokenBucket {
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = new TokenBucket(settings);
    buckets.set(key, bucket);
  } else bucket.configure(settings);
  return bucket;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

let sharedAgent: Agent | undefined;

/** One keep-alive agent for the process: connections to an API are reused across steps and runs. */
export function httpAgent(): Dispatcher {
  sharedAgent ??= new Agent({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: CONNECT_TIMEOUT_MS },
    connections: 32,
    headersTimeout: DEFAULT_TIMEOUTS.headersMs,
    bodyTimeout: DEFAULT_TIMEOUTS.bodyMs,
  });
  return sharedAgent;
}

/** Encodes one path segment (an id from an earlier step may contain anything). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

export interface ClientOptions {
  signal?: AbortSignal;
  retry?: Partial<ClientRetryPolicy>;
  timeouts?: Partial<Timeouts>;
  /** Overrides the connection's and the app's rate limit. */
  rateLimit?: RateLimit;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const GENERIC_SECRET = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

export class ApiClient {
  readonly baseUrl: string;
  private readonly retry: ClientRetryPolicy;
  private readonly timeouts: Timeouts;
  private readonly limiter: TokenBucket;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly key: string;
  /** The credentials in use: the connection's, or newer ones renewed with its refresh token. */
  private tokens: { accessToken?: string; refreshToken?: string; expiresAt?: string };

  constructor(
    readonly profile: ApiProfile,
    readonly connection: Connection,
    private readonly options: ClientOptions = {},
  ) {
    const base = connection.baseUrl ?? profile.defaultBaseUrl;
    if (!base) {
      throw new Error(
        `The ${profile.name} connection "${connection.name}" has no base URL; set one with \`pipewright connections update\`.`,
      );
    }
    this.baseUrl = base.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_CLIENT_RETRY, ...profile.retry, ...options.retry };
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...profile.timeouts, ...options.timeouts };
    this.sleep = options.sleep ?? defaultSleep;
    this.key = `${connection.name}@${this.baseUrl}`;
    this.limiter = rateLimiterFor(this.key, options.rateLimit ?? connection.rateLimit ?? profile.rateLimit);
    this.tokens = newestTokens(this.key, connection);
  }

  /** Whether this client can renew its access token (OAuth with a refresh token). */
  get canRefresh(): boolean {
    return this.profile.refreshTokens !== undefined && typeof this.tokens.refreshToken === 'string' && this.tokens.refreshToken !== '';
  }

  /** The access token is missing, or expires within the profile's margin. */
  private expiring(): boolean {
    if (!this.canRefresh) return false;
    if (!this.tokens.accessToken) return true;
    const expires = expiryOf(this.tokens);
    return expires > 0 && expires - Date.now() <= (this.profile.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS);
  }

  /**
   * Renews the access token with the refresh token (once per connection at a time), keeps the new
   * tokens for every client of the connection and hands them to `connection.saveTokens`.
   */
  async refreshTokens(): Promise<void> {
    const refresh = this.profile.refreshTokens;
    const spent = this.tokens.refreshToken;
    if (!refresh || !spent) return;
    const already = renewedTokens.get(this.key);
    if (already && already.spent === spent && already.accessToken !== this.tokens.accessToken) {
      // Another step renewed this grant meanwhile: its refresh token is spent, use the new tokens.
      this.tokens = already;
      return;
    }
    let pending = renewing.get(this.key);
    if (!pending) {
      pending = (async () => {
        const fresh = await refresh(this.connection, spent, this.options.signal);
        const tokens: OAuthTokens = { ...fresh, refreshToken: fresh.refreshToken ?? spent };
        renewedTokens.set(this.key, { ...tokens, spent });
        try {
          this.connection.saveTokens?.(tokens);
        } catch {
          // The new tokens stay in use in this process; saving is tried again at the next renewal.
        }
        return tokens;
      })().finally(() => renewing.delete(this.key));
      renewing.set(this.key, pending);
    }
    this.tokens = await pending;
  }

  url(path: string, query?: ApiRequest['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
      else params.append(key, String(value));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
  }

  private secret(): string {
    const secret = this.tokens.accessToken;
    if (!secret) {
      throw new Error(
        `The ${this.profile.name} connection "${this.connection.name}" has no API key or token; add one with \`pipewright connections update ${this.connection.name} --api-key KEY\`.`,
      );
    }
    return secret;
  }

  headers(request: ApiRequest): Record<string, string> {
    return {
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(this.profile.authOptional && !this.tokens.accessToken ? {} : this.profile.authHeaders(this.connection, this.secret())),
      ...request.headers,
    };
  }

  /** Exactly what `request` would send, for dry runs (the engine redacts the credential). */
  plan(request: ApiRequest): PlannedRequest {
    return {
      method: request.method,
      url: this.url(request.path, request.query),
      headers: this.headers(request),
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
  }

  /** Removes anything that looks like a credential from text that may be shown or stored. */
  scrub(text: string): string {
    let out = text;
    const secrets = [
      this.connection.secret,
      this.connection.refreshToken,
      this.connection.clientSecret,
      this.tokens.accessToken,
      this.tokens.refreshToken,
    ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
    for (const s of secrets) out = out.split(s).join('••••••');
    for (const pattern of this.profile.secretPatterns ?? []) out = out.replace(pattern, '••••••');
    return out.replace(GENERIC_SECRET, '$1 ••••••');
  }

  async get<T = unknown>(path: string, query?: ApiRequest['query'], extra: Partial<ApiRequest> = {}): Promise<ApiResponse<T>> {
    return this.request<T>({ ...extra, method: 'GET', path, query });
  }

  async request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
    const signal = this.options.signal;
    const idempotent = IDEMPOTENT.has(request.method) || request.retrySafe === true;
    if (this.expiring()) await this.refreshTokens();
    // Built before the loop: a missing key is a plain error, not a network failure to retry.
    const url = this.url(request.path, request.query);
    let headers = this.headers(request);
    let renewedAfter401 = false;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      await this.limiter.take(signal, this.sleep);
      let failure: Failure;
      try {
        const response = await this.once<T>(request, url, headers, idempotent);
        if ('data' in response) return response;
        failure = response.failure;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        failure = this.networkFailure(err, idempotent);
      }
      if (failure.status === 401 && this.canRefresh && !renewedAfter401) {
        // An access token may be revoked or expire early: renew it once and send the request again
        // (the API refused it, so nothing was done); this does not count as an attempt.
        renewedAfter401 = true;
        await this.refreshTokens();
        headers = this.headers(request);
        attempt--;
        continue;
      }
      if (failure.status === 429 && failure.retryAfterMs) this.limiter.pause(failure.retryAfterMs);
      const again = failure.retryable && attempt < this.retry.maxAttempts && (failure.retryAfterMs ?? 0) <= this.retry.maxRetryAfterMs;
      if (!again) throw this.error(request, failure, attempt);
      await this.sleep(retryDelay(attempt, this.retry, failure, this.options.random), signal);
    }
  }

  private async once<T>(
    request: ApiRequest,
    url: string,
    requestHeaders: Record<string, string>,
    idempotent: boolean,
  ): Promise<ApiResponse<T> | { failure: Failure }> {
    const response = await send(url, {
      method: request.method,
      headers: requestHeaders,
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
      dispatcher: httpAgent(),
      signal: this.options.signal,
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyMs,
    });
    const text = await readBounded(response.body);
    const contentType = String(response.headers['content-type'] ?? '');
    let body: unknown = text;
    if (text && (contentType.includes('json') || /^\s*[[{]/.test(text))) {
      try {
        body = JSON.parse(text);
      } catch {
        if (response.statusCode < 300) {
          return { failure: { status: response.statusCode, retryable: false, detail: 'answered with invalid JSON' } };
        }
      }
    }
    const headers = response.headers as Record<string, string | string[] | undefined>;
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const unwrapped = unwrap(body === '' ? null : body, this.profile.envelope);
      if (unwrapped.ok) return { status: response.statusCode, data: unwrapped.data as T, meta: unwrapped.meta, headers };
      return { failure: { status: response.statusCode, apiMessage: unwrapped.message, retryable: false } };
    }
    const status = response.statusCode;
    return {
      failure: {
        status,
        apiMessage: apiMessageOf(body),
        // A 429 means the API refused the request without acting on it, so even a POST may go again.
        retryable: status === 429 || ((status === 408 || (status >= 500 && status !== 501 && status !== 505)) && idempotent),
        retryAfterMs: parseRetryAfter(headers['retry-after']),
        data: errorData(body, this.profile.envelope),
      },
    };
  }

  private networkFailure(err: unknown, idempotent: boolean): Failure {
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code && e.code !== 'UND_ERR_SOCKET' ? e.code : (e.cause?.code ?? e.code);
    const detail = e.cause?.message ?? e.message ?? String(err);
    if (code !== undefined && (NEVER_RETRY.has(code) || /CERT|TLS/.test(code))) return { status: 0, code, detail, retryable: false };
    return { status: 0, code, detail, retryable: (code !== undefined && NOT_SENT.has(code)) || idempotent };
  }

  private error(request: ApiRequest, failure: Failure, attempts: number): ApiError {
    const app = this.profile.name;
    const what = request.what ?? `${request.method} ${request.path}`;
    const said = failure.apiMessage ? `: "${failure.apiMessage}"` : '';
    const tries = attempts > 1 ? ` (tried ${attempts} times)` : '';
    const conn = this.connection.name;
    const named = failure.status === 403 && failure.apiMessage ? this.profile.scopeIn?.(failure.apiMessage) : undefined;
    const scope = failure.status === 403 ? (named === null ? undefined : (named ?? request.scope)) : undefined;
    const help = this.profile.keyHelp ? ` ${this.profile.keyHelp}` : '';
    let message: string;
    if (failure.status === 0) {
      const where = new URL(this.baseUrl).host;
      message =
        failure.code && TIMEOUTS.has(failure.code)
          ? `${app} did not answer in time (${where}) when trying to ${what}${tries}.`
          : `Could not reach ${app} at ${where} to ${what} (${failure.code ?? 'network error'}: ${failure.detail ?? ''})${tries}.`;
    } else if (failure.status === 401) {
      message = `${app} rejected the credentials of connection "${conn}" (401${said}). The key may be wrong, revoked or expired; check it with \`pipewright connections test ${conn}\`.${help}`;
    } else if (failure.status === 403) {
      message = scope
        ? `The ${app} key of connection "${conn}" lacks the "${scope}" scope needed to ${what} (403${said}).${help}`
        : `${app} refused to let connection "${conn}" ${what} (403${said}).${help}`;
    } else if (failure.status === 404) {
      message = `${app} could not ${what}: not found (404${said}). It may have been deleted, or belong to another workspace than the key of connection "${conn}".`;
    } else if (failure.status === 429) {
      message = `${app} is limiting the rate of requests (429${said})${tries}; try again later, or lower the rate limit of connection "${conn}".`;
    } else if (failure.status >= 500) {
      message = `${app} had a server error when trying to ${what} (${failure.status}${said})${tries}.`;
    } else if (failure.status < 300) {
      message = `${app} could not ${what}: ${failure.apiMessage ? `"${failure.apiMessage}"` : (failure.detail ?? 'unexpected answer')}.`;
    } else {
      message = `${app} refused to ${what} (${failure.status}${said}).`;
    }
    return new ApiError(this.scrub(message), {
      ...failure,
      apiMessage: failure.apiMessage && this.scrub(failure.apiMessage),
      detail: undefined,
      app: this.profile.app,
      method: request.method,
      path: request.path,
      attempts,
      scope,
    });
  }
}

async function readBounded(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: (err?: Error) => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy?.();
      throw Object.assign(new Error(`the answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB`), { code: 'RESPONSE_TOO_LARGE' });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

type Unwrapped = { ok: true; data: unknown; meta?: Record<string, unknown> } | { ok: false; message?: string };

function asMeta(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The `data` an error answer carries in an enveloped API (null and absent mean none). */
function errorData(body: unknown, envelope: Envelope): unknown {
  if (envelope === 'plain' || !body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const data = (body as Record<string, unknown>).data;
  return data === null ? undefined : data;
}

/** Takes the payload out of the app's envelope; an envelope that reports an error becomes a failure. */
export function unwrap(body: unknown, envelope: Envelope): Unwrapped {
  if (envelope === 'plain' || !body || typeof body !== 'object' || Array.isArray(body)) return { ok: true, data: body };
  const o = body as Record<string, unknown>;
  if (envelope === 'success') {
    if (!('success' in o)) return { ok: true, data: body };
    if (o.success === false) return { ok: false, message: apiMessageOf(o.error ?? o.message) };
    return { ok: true, data: 'data' in o ? o.data : null, meta: asMeta(o.meta) };
  }
  if (o.error !== undefined && o.error !== null && o.error !== false && o.error !== '') {
    return { ok: false, message: apiMessageOf(o.error) };
  }
  return { ok: true, data: 'data' in o ? o.data : body, meta: asMeta(o.meta) };
}

/** The client a step uses: its connection, and the run's abort signal. */
export function clientFor(
  profile: ApiProfile,
  ctx: Pick<RunContext<unknown>, 'connection' | 'signal' | 'node'>,
  options: ClientOptions = {},
): ApiClient {
  if (!ctx.connection) throw new Error(`Step "${ctx.node.name}" needs a ${profile.name} connection; choose one in the step's settings.`);
  if (ctx.connection.app !== profile.app) {
    throw new Error(
      `Step "${ctx.node.name}" needs a ${profile.name} connection, but "${ctx.connection.name}" is for ${ctx.connection.app}.`,
    );
  }
  return new ApiClient(profile, ctx.connection, { signal: ctx.signal, ...options });
}

/**
 * A client outside a step: registering a webhook or polling for changes when a trigger goes live.
 * Same profile, rate limit and retries as the steps of that connection.
 */
export function clientForConnection(profile: ApiProfile, connection: Connection, signal?: AbortSignal): ApiClient {
  if (connection.app !== profile.app) {
    throw new Error(`The connection "${connection.name}" is for ${connection.app}, not ${profile.name}.`);
  }
  return new ApiClient(profile, connection, { signal });
}

// ---------------------------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------------------------

export type Pagination =
  /**
   * `page` (from 1) and `per_page`, e.g. Kanvo; `meta.total` when the API gives it. `sizeParam: null`
   * sends no page size (the API chooses it); `hasMore` reads the API's own "more pages" answer.
   */
  | {
      style: 'page';
      pageSize: number;
      pageParam?: string;
      sizeParam?: string | null;
      firstPage?: number;
      hasMore?: (response: ApiResponse, items: unknown[]) => boolean | undefined;
    }
  /** `limit` and `offset`. */
  | {
      style: 'offset';
      pageSize: number;
      limitParam?: string;
      offsetParam?: string;
      hasMore?: (response: ApiResponse, items: unknown[]) => boolean | undefined;
    }
  /** An opaque cursor: `page[cursor]` in, `meta.next_cursor` out (configurable). */
  | {
      style: 'cursor';
      pageSize: number;
      cursorParam?: string;
      sizeParam?: string;
      nextCursor?: (response: ApiResponse) => string | null | undefined;
    };

export interface PageOptions<T> {
  /** Stop after this many items (default 10,000). */
  maxItems?: number;
  /** Where the items are in a page's data (default: the data itself when it is a list). */
  items?: (response: ApiResponse) => T[];
}

export interface Page<T> {
  items: T[];
  response: ApiResponse;
  hasMore: boolean;
}

const MAX_PAGES = 10_000;
const DEFAULT_MAX_ITEMS = 10_000;

function defaultItems<T>(response: ApiResponse): T[] {
  const data = response.data;
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    for (const key of ['items', 'results', 'records', 'data']) {
      const value = (data as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}

function totalOf(response: ApiResponse): number | undefined {
  const total = Number(response.meta?.total);
  return Number.isFinite(total) && response.meta?.total !== undefined && response.meta?.total !== null ? total : undefined;
}

/** Every page of a list request, in order; `hasMore` says whether another page follows. */
export async function* pages<T>(
  client: ApiClient,
  request: ApiRequest,
  pagination: Pagination,
  options: Pick<PageOptions<T>, 'items'> = {},
): AsyncGenerator<Page<T>, void, undefined> {
  const itemsOf = options.items ?? defaultItems<T>;
  let seen = 0;
  let pageNumber = pagination.style === 'page' ? (pagination.firstPage ?? 1) : 0;
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const query = { ...request.query };
    if (pagination.style === 'page') {
      query[pagination.pageParam ?? 'page'] = pageNumber;
      if (pagination.sizeParam !== null) query[pagination.sizeParam ?? 'per_page'] = pagination.pageSize;
    } else if (pagination.style === 'offset') {
      query[pagination.offsetParam ?? 'offset'] = seen;
      query[pagination.limitParam ?? 'limit'] = pagination.pageSize;
    } else {
      query[pagination.sizeParam ?? 'page[size]'] = pagination.pageSize;
      if (cursor !== undefined) query[pagination.cursorParam ?? 'page[cursor]'] = cursor;
    }
    const response = await client.request({ ...request, query });
    const items = itemsOf(response);
    seen += items.length;
    let hasMore: boolean;
    if (pagination.style === 'cursor') {
      const next = (pagination.nextCursor ?? ((r) => r.meta?.next_cursor as string | null | undefined))(response);
      hasMore = items.length > 0 && typeof next === 'string' && next !== '' && next !== cursor;
      cursor = next ?? undefined;
    } else {
      const total = totalOf(response);
      // An API may cap the page size below what we asked; a full page is one of that size.
      const size = Number(response.meta?.per_page ?? response.meta?.limit) || pagination.pageSize;
      const said = pagination.hasMore?.(response, items);
      hasMore = items.length > 0 && (said !== undefined ? said : total !== undefined ? seen < total : items.length >= size);
      pageNumber++;
    }
    yield { items, response, hasMore };
    if (!hasMore) return;
  }
}

/** Every item of a list request, page after page, up to `maxItems`. */
export async function* paginate<T>(
  client: ApiClient,
  request: ApiRequest,
  pagination: Pagination,
  options: PageOptions<T> = {},
): AsyncGenerator<T, void, undefined> {
  const max = options.maxItems ?? DEFAULT_MAX_ITEMS;
  let count = 0;
  if (max <= 0) return;
  for await (const page of pages<T>(client, request, pagination, options)) {
    for (const item of page.items) {
      yield item;
      if (++count >= max) return;
    }
  }
}

export interface Collected<T> {
  items: T[];
  /** The API's total count when it gives one. */
  total: number | null;
  /** More items exist than `maxItems` allowed. */
  truncated: boolean;
  pages: number;
}

/** Reads pages until the end or `maxItems`, and says whether the list was cut short. */
export async function collect<T>(
  client: ApiClient,
  request: ApiRequest,
  pagination: Pagination,
  options: PageOptions<T> = {},
): Promise<Collected<T>> {
  const max = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const items: T[] = [];
  let total: number | null = null;
  let truncated = false;
  let count = 0;
  // Never ask for more than is wanted: a small cap makes a small page.
  const sized = { ...pagination, pageSize: Math.max(1, Math.min(pagination.pageSize, max)) } as Pagination;
  for await (const page of pages<T>(client, request, sized, options)) {
    count++;
    total = totalOf(page.response) ?? total;
    const room = max - items.length;
    items.push(...page.items.slice(0, room));
    if (items.length >= max) {
      truncated = page.items.length > room || page.hasMore;
      break;
    }
  }
  return { items, total, truncated, pages: count };
}

// ---------------------------------------------------------------------------------------------
// OAuth refresh
// ---------------------------------------------------------------------------------------------

export interface OAuthRefreshRequest {
  /** The profile of the app whose token is renewed (for messages and scrubbing). */
  profile: Pick<ApiProfile, 'app' | 'name'>;
  connection: Connection;
  tokenUrl: string;
  refreshToken: string;
  clientId?: string;
  clientSecret?: string;
  /** Extra form fields the token endpoint wants (e.g. GHL's `user_type`). */
  params?: Record<string, string>;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * The standard OAuth 2.0 refresh (RFC 6749 §6): a form-encoded `grant_type=refresh_token` POST,
 * answered with `access_token`, `expires_in` and, when the server rotates it, a new `refresh_token`.
 * A refusal is an `ApiError` with status 401 telling the operator to sign in again.
 */
export async function oauthRefresh(request: OAuthRefreshRequest): Promise<OAuthTokens> {
  const { profile, connection } = request;
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: request.refreshToken });
  if (request.clientId) form.set('client_id', request.clientId);
  if (request.clientSecret) form.set('client_secret', request.clientSecret);
  for (const [k, v] of Object.entries(request.params ?? {})) form.set(k, v);
  const secrets = [request.refreshToken, request.clientSecret, connection.secret].filter((s): s is string => !!s && s.length >= 4);
  const scrub = (text: string) => secrets.reduce((out, s) => out.split(s).join('••••••'), text).replace(GENERIC_SECRET, '$1 ••••••');
  const path = (() => {
    try {
      return new URL(request.tokenUrl).pathname;
    } catch {
      return request.tokenUrl;
    }
  })();
  const fail = (status: number, detail: string, retryable = false, code?: string) =>
    new ApiError(
      scrub(
        status === 0
          ? `Could not reach ${profile.name} to renew the access token of connection "${connection.name}" (${code ?? 'network error'}: ${detail}).`
          : retryable
            ? `${profile.name} could not renew the access token of connection "${connection.name}" just now (${status}${detail ? `: "${detail}"` : ''}).`
            : `${profile.name} refused to renew the access token of connection "${connection.name}" (${status}${detail ? `: "${detail}"` : ''}). Sign in to ${profile.name} again and update the connection's tokens.`,
      ),
      {
        status: status === 400 || status === 403 ? 401 : status,
        apiMessage: detail ? scrub(detail) : undefined,
        retryable,
        code,
        app: profile.app,
        method: 'POST',
        path,
        attempts: 1,
      },
    );
  let status: number;
  let text: string;
  try {
    const response = await send(request.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': USER_AGENT },
      body: form.toString(),
      dispatcher: httpAgent(),
      signal: request.signal,
      headersTimeout: DEFAULT_TIMEOUTS.headersMs,
      bodyTimeout: DEFAULT_TIMEOUTS.bodyMs,
    });
    status = response.statusCode;
    text = await readBounded(response.body);
  } catch (err) {
    if (request.signal?.aborted) throw request.signal.reason;
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.cause?.code ?? e.code;
    // Only a request that never left may go again: a lost answer may have spent a rotating refresh token.
    throw fail(0, e.cause?.message ?? e.message ?? String(err), code !== undefined && NOT_SENT.has(code), code);
  }
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    if (status < 300) throw fail(status, 'answered with invalid JSON');
  }
  if (status < 200 || status >= 300) {
    const detail = [body.error, body.error_description ?? body.message].filter((v) => typeof v === 'string' && v).join(': ');
    throw fail(status, detail || clip(text), status >= 500 || status === 429);
  }
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || !accessToken) throw fail(status, 'the answer has no access_token');
  const expiresIn = Number(body.expires_in);
  const now = request.now?.() ?? Date.now();
  return {
    accessToken,
    ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refreshToken: body.refresh_token } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: new Date(now + expiresIn * 1000).toISOString() } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Test connection
// ---------------------------------------------------------------------------------------------

export interface ConnectionTestResult {
  ok: boolean;
  /** HTTP status of the failure (0 when unreachable). */
  status?: number;
  /** The scope the key lacks (403). */
  scope?: string;
  message: string;
}

/** "Test connection": the app's cheap read, with a plain message for each kind of failure. */
export async function testConnection(connection: Connection, options: ClientOptions = {}): Promise<ConnectionTestResult> {
  const profile = apiProfile(connection.app);
  if (!profile) return { ok: false, message: `Pipewright has no connector for the app "${connection.app}".` };
  let client: ApiClient;
  try {
    client = new ApiClient(profile, connection, { retry: { maxAttempts: 1 }, ...options });
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  try {
    const summary = await profile.test(client);
    return { ok: true, message: `${profile.name} answered at ${client.baseUrl}: ${summary}` };
  } catch (err) {
    if (!(err instanceof ApiError)) return { ok: false, message: client.scrub((err as Error).message) };
    const said = err.apiMessage ? `: "${err.apiMessage}"` : '';
    const help = profile.keyHelp ? ` ${profile.keyHelp}` : '';
    if (err.status === 401) {
      return {
        ok: false,
        status: 401,
        message: `${profile.name} rejected the API key (401 Unauthorized${said}). Check that it is complete and not revoked, then replace it with \`pipewright connections update ${connection.name} --api-key KEY\`.${help}`,
      };
    }
    if (err.status === 403) {
      return {
        ok: false,
        status: 403,
        scope: err.scope,
        message: `The API key is valid but lacks the "${err.scope ?? 'required'}" scope (403 Forbidden${said}).${help}`,
      };
    }
    return { ok: false, status: err.status, message: err.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Webhooks in and polling: dedupe keys and change cursors
// ---------------------------------------------------------------------------------------------

/** JSON with object keys sorted, so the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The dedupe key of a delivery that carries no id of its own: a hash of its canonical body. A
 * repeated delivery has the same body; two real events differ at least in their time or data.
 */
export function bodyDedupeKey(body: unknown): string {
  return `body:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

/**
 * Where polling a list stopped: the newest change time seen (as the API wrote it, so it can go
 * back into a filter), and the ids already reported at exactly that time. A change later in the
 * same second as the newest one is still found, and none is reported twice.
 */
export interface ChangeCursor {
  since: string | null;
  seen: string[];
}

/** What a polled item says about itself: its id, when it last changed, and when it was created. */
export interface ChangeStamps {
  id: string;
  changedAt: string | null | undefined;
  createdAt?: string | null;
}

const timeOf = (at: string | null | undefined) => (at ? Date.parse(at) : Number.NaN);

/** A cursor read back from storage, or undefined when it is missing or not a cursor. */
export function asChangeCursor(value: unknown): ChangeCursor | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { since, seen } = value as Record<string, unknown>;
  if (!(since === null || typeof since === 'string') || !Array.isArray(seen)) return undefined;
  return { since, seen: seen.filter((id): id is string => typeof id === 'string') };
}

function isAfter(cursor: ChangeCursor, at: string | null | undefined, id: string): boolean {
  if (cursor.since === null) return true;
  const t = timeOf(at);
  const since = timeOf(cursor.since);
  if (Number.isNaN(t)) return false;
  return t > since || (t === since && !cursor.seen.includes(id));
}

/**
 * The items that changed after `previous`, split into those created after it and the others, and
 * the cursor to continue from. Without a previous cursor (the first poll) nothing is reported: the
 * cursor only marks where later polls start. Items without a valid change time are left out.
 */
export function changesSince<T>(
  items: readonly T[],
  previous: ChangeCursor | undefined,
  stamps: (item: T) => ChangeStamps,
): { created: T[]; updated: T[]; cursor: ChangeCursor } {
  const created: T[] = [];
  const updated: T[] = [];
  let since = previous?.since ?? null;
  let seen = new Set(previous?.seen ?? []);
  for (const item of items) {
    const { id, changedAt, createdAt } = stamps(item);
    const t = timeOf(changedAt);
    if (Number.isNaN(t) || !changedAt) continue;
    if (previous && isAfter(previous, changedAt, id)) {
      (isAfter(previous, createdAt ?? changedAt, id) ? created : updated).push(item);
    }
    const newest = since === null ? Number.NaN : timeOf(since);
    if (Number.isNaN(newest) || t > newest) {
      since = changedAt;
      seen = new Set([id]);
    } else if (t === newest) seen.add(id);
  }
  return { created, updated, cursor: { since, seen: [...seen] } };
}

/** Polled events in the order their changes happened (a stable sort: same-time events keep their order). */
export function inChangeOrder<E extends { payload: { timestamp: string } }>(events: E[]): E[] {
  const at = (e: E) => Date.parse(e.payload.timestamp) || 0;
  return [...events].sort((a, b) => at(a) - at(b));
}
