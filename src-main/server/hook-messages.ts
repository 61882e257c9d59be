import type { CheckedEvent, DeliveryHeaders, HookRoute } from '../engine/webhook-intake.ts';

/** What the receiver's thread and the main thread tell each other (see hooks.ts and hook-worker.ts). */

export interface ReceiverOptions {
  host: string;
  port: number;
  bodyLimit: number;
  /** Modules (URLs) of connectors added to the app, loaded on the receiver's thread too. */
  connectorModules: string[];
}

/** A delivery the receiver's thread passes on: checked already, or raw for the main thread to check. */
export type Delivery =
  | { seq: number; token: string; kind: 'checked'; checked: CheckedEvent; bytes: number }
  | { seq: number; token: string; kind: 'raw'; body: Uint8Array; headers: DeliveryHeaders }
  | { seq: number; token: string; kind: 'too-large'; limit: number };

export interface Answer {
  seq: number;
  status: number;
  body: Record<string, unknown>;
  /** The hook's route, for the receiver's thread to check its next deliveries itself. */
  route?: HookRoute;
}

export type FromReceiver =
  | { type: 'listening'; address: string; family: string; port: number; apps: string[] }
  | { type: 'log'; line: string }
  | { type: 'listen-failed'; message: string }
  | { type: 'deliveries'; items: Delivery[] }
  | { type: 'closed' };

export type ToReceiver = { type: 'answers'; items: Answer[] } | { type: 'forget'; token: string } | { type: 'close' };
