import type { ConnectorWebhooks, EchoKey, ReceivedEvent } from '../connectors/define.ts';
import { WebhookRejection } from '../connectors/define.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { CommitGroup } from '../store/commit-group.ts';
import type { ConnectionStore } from '../store/connections.ts';
import { ECHO_NOTE, type EchoStore } from '../store/echoes.ts';
import type { Hook, HookStore } from '../store/hooks.ts';
import type { Inbox } from '../store/inbox.ts';
import { jsonTooDeep, MAX_JSON_DEPTH } from './bounded-json.ts';

export interface WebhookIntakeDeps {
  hooks: HookStore;
  inbox: Inbox;
  commits: CommitGroup;
  registry: ConnectorRegistry;
  connections: ConnectionStore;
  echoes: EchoStore;
  now: () => Date;
  /** Called after an event was committed (wakes the dispatcher). */
  onEvent: () => void;
}

/** What the receiver answers: the HTTP status and a small JSON body. */
export interface IntakeAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type DeliveryHeaders = Record<string, string | undefined>;

const NOT_FOUND: IntakeAnswer = { status: 404, body: { error: 'There is no webhook at this address.' } };

/** What checking a delivery needs to know of its hook, on whichever thread it runs. */
export interface HookRoute {
  token: string;
  app: string;
  workflowId: string;
  /** The stored signing secret, for apps that sign (undefined: none stored). */
  secret?: string;
}

/** A delivery checked and turned into an inbox event, not yet stored. */
export interface CheckedEvent {
  event: string;
  /** The payload as stored (JSON text). */
  payloadJson: string;
  dedupeKey: string;
  /** The resource state it carries, to recognise an echo of our own write. */
  echo?: EchoKey;
}

export type CheckedDelivery = ({ ok: true } & CheckedEvent) | { ok: false; status: number; reason: string };

/**
 * Checks one delivery without touching the store: signature (where the app signs), bounded and
 * valid JSON, the app's own validation. It runs on the receiver's thread for hooks it knows, and
 * on the main thread otherwise, so both give the same answers.
 */
export function checkDelivery(
  route: HookRoute,
  webhooks: ConnectorWebhooks,
  rawBody: Buffer,
  headers: DeliveryHeaders,
  receivedAt: string,
): CheckedDelivery {
  if (webhooks.verify && (route.secret === undefined || !webhooks.verify(rawBody, headers, route.secret))) {
    const reason =
      route.secret === undefined
        ? 'No signing secret is stored for this webhook; turn the workflow off and on again to register it.'
        : 'The signature does not match the body.';
    return { ok: false, status: 401, reason };
  }
  let received: ReceivedEvent;
  try {
    received = webhooks.receive(parseBody(rawBody), headers, receivedAt);
  } catch (err) {
    if (err instanceof WebhookRejection) return { ok: false, status: err.status, reason: err.message };
    throw err;
  }
  const echo = webhooks.echoOfEvent?.(received.payload);
  return {
    ok: true,
    event: received.event,
    payloadJson: JSON.stringify(received.payload),
    dedupeKey: received.dedupeKey,
    ...(echo ? { echo } : {}),
  };
}

function parseBody(rawBody: Buffer): unknown {
  if (rawBody.length === 0) throw new WebhookRejection(400, 'The body is empty; a JSON event was expected.');
  if (jsonTooDeep(rawBody)) throw new WebhookRejection(400, `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookRejection(400, 'The body is not valid JSON.');
  }
}

/**
 * Webhook deliveries into the inbox: the hook is found by its token, the delivery checked
 * (`checkDelivery`), echoes of our own writes and repeated deliveries recorded as such, and the
 * event committed durably (fsync) before the answer, so a 2xx means the event can no longer be
 * lost. Runs start afterwards, from the inbox.
 */
export class WebhookIntake {
  /** Signing secrets by hook token (decrypted once). */
  private readonly signingSecrets = new Map<string, string | undefined>();
  private readonly forgetListeners = new Set<(token: string) => void>();

  constructor(private readonly deps: WebhookIntakeDeps) {}

  /** Drops what is known of a hook (its webhook was registered again or removed). */
  forget(token: string): void {
    this.signingSecrets.delete(token);
    for (const listener of this.forgetListeners) listener(token);
  }

  /** Calls `listener` whenever a hook's route changes; returns an unsubscribe. */
  onForget(listener: (token: string) => void): () => void {
    this.forgetListeners.add(listener);
    return () => this.forgetListeners.delete(listener);
  }

  /** The route of a live hook and its app's webhook code, or undefined for an unknown token. */
  route(token: string): { route: HookRoute; webhooks: ConnectorWebhooks } | undefined {
    const hook = this.deps.hooks.byToken(token);
    const webhooks = hook && this.deps.registry.connectors.find((c) => c.id === hook.app)?.webhooks;
    if (!hook || !webhooks) return undefined;
    const secret = webhooks.verify ? this.signingSecret(hook) : undefined;
    return { route: { token, app: hook.app, workflowId: hook.workflowId, ...(secret !== undefined ? { secret } : {}) }, webhooks };
  }

  /** One delivery, checked here and stored. */
  async receive(token: string, rawBody: Buffer, headers: DeliveryHeaders): Promise<IntakeAnswer> {
    const hook = this.deps.hooks.byToken(token);
    if (!hook) {
      this.logRejection(undefined, 404, 'No live trigger has this webhook address.', rawBody.length);
      return NOT_FOUND;
    }
    const found = this.route(token);
    if (!found) {
      this.logRejection(hook, 404, `${hook.app} does not send webhooks.`, rawBody.length);
      return NOT_FOUND;
    }
    const checked = checkDelivery(found.route, found.webhooks, rawBody, headers, this.deps.now().toISOString());
    if (!checked.ok) return this.reject(hook, checked.status, checked.reason, rawBody.length);
    return this.store(hook, checked);
  }

  /** A delivery the receiver's thread has checked already: stored, unless its hook is gone meanwhile. */
  async receiveChecked(token: string, checked: CheckedEvent, bytes: number): Promise<IntakeAnswer> {
    const hook = this.deps.hooks.byToken(token);
    if (!hook) {
      this.logRejection(undefined, 404, 'No live trigger has this webhook address.', bytes);
      return NOT_FOUND;
    }
    return this.store(hook, checked);
  }

  private async store(hook: Hook, checked: CheckedEvent): Promise<IntakeAnswer> {
    const receivedAt = this.deps.now().toISOString();
    const echo = checked.echo;
    const isEcho =
      !!echo &&
      !!hook.connectionName &&
      this.deps.echoes.remembers(hook.connectionName) &&
      this.deps.echoes.isEcho(hook.connectionName, echo.resourceId, echo.fields);
    const outcome = await this.deps.commits.writeDurably(() =>
      this.deps.inbox.addOrRecordDuplicate({
        source: hook.app,
        event: checked.event,
        payloadJson: checked.payloadJson,
        receivedAt,
        // Per workflow: the same change delivered to two workflows' hooks is two events.
        dedupeKey: `${hook.workflowId}:${checked.dedupeKey}`,
        workflowId: hook.workflowId,
        ...(isEcho ? { status: 'echo' as const, note: ECHO_NOTE } : {}),
      }),
    );
    if (!isEcho && outcome.duplicateOf === undefined) this.deps.onEvent();
    return {
      status: 200,
      body: {
        received: true,
        id: outcome.id,
        ...(outcome.duplicateOf !== undefined ? { duplicate: true } : {}),
        ...(isEcho ? { echo: true } : {}),
      },
    };
  }

  private signingSecret(hook: Hook): string | undefined {
    if (!this.signingSecrets.has(hook.token)) {
      const secret =
        hook.connectionName && hook.remoteId ? this.deps.connections.webhookSecret(hook.connectionName, hook.remoteId) : undefined;
      this.signingSecrets.set(hook.token, secret);
    }
    return this.signingSecrets.get(hook.token);
  }

  private reject(hook: Hook, status: number, reason: string, bytes: number): IntakeAnswer {
    this.logRejection(hook, status, reason, bytes);
    return { status, body: { error: reason } };
  }

  /** Rejected deliveries are listed with the events (never their bodies: they may be hostile or huge). */
  logRejection(hook: Hook | undefined, status: number, reason: string, bytes: number): void {
    this.deps.commits.begin();
    this.deps.inbox.add({
      source: hook?.app ?? 'webhook',
      event: 'webhook.rejected',
      payload: { status, reason, bytes },
      receivedAt: this.deps.now().toISOString(),
      workflowId: hook?.workflowId ?? null,
      status: 'rejected',
      note: `Answered ${status}: ${reason}`,
    });
  }
}
