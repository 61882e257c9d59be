import { z } from 'zod';
import { defineConnector, defineTrigger, type ReceivedEvent, WebhookRejection } from './define.ts';
import { bodyDedupeKey } from './http.ts';

/**
 * "Webhook received": any other system (a website form, a shop, a script) starts a workflow by
 * POSTing JSON to the workflow's own webhook address. The body becomes `trigger.data`.
 */

const EVENT = 'received';
const INBOX_EVENT = `webhook:${EVENT}`;
/** Headers senders commonly use to name a delivery; a repeat with the same one is a duplicate. */
const DELIVERY_ID_HEADERS = ['idempotency-key', 'x-delivery-id', 'x-request-id', 'x-webhook-id'];

const SAMPLE = {
  name: 'Dana Whitfield',
  email: 'dana@whitfield.example',
  company: 'Whitfield Landscaping',
  message: 'Quote for a patio, please.',
};

const received = defineTrigger({
  key: 'received',
  version: 1,
  label: 'Webhook received',
  description:
    'Starts when another system sends JSON to this workflow’s webhook address (shown when the workflow is live; set the public address in Settings so the internet can reach it). The JSON body is the trigger’s data.',
  source: 'webhook',
  events: [INBOX_EVENT],
  params: z.object({}),
  output: z.object({
    event: z.literal(EVENT).meta({ title: 'Event' }),
    timestamp: z.string().meta({ title: 'Received at' }),
    data: z.record(z.string(), z.unknown()).meta({ title: 'Body', description: 'The JSON object that was sent.' }),
  }),
  sample: { event: EVENT, timestamp: '2026-06-17T14:20:00.000Z', data: SAMPLE },
  matches: (_params, event) => event.event === EVENT || event.event === INBOX_EVENT,
});

export const webhookConnector = defineConnector({
  id: 'webhook',
  name: 'Webhook',
  description: 'Start a workflow from any system that can send JSON to a web address.',
  icon: 'webhook',
  needsConnection: false,
  triggers: [received],
  actions: [],
  webhooks: {
    receive(body, headers, receivedAt): ReceivedEvent {
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new WebhookRejection(400, 'The body must be a JSON object, e.g. {"email": "dana@example.com"}.');
      }
      const id = DELIVERY_ID_HEADERS.map((h) => headers[h]).find((v) => !!v);
      return {
        event: INBOX_EVENT,
        payload: { event: EVENT, timestamp: receivedAt, data: body as Record<string, unknown> },
        dedupeKey: id ? `id:${id}` : bodyDedupeKey(body),
      };
    },
    remoteEvent: () => EVENT,
  },
});
