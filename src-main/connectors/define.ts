import type { z } from 'zod';
import type { ChangeCause, CrmStore } from '../store/crm.ts';

/**
 * The connector framework. A connector is one app (the local CRM, logic, Kanvo, …) declaring its
 * actions and triggers with zod schemas; the palette, the config forms, validation and the data
 * picker are all generated from these declarations.
 */

export type Effect = 'read' | 'write';

/** Where a trigger's events come from. */
export type TriggerSource = 'manual' | 'local' | 'schedule' | 'webhook' | 'poll';

/**
 * How the engine treats a node besides calling `run`:
 * - `branch`: the action picks which output ports fire (`ctx.route`);
 * - `loop`: the output `items` are run one by one through the `each` port, then `done` fires;
 * - `wait`: the output `resumeAt` (ISO time) suspends the run until then.
 */
export type FlowKind = 'branch' | 'loop' | 'wait';

/** A request a remote write would send, shown in dry runs instead of being sent. */
export interface PlannedRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface RunContext<I> {
  /** The node's params after templates were rendered, parsed by the action's input schema. */
  input: I;
  /** The CRM store: the live one, or a throw-away copy in a dry run. */
  crm: CrmStore;
  dryRun: boolean;
  /** Cause attached to events produced by this step's writes (loop guard). */
  cause: ChangeCause;
  workflow: { id: string; name: string; timezone: string };
  run: { id: string; startedAt: string };
  node: { id: string; name: string; type: string };
  /** Connection (credentials resolved in the main process only) when the node uses one. */
  connection?: ResolvedConnection;
  /** Read-only data of the run (`trigger`, `steps`, `run`, `loop`): what templates and conditions see. */
  scope: Record<string, unknown>;
  signal: AbortSignal;
  now(): Date;
  /** For `flow: 'branch'` actions: the output ports to follow. */
  route(...ports: string[]): void;
}

export interface ResolvedConnection {
  alias: string;
  app: string;
  name: string;
  baseUrl?: string;
  secret?: string;
  extras: Record<string, string>;
}

export interface PlanResult<O> {
  request: PlannedRequest;
  /** The output later steps see in the dry run, marked as simulated. */
  output: O;
}

export interface ActionDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  key: string;
  version: number;
  label: string;
  description: string;
  effect: Effect;
  input: I;
  output: O;
  sample: z.output<O>;
  flow?: FlowKind;
  /** Output ports besides the default one; may depend on the node's raw params (e.g. switch cases). */
  ports?: readonly string[] | ((params: Record<string, unknown>) => string[]);
  /** Params that must NOT be rendered as templates before `run` (e.g. condition rows). */
  rawParams?: readonly string[];
  /**
   * True for local-store writes that are synchronous: the engine commits the write and its journal
   * row in one transaction, so a crash never repeats it.
   */
  transactional?: boolean;
  /** Remote writes are safe to retry after an unknown outcome (idempotent, or the result can be looked up). */
  retrySafe?: boolean;
  run(ctx: RunContext<z.output<I>>): z.output<O> | Promise<z.output<O>>;
  /** Dry runs of remote writes call this instead of `run`. */
  plan?(ctx: RunContext<z.output<I>>): PlanResult<z.output<O>> | Promise<PlanResult<z.output<O>>>;
}

export interface TriggerEvent {
  /** Event name, e.g. `record.created`; `manual` and `schedule` for those sources. */
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
  workspace_id?: string;
}

export interface TriggerDefinition<P extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  key: string;
  version: number;
  label: string;
  description: string;
  source: TriggerSource;
  /** Event names this trigger listens to (local and webhook sources). */
  events?: readonly string[];
  params: P;
  output: O;
  sample: z.output<O>;
  /**
   * A realistic test event built from current data (e.g. the newest matching record), so a test
   * run works on real rows; falls back to `sample` when it returns undefined.
   */
  liveSample?(params: z.output<P>, crm: CrmStore): TriggerEvent | undefined;
  /** Whether an incoming event starts a run of this trigger's workflow. */
  matches?(params: z.output<P>, event: TriggerEvent, crm: CrmStore): boolean;
}

/** One delivery (or polled change) as the inbox stores it. */
export interface ReceivedEvent {
  /** The inbox event name, app-prefixed (`kanvo:record.created`), as the triggers' `events` list it. */
  event: string;
  payload: TriggerEvent;
  /** Identifies the delivery (its id, or a hash of the body): a repeat within the window is a duplicate. */
  dedupeKey: string;
}

/** A delivery that cannot be accepted; the receiver answers with `status` and this message. */
export class WebhookRejection extends Error {
  constructor(
    readonly status: 400 | 401 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejection';
  }
}

/** What identifies a remote resource's state, to recognise the echo of our own write. */
export interface EchoKey {
  resourceId: string;
  /** The fields the write set, normalised; an event carrying the same values is its echo. */
  fields: Record<string, unknown>;
}

/**
 * How a remote app's events reach Pipewright: by webhook (registered automatically where the app's
 * API allows, else the user pastes the address), or by polling when no public address is set.
 */
export interface ConnectorWebhooks {
  /** Turns a delivery's parsed JSON body into an inbox event; throws WebhookRejection (400) when malformed. */
  receive(body: unknown, headers: Record<string, string | undefined>, receivedAt: string): ReceivedEvent;
  /** Checks the signature of a delivery with the stored signing secret (apps that sign). */
  verify?(rawBody: Buffer, headers: Record<string, string | undefined>, secret: string): boolean;
  /** Registers `url` for these app event names; returns the remote webhook's id and signing secret. */
  register?(connection: ResolvedConnection, url: string, events: string[], signal: AbortSignal): Promise<{ id: string; secret?: string }>;
  /** Deletes a webhook registered by `register`. */
  unregister?(connection: ResolvedConnection, id: string, signal: AbortSignal): Promise<void>;
  /** The app's own event name of an inbox event name (`kanvo:record.created` → `record.created`). */
  remoteEvent(inboxEvent: string): string;
  /**
   * The polling fallback: the changes since `cursor` (undefined on the first poll, which returns no
   * events but a cursor) for these inbox event names, and the cursor to continue from. Dedupe keys
   * are made of the resource id and its updated_at, so one change never yields two runs.
   */
  poll?(
    connection: ResolvedConnection,
    events: string[],
    cursor: unknown,
    signal: AbortSignal,
  ): Promise<{ events: ReceivedEvent[]; cursor: unknown }>;
  /** The resource a successful write changed, from the action's output (echo suppression). */
  echoOfWrite?(actionKey: string, output: unknown): EchoKey | undefined;
  /** The resource state an incoming event carries, in the same shape as echoOfWrite. */
  echoOfEvent?(event: TriggerEvent): EchoKey | undefined;
}

export interface ConnectorDefinition {
  id: string;
  name: string;
  description: string;
  /** lucide icon name or an emoji, shown on nodes and in the palette. */
  icon: string;
  /** Whether nodes of this app need a connection (credentials). */
  needsConnection: boolean;
  actions: ActionDefinition[];
  triggers: TriggerDefinition[];
  /** Remote apps whose triggers receive webhooks or are polled. */
  webhooks?: ConnectorWebhooks;
}

export function defineAction<I extends z.ZodType, O extends z.ZodType>(action: ActionDefinition<I, O>): ActionDefinition {
  return action as unknown as ActionDefinition;
}

export function defineTrigger<P extends z.ZodType, O extends z.ZodType>(trigger: TriggerDefinition<P, O>): TriggerDefinition {
  return trigger as unknown as TriggerDefinition;
}

export function defineConnector(connector: ConnectorDefinition): ConnectorDefinition {
  const keys = new Set<string>();
  for (const node of [...connector.actions, ...connector.triggers]) {
    if (!/^[a-z][a-zA-Z0-9]*$/.test(node.key)) {
      throw new Error(`${connector.id}: node key "${node.key}" must be camelCase`);
    }
    if (keys.has(node.key)) throw new Error(`${connector.id}: node key "${node.key}" is declared twice`);
    keys.add(node.key);
  }
  return connector;
}

/** The ports a node of this action can fire, besides `error` (added by the node's error handling). */
export function actionPorts(action: ActionDefinition, params: Record<string, unknown>): string[] {
  const extra = typeof action.ports === 'function' ? action.ports(params) : (action.ports ?? []);
  if (action.flow === 'loop') return ['each', 'done'];
  if (action.flow === 'branch') return [...extra];
  return ['main', ...extra];
}
