import type { ConnectorWebhooks, ReceivedEvent } from '../connectors/define.ts';
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

/**
 * One webhook delivery, from raw body to inbox: the hook is found by its token, the signature
 * checked where the app signs, the body validated, echoes of our own writes and repeated
 * deliveries recorded as such, and the event committed durably (fsync) before the answer, so a
 * 2xx means the event can no longer be lost. Runs start afterwards, from the inbox.
 */
export class WebhookIntake {
  /** Signing secrets by hook token (decrypted once). */
  private readonly signingSecrets = new Map<string, string | undefined>();

  constructor(private readonly deps: WebhookIntakeDeps) {}

  /** Drops a hook's cached secret (its webhook was registered again or removed). */
  forget(token: string): void {
    this.signingSecrets.delete(token);
  }

  async receive(token: string, rawBody: Buffer, headers: DeliveryHeaders): Promise<IntakeAnswer> {
    const hook = this.deps.hooks.byToken(token);
    if (!hook) {
      this.logRejection(undefined, 404, 'No live trigger has this webhook address.', rawBody.length);
      return NOT_FOUND;
    }
    const webhooks = this.deps.registry.connectors.find((c) => c.id === hook.app)?.webhooks;
    if (!webhooks) {
      this.logRejection(hook, 404, `${hook.app} does not send webhooks.`, rawBody.length);
      return NOT_FOUND;
    }
    if (webhooks.verify) {
      const secret = this.signingSecret(hook);
      if (secret === undefined || !webhooks.verify(rawBody, headers, secret)) {
        const reason =
          secret === undefined
            ? 'No signing secret is stored for this webhook; turn the workflow off and on again to register it.'
            : 'The signature does not match the body.';
        return this.reject(hook, 401, reason, rawBody.length);
      }
    }
    let received: ReceivedEvent;
    try {
      received = webhooks.receive(this.parse(rawBody), headers, this.deps.now().toISOString());
    } catch (err) {
      if (err instanceof WebhookRejection) return this.reject(hook, err.status, err.message, rawBody.length);
      throw err;
    }
    return this.commit(hook, webhooks, received);
  }

  private parse(rawBody: Buffer): unknown {
    if (rawBody.length === 0) throw new WebhookRejection(400, 'The body is empty; a JSON event was expected.');
    if (jsonTooDeep(rawBody)) throw new WebhookRejection(400, `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    try {
      return JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new WebhookRejection(400, 'The body is not valid JSON.');
    }
  }

  private async commit(hook: Hook, webhooks: ConnectorWebhooks, received: ReceivedEvent): Promise<IntakeAnswer> {
    const receivedAt = this.deps.now().toISOString();
    const echo =
      hook.connectionName && this.deps.echoes.remembers(hook.connectionName) ? webhooks.echoOfEvent?.(received.payload) : undefined;
    const isEcho = !!echo && this.deps.echoes.isEcho(hook.connectionName as string, echo.resourceId, echo.fields);
    const outcome = await this.deps.commits.writeDurably(() =>
      this.deps.inbox.addOrRecordDuplicate({
        source: hook.app,
        event: received.event,
        payload: received.payload,
        receivedAt,
        // Per workflow: the same change delivered to two workflows' hooks is two events.
        dedupeKey: `${hook.workflowId}:${received.dedupeKey}`,
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
