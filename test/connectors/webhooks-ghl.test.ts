import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResolvedConnection, WebhookRejection } from '../../src-main/connectors/define.ts';
import { ghlConnector } from '../../src-main/connectors/ghl-contacts.ts';
import { fieldsHash } from '../../src-main/store/echoes.ts';
import { type GhlServer, startGhlServer } from '../fixtures/ghl-server.ts';
import { connection, runAction, webhooksOf } from './webhook-support.ts';

const hooks = webhooksOf(ghlConnector);
let ghl: GhlServer;
let conn: ResolvedConnection;

beforeEach(async () => {
  ghl = await startGhlServer();
  conn = connection('ghl', ghl.url, ghl.keys.write, { locationId: ghl.locations.main });
});

afterEach(async () => {
  await ghl.close();
});

/** The webhook body GHL sends for the last change (the fake records them as GHL would deliver them). */
function lastDelivery(type: string): Record<string, unknown> {
  const body = ghl
    .takeEvents()
    .filter((e) => e.type === type)
    .at(-1);
  if (!body) throw new Error(`GHL sent no ${type}`);
  return JSON.parse(JSON.stringify(body));
}

describe('GHL webhooks: receive', () => {
  it("accepts GHL's delivery under ghl:<type>; the webhookId dedupes, else the body's hash", () => {
    const contact = ghl.addContact({ firstName: 'Rosa', lastName: 'Delgado', email: 'rosa@example.com' });
    ghl.editContact(contact.id, { phone: '+15550101' });
    const body = lastDelivery('ContactUpdate');

    const received = hooks.receive(body, {}, '2026-06-17T14:25:00.000Z');
    expect(received.event).toBe('ghl:ContactUpdate');
    expect(received.payload).toMatchObject({
      event: 'ContactUpdate',
      location_id: ghl.locations.main,
      data: { id: contact.id, phone: '+15550101' },
    });
    expect(received.dedupeKey).toBe(`ghl:${body.webhookId}`);

    const { webhookId: _id, ...withoutId } = body;
    const hashed = hooks.receive(withoutId, {}, '2026-06-17T14:25:00.000Z');
    expect(hashed.dedupeKey).toMatch(/^body:[0-9a-f]{64}$/);
    expect(hooks.receive({ ...withoutId }, {}, '2026-06-17T14:26:00.000Z').dedupeKey).toBe(hashed.dedupeKey);
  });

  it('accepts events of other kinds GHL sends to the same address (no trigger listens to them)', () => {
    expect(hooks.receive({ type: 'OpportunityCreate', locationId: 'loc_1', id: 'opp_1' }, {}, '').event).toBe('ghl:OpportunityCreate');
  });

  it.each([
    ['a list', [{ type: 'ContactCreate' }], 'body'],
    ['no type', { id: 'c1', locationId: 'loc_1' }, 'type'],
    ['a contact event without the contact id', { type: 'ContactUpdate', locationId: 'loc_1' }, 'id'],
    ['a location that is not text', { type: 'ContactUpdate', id: 'c1', locationId: 42 }, 'locationId'],
  ])('rejects a delivery with %s (400 naming the field)', (_what, body, field) => {
    try {
      hooks.receive(body, {}, '2026-06-17T14:20:00.000Z');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookRejection);
      expect((err as WebhookRejection).status).toBe(400);
      expect((err as Error).message).toContain(field);
    }
  });

  it('has no signature, registration or polling: the document describes none', () => {
    expect(hooks.verify).toBeUndefined();
    expect(hooks.register).toBeUndefined();
    expect(hooks.poll).toBeUndefined();
    expect(hooks.remoteEvent('ghl:ContactTagUpdate')).toBe('ContactTagUpdate');
  });
});

describe('GHL echoes of our own writes', () => {
  it("an update's output and GHL's ContactUpdate for it give the same echo key; a user's later edit does not", async () => {
    const contact = ghl.addContact({ firstName: 'Rosa', lastName: 'Delgado', email: 'rosa@example.com', tags: ['kvcore'] });
    const output = await runAction(
      ghlConnector,
      'updateContact',
      { contactId: contact.id, email: 'Rosa.Delgado@Example.com', phone: '+1 (555) 010-1', tags: 'kvcore, Buyer' },
      conn,
    );
    const written = hooks.echoOfWrite?.('updateContact', output);
    expect(written).toEqual({
      resourceId: `contact:${contact.id}`,
      fields: {
        firstName: 'Rosa',
        lastName: 'Delgado',
        email: 'rosa.delgado@example.com',
        phone: '+15550101',
        externalId: null,
        status: null,
        tags: ['buyer', 'kvcore'],
      },
    });
    const echo = hooks.echoOfEvent?.(hooks.receive(lastDelivery('ContactUpdate'), {}, '').payload);
    expect(echo).toEqual(written);
    expect(fieldsHash(echo?.fields ?? {})).toBe(fieldsHash(written?.fields ?? {}));

    ghl.editContact(contact.id, { lastName: 'Delgado-Ruiz' });
    const userEcho = hooks.echoOfEvent?.(hooks.receive(lastDelivery('ContactUpdate'), {}, '').payload);
    expect(userEcho?.resourceId).toBe(written?.resourceId);
    expect(fieldsHash(userEcho?.fields ?? {})).not.toBe(fieldsHash(written?.fields ?? {}));
  });

  it('adding tags echoes as ContactTagUpdate (compared by tags); a create as ContactCreate', async () => {
    const contact = ghl.addContact({ firstName: 'Sam', lastName: 'Lee', email: 'sam@example.com', tags: ['seller'] });
    const tagged = await runAction(ghlConnector, 'addTags', { contactId: contact.id, tags: 'vip' }, conn);
    const tagEcho = hooks.echoOfEvent?.(hooks.receive(lastDelivery('ContactTagUpdate'), {}, '').payload);
    expect(tagEcho).toEqual({ resourceId: `contact:${contact.id}`, fields: { tags: ['seller', 'vip'] } });
    expect(hooks.echoOfWrite?.('addTags', tagged)).toEqual(tagEcho);

    const created = await runAction(
      ghlConnector,
      'createContact',
      { firstName: 'Ana', lastName: 'Ito', email: 'ana@example.com', tags: 'kvcore' },
      conn,
    );
    const createEcho = hooks.echoOfEvent?.(hooks.receive(lastDelivery('ContactCreate'), {}, '').payload);
    expect(createEcho).toEqual(hooks.echoOfWrite?.('createContact', created));
    expect(hooks.echoOfWrite?.('getContact', created)).toBeUndefined();
  });
});
