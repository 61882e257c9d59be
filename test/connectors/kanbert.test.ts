import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { testConnection } from '../../src-main/connectors/http.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import {
  buildKanbertFilter,
  buildKanbertSort,
  KANBERT_EVENTS,
  type KanbertFilterGroup,
  kanbertConnector,
  kanbertDeliveryKey,
  kanbertInboxDelivery,
  kanbertInboxEvent,
} from '../../src-main/connectors/kanbert.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type KanbertServer, startKanbertServer } from '../fixtures/kanbert-server.ts';
import { tempApp } from '../helpers.ts';

let kanbert: KanbertServer;
let app: App;

beforeEach(async () => {
  kanbert = await startKanbertServer();
  app = tempApp({ connectors: [...builtInConnectors, kanbertConnector] });
});

afterEach(async () => {
  await kanbert.close();
});

function connect(key: string = kanbert.keys.write, name = 'kanbert-main'): void {
  app.connections.add({ name, app: 'kanbert', baseUrl: kanbert.url, secret: key });
}

type Node = WorkflowInput['nodes'][number];

/** A manual trigger with `sample` as its data, then `steps` in a chain, all on the alias "crm". */
function chain(sample: Record<string, unknown>, ...steps: Omit<Node, 'connection'>[]): WorkflowInput {
  const nodes: Node[] = [{ id: 'start', type: 'logic.manual', params: { sample } }, ...steps.map((s) => ({ ...s, connection: 'crm' }))];
  return {
    format: 'pipewright.workflow/1',
    id: 'kanbert-flow',
    name: 'Kanbert flow',
    connections: { crm: { app: 'kanbert' } },
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: (nodes[i] as Node).id, to: n.id })),
  };
}

const signUpFlow = () =>
  chain(
    { first: 'Anna', last: 'Berger', email: 'anna.berger@example.com', crmId: 'crm-1042' },
    {
      id: 'create',
      type: 'kanbert.createContact',
      params: {
        first_name: '{{ trigger.data.first }}',
        last_name: '{{ trigger.data.last }}',
        email: '{{ trigger.data.email }}',
        external_id: '{{ trigger.data.crmId }}',
        address_country: 'DE',
        custom_fields: { newsletter: true },
      },
    },
    {
      id: 'update',
      type: 'kanbert.updateContact',
      params: { contact: '{{ steps.create.output.id }}', position: 'Head of Finance', gender: 'F' },
    },
    {
      id: 'byExternal',
      type: 'kanbert.getContact',
      params: { contact: '{{ trigger.data.crmId }}', find_by: 'external_id' },
    },
  );

describe('Kanbert golden workflows', () => {
  it('creates a contact, updates it and reads it back by its external ID', async () => {
    connect();
    const result = await app.run(signUpFlow());

    expect(result.status).toBe('succeeded');
    const [create] = kanbert.requestsTo('/contacts', 'POST');
    expect(create?.headers.authorization).toBe(`Bearer ${kanbert.keys.write}`);
    expect(create?.body).toEqual({
      first_name: 'Anna',
      last_name: 'Berger',
      email: 'anna.berger@example.com',
      external_id: 'crm-1042',
      address_country: 'DE',
      custom_fields: { newsletter: true },
    });
    const contact = [...kanbert.contacts.values()][0];
    expect(contact).toMatchObject({ external_id: 'crm-1042', external_origin: 'pipewright', position: 'Head of Finance', gender: 'f' });
    expect(kanbert.requestsTo(`/contacts/${contact?.id}`, 'PATCH')[0]).toMatchObject({
      query: {},
      body: { position: 'Head of Finance', gender: 'f' },
    });
    expect(kanbert.requestsTo('/contacts/crm-1042', 'GET')[0]?.query).toEqual({ find_by: 'external_id' });
    expect(result.steps[3]?.output).toMatchObject({
      id: contact?.id,
      position: 'Head of Finance',
      address_country: { code: 'DE', name: 'Germany' },
      custom_fields: { newsletter: true },
    });
    expect(kanbert.events.map((e) => e.event)).toEqual(['contact:create', 'contact:update']);
  });

  it('dry-runs without sending a single write, showing each planned request with the token redacted', async () => {
    connect();
    const base = signUpFlow();
    const flow: WorkflowInput = {
      ...base,
      nodes: [
        ...base.nodes.slice(0, 3),
        { id: 'delete', type: 'kanbert.deleteContact', connection: 'crm', params: { contact: '{{ steps.create.output.id }}' } },
      ],
      edges: [...(base.edges ?? []).slice(0, 2), { from: 'update', to: 'delete' }],
    };
    const result = await app.run(flow, { dryRun: true });

    expect(result.status).toBe('succeeded');
    expect(kanbert.counts.writes).toBe(0);
    expect(kanbert.contacts.size).toBe(0);
    expect(result.requests.map((r) => `${r.method} ${r.url.replace(kanbert.url, '')}`)).toEqual([
      'POST /contacts',
      expect.stringMatching(/^PATCH \/contacts\/[0-9a-f-]{36}$/),
      expect.stringMatching(/^DELETE \/contacts\/[0-9a-f-]{36}$/),
    ]);
    const [create, update] = result.requests;
    expect(create?.headers).toMatchObject({ Authorization: '••••••', 'Content-Type': 'application/json' });
    expect(create?.body).toMatchObject({ first_name: 'Anna', external_id: 'crm-1042', custom_fields: { newsletter: true } });
    expect(update?.body).toEqual({ position: 'Head of Finance', gender: 'f' });
    const simulatedId = (result.steps[1]?.output as { id: string } | undefined)?.id ?? 'missing';
    expect(update?.url).toContain(simulatedId);
    expect(result.steps[2]).toMatchObject({ simulated: true, output: { id: simulatedId, position: 'Head of Finance' } });
    expect(JSON.stringify(result)).not.toContain(kanbert.keys.write);
    expect(JSON.stringify(app.journal.steps(result.runId))).not.toContain(kanbert.keys.write);
  });

  it('401: a wrong token fails the run with a clear message that does not contain the token', async () => {
    const wrong = 'not-a-valid-kanbert-token-0000000000';
    connect(wrong);
    const result = await app.run(chain({}, { id: 'list', type: 'kanbert.listContacts', params: {} }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Kanbert rejected the credentials of connection "kanbert-main" (401: "Unauthenticated.")');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it.each([
    ['read', 'kanbert.createContact', { first_name: 'X' }, 'contact-data:write', 'create a contact'],
    ['writeOnly', 'kanbert.listContacts', {}, 'contact-data:read', 'list contacts'],
    ['read', 'kanbert.restoreContact', { contact: 'c-1' }, 'contact-data:write', 'restore the contact'],
  ] as const)('403: a %s token running %s names the missing "%s" scope', async (key, type, params, scope, what) => {
    connect(kanbert.keys[key]);
    const result = await app.run(chain({}, { id: 'step', type, params }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain(`lacks the "${scope}" scope needed to ${what} (403: "Invalid scope(s) provided.")`);
  });

  it('404: a contact of another space is not found, and the message says why that may be', async () => {
    connect();
    const foreign = kanbert.addContact({ first_name: 'Not', last_name: 'Ours', space: 'other' });
    const result = await app.run(chain({}, { id: 'get', type: 'kanbert.getContact', params: { contact: foreign.id } }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Kanbert could not read the contact: not found (404: "Contact not found.")');
    expect(result.error).toContain('another workspace');
  });

  it('validation: Kanbert’s own words reach the run (422), and a disallowed filter field is stopped before sending', async () => {
    connect();
    kanbert.addContact({ external_id: 'crm-1', external_origin: 'pipewright' });
    const dup = await app.run(chain({}, { id: 'create', type: 'kanbert.createContact', params: { external_id: 'crm-1' } }));
    expect(dup.error).toContain('Kanbert refused to create a contact (422: "The external id has already been taken.")');

    kanbert.clearLog();
    // The document's own example field: refused when the workflow is checked, before anything is sent.
    await expect(
      app.run(
        chain(
          {},
          { id: 'list', type: 'kanbert.listContacts', params: { filter: [{ field: 'title', operator: 'contains', value: 'Acme' }] } },
        ),
      ),
    ).rejects.toThrow('Kanbert cannot filter contacts by "title"');
    // A field chosen by a template is checked when the step runs.
    const mapped = await app.run(
      chain(
        { field: 'title' },
        {
          id: 'list',
          type: 'kanbert.listContacts',
          params: { filter: [{ field: '{{ trigger.data.field }}', operator: 'contains', value: 'Acme' }] },
        },
      ),
    );
    expect(mapped.status).toBe('failed');
    expect(mapped.error).toContain('Kanbert cannot filter contacts by "title"');
    expect(kanbert.counts.requests).toBe(0);

    const raw = await app.run(
      chain({}, { id: 'list', type: 'kanbert.listContacts', params: { filter_expression: 'title contains "Acme"' } }),
    );
    expect(raw.error).toContain(`Kanbert refused to list contacts (400: "Filter field 'title' is not allowed.")`);
  });

  it('429 then success: waits at least Retry-After and reads again', async () => {
    connect();
    kanbert.addContact({ first_name: 'Anna' });
    kanbert.inject({ status: 429, retryAfter: '1', method: 'GET', path: '/contacts' });
    const started = performance.now();
    const result = await app.run(chain({}, { id: 'list', type: 'kanbert.listContacts', params: {} }));
    const elapsed = performance.now() - started;

    expect(result.status).toBe('succeeded');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(kanbert.requestsTo('/contacts', 'GET').map((r) => r.status)).toEqual([429, 200]);
    expect(result.steps[1]?.output).toMatchObject({ count: 1 });
  });

  it('500 on a read: retried with backoff until it works', async () => {
    connect();
    const contact = kanbert.addContact({ first_name: 'Flaky' });
    kanbert.inject({ status: 500, times: 2, method: 'GET' });
    const result = await app.run(chain({}, { id: 'get', type: 'kanbert.getContact', params: { contact: contact.id } }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ id: contact.id, first_name: 'Flaky' });
    expect(kanbert.requestsTo(`/contacts/${contact.id}`).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('500 on a create: not sent again (it might have been made), the run fails saying so', async () => {
    connect();
    kanbert.inject({ status: 500, method: 'POST', path: '/contacts' });
    const result = await app.run(chain({}, { id: 'create', type: 'kanbert.createContact', params: { first_name: 'Once' } }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Kanbert had a server error when trying to create a contact (500: "Server Error")');
    expect(kanbert.requestsTo('/contacts', 'POST')).toHaveLength(1);
  });

  it('a slow answer within the timeout is waited for', async () => {
    connect();
    const contact = kanbert.addContact({ first_name: 'Slow' });
    kanbert.inject({ delayMs: 400, method: 'GET' });
    const started = performance.now();
    const result = await app.run(chain({}, { id: 'get', type: 'kanbert.getContact', params: { contact: contact.id } }));
    expect(result.status).toBe('succeeded');
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    expect(kanbert.requestsTo(`/contacts/${contact.id}`)).toHaveLength(1);
  });

  it('reads every page to the end by cursor, and stops at "At most"', async () => {
    connect(kanbert.keys.read);
    for (let i = 0; i < 237; i++) kanbert.addContact({ first_name: `Person ${i + 1}`, last_name: i % 2 ? 'Odd' : 'Even' });

    const all = await app.run(chain({}, { id: 'list', type: 'kanbert.listContacts', params: { limit: 1000 } }));
    expect(all.status).toBe('succeeded');
    expect(all.steps[1]?.output).toMatchObject({ count: 237, truncated: false, first: { first_name: 'Person 1' }, filter: null });
    const queries = kanbert.requestsTo('/contacts', 'GET').map((r) => r.query);
    expect(queries).toHaveLength(3);
    expect(queries[0]).toEqual({ 'page[size]': '100' });
    expect(queries[1]).toEqual({ 'page[size]': '100', 'page[cursor]': expect.any(String) });
    expect(queries[2]?.['page[cursor]']).not.toBe(queries[1]?.['page[cursor]']);

    kanbert.clearLog();
    const some = await app.run(
      chain(
        {},
        { id: 'list', type: 'kanbert.listContacts', params: { filter: [{ field: 'last_name', operator: 'eq', value: 'Odd' }], limit: 30 } },
      ),
    );
    expect(some.steps[1]?.output).toMatchObject({ count: 30, truncated: true, filter: 'last_name eq "Odd"' });
    expect(kanbert.requestsTo('/contacts', 'GET').map((r) => r.query)).toEqual([{ 'page[size]': '30', filter: 'last_name eq "Odd"' }]);
  });

  it('filters with nested groups, companies, special dates and lists, in the DSL and the JSON form alike', async () => {
    connect();
    const acme = kanbert.addCompany({ company_name: 'Acme GmbH' });
    const old = new Date(kanbert.today.getTime() - 90 * 86_400_000).toISOString();
    kanbert.addContact({
      first_name: 'Anna',
      last_name: 'Berger',
      email: 'anna@acme.example',
      companies: [{ company_id: acme.id, position: null }],
    });
    kanbert.addContact({ first_name: 'Ben', last_name: 'Meyer', email: 'ben@other.example', created_at: old });
    kanbert.addContact({ first_name: 'Carla', last_name: 'Meyer', email: null, client_id: 'cl-1' });
    kanbert.addContact({ first_name: 'Dirk', last_name: 'Schulz', email: 'dirk@acme.example', created_at: old });

    const filter: KanbertFilterGroup = {
      match: 'any',
      conditions: [
        {
          field: 'companies',
          operator: 'any',
          where: { match: 'all', conditions: [{ field: 'company_name', operator: 'startswith', value: 'acme' }] },
        },
        {
          match: 'all',
          conditions: [
            { field: 'last_name', operator: 'in', value: 'Meyer, Schulz' },
            { field: 'created_at', operator: 'lt', value: 'today-30d' },
            { field: 'email', operator: 'endswith', value: '@other.example' },
          ],
        },
        { field: 'email', operator: 'isnull' },
      ],
    };
    const names = (r: Awaited<ReturnType<App['run']>>) =>
      ((r.steps[1]?.output as { contacts?: { first_name: string }[] } | undefined)?.contacts ?? []).map((c) => c.first_name).sort();

    const dsl = await app.run(
      chain({}, { id: 'list', type: 'kanbert.listContacts', params: { filter, sort: '-created_at', include_companies: 'yes' } }),
    );
    expect(dsl.status).toBe('succeeded');
    const sent = kanbert.requestsTo('/contacts', 'GET')[0]?.query;
    expect(sent).toMatchObject({
      filter:
        'companies any (company_name startswith "acme") or (last_name in ("Meyer", "Schulz") and created_at lt today-30d and email endswith "@other.example") or email isnull',
      sort: '-created_at',
      include: 'companies',
    });
    expect(names(dsl)).toEqual(['Anna', 'Ben', 'Carla']);
    expect((dsl.steps[1]?.output as { first?: { companies?: unknown[] } } | undefined)?.first?.companies).toBeDefined();

    kanbert.clearLog();
    const json = await app.run(chain({}, { id: 'list', type: 'kanbert.listContacts', params: { filter, filter_format: 'json' } }));
    expect(json.status).toBe('succeeded');
    expect(JSON.parse(kanbert.requestsTo('/contacts', 'GET')[0]?.query.filter ?? '')).toMatchObject({ or: expect.any(Array) });
    expect(names(json)).toEqual(['Anna', 'Ben', 'Carla']);
  });

  it('values mapped from the trigger are quoted safely in the filter', async () => {
    connect();
    kanbert.addContact({ first_name: 'Quote "Q" Tester', email: 'q@example.com' });
    kanbert.addContact({ first_name: 'Other', email: 'o@example.com' });
    const result = await app.run(
      chain(
        { name: 'Quote "Q" Tester' },
        {
          id: 'list',
          type: 'kanbert.listContacts',
          params: { filter: [{ field: 'first_name', operator: 'eq', value: '{{ trigger.data.name }}' }] },
        },
      ),
    );
    expect(result.steps[1]?.output).toMatchObject({
      count: 1,
      first: { email: 'q@example.com' },
      filter: 'first_name eq "Quote \\"Q\\" Tester"',
    });
  });

  it('deletes softly, lists deleted contacts with archived, and restores', async () => {
    connect();
    const contact = kanbert.addContact({ first_name: 'Gone', external_id: 'ext-9', external_origin: 'pipewright' });
    const result = await app.run(
      chain(
        {},
        { id: 'delete', type: 'kanbert.deleteContact', params: { contact: 'ext-9', find_by: 'external_id' } },
        { id: 'live', type: 'kanbert.listContacts', params: {} },
        { id: 'deleted', type: 'kanbert.listContacts', params: { filter: [{ field: 'archived', operator: 'eq', value: 'only' }] } },
        { id: 'restore', type: 'kanbert.restoreContact', params: { contact: contact.id } },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(kanbert.requestsTo('/contacts/ext-9', 'DELETE')[0]?.query).toEqual({ find_by: 'external_id' });
    expect(result.steps[1]?.output).toEqual({ deleted: true, contact: 'ext-9', message: 'Contact deleted successfully' });
    expect(result.steps[2]?.output).toMatchObject({ count: 0 });
    expect(result.steps[3]?.output).toMatchObject({ count: 1, first: { id: contact.id, deleted_at: expect.any(String) } });
    expect(result.steps[4]?.output).toMatchObject({ id: contact.id, deleted_at: null });
    expect(kanbert.contacts.get(contact.id)?.deleted_at).toBeNull();
  });

  it('sets the external ID, attaches and detaches a company, and empties fields', async () => {
    connect();
    const contact = kanbert.addContact({ first_name: 'Linked', fax: '+49 30 999' });
    const company = kanbert.addCompany({ company_name: 'Globex AG' });
    const result = await app.run(
      chain(
        {},
        { id: 'ext', type: 'kanbert.setExternalId', params: { contact: contact.id, external_id: 'erp-77', external_origin: 'erp' } },
        {
          id: 'attach',
          type: 'kanbert.attachCompany',
          params: { contact: 'erp-77', find_by: 'external_id', origin: 'erp', company_id: company.id, position: 'CEO' },
        },
        { id: 'get', type: 'kanbert.getContact', params: { contact: contact.id, include_companies: true } },
        { id: 'detach', type: 'kanbert.detachCompany', params: { contact: contact.id, company_id: company.id } },
        { id: 'clear', type: 'kanbert.updateContact', params: { contact: contact.id, clear: 'fax' } },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(kanbert.requestsTo(`/contacts/${contact.id}/external-identifier`, 'PUT')[0]?.body).toEqual({
      external_id: 'erp-77',
      external_origin: 'erp',
    });
    expect(kanbert.requestsTo('/contacts/erp-77/company/attach', 'PUT')[0]).toMatchObject({
      query: { find_by: 'external_id', origin: 'erp' },
      body: { company_id: company.id, position: 'CEO' },
    });
    expect(result.steps[2]?.output).toMatchObject({ message: 'Contact successfully associated with company', position: 'CEO' });
    expect(result.steps[3]?.output).toMatchObject({
      external_id: 'erp-77',
      companies: [{ id: company.id, company_name: 'Globex AG', contact_company: { position: 'CEO' } }],
    });
    expect(result.steps[4]?.output).toMatchObject({ message: 'Contact successfully detached from company' });
    expect(kanbert.requestsTo(`/contacts/${contact.id}`, 'PATCH')[0]?.body).toEqual({ fax: null });
    expect(kanbert.contacts.get(contact.id)).toMatchObject({ companies: [], fax: null });
  });
});

// ---------------------------------------------------------------------------------------------

describe('Kanbert filter builder', () => {
  const row = (field: string, operator: string, value?: unknown) => ({ field, operator, value });
  const all = (...conditions: KanbertFilterGroup['conditions']): KanbertFilterGroup => ({ match: 'all', conditions });
  const any = (...conditions: KanbertFilterGroup['conditions']): KanbertFilterGroup => ({ match: 'any', conditions });

  it.each<[string, KanbertFilterGroup, string, unknown]>([
    [
      'one row',
      all(row('first_name', 'eq', 'Anna')),
      'first_name eq "Anna"',
      { and: [{ field: 'first_name', operator: 'eq', value: 'Anna' }] },
    ],
    [
      'and of two',
      all(row('last_name', 'contains', 'berg'), row('email', 'endswith', '@example.com')),
      'last_name contains "berg" and email endswith "@example.com"',
      {
        and: [
          { field: 'last_name', operator: 'contains', value: 'berg' },
          { field: 'email', operator: 'endswith', value: '@example.com' },
        ],
      },
    ],
    [
      'the document example, on allowed fields',
      all(row('client.name', 'contains', 'Acme'), any(row('created_at', 'gte', '2024-01-01'), row('client.name', 'contains', 'Corp'))),
      'client.name contains "Acme" and (created_at gte "2024-01-01" or client.name contains "Corp")',
      {
        and: [
          { field: 'client.name', operator: 'contains', value: 'Acme' },
          {
            or: [
              { field: 'created_at', operator: 'gte', value: '2024-01-01' },
              { field: 'client.name', operator: 'contains', value: 'Corp' },
            ],
          },
        ],
      },
    ],
    [
      'aliases and symbols become one name',
      all(row('email', 'notnull'), row('birthday', '>=', '1990-01-01'), row('owner.id', 'neq', 'u-1')),
      'email isnotnull and birthday gte "1990-01-01" and owner.id ne "u-1"',
      {
        and: [
          { field: 'email', operator: 'isnotnull' },
          { field: 'birthday', operator: 'gte', value: '1990-01-01' },
          { field: 'owner.id', operator: 'ne', value: 'u-1' },
        ],
      },
    ],
    [
      'special values stay bare',
      all(row('updated_at', 'gt', 'sow'), row('created_at', 'lt', 'Today-30d'), row('owner.id', 'eq', 'me.id')),
      'updated_at gt sow and created_at lt today-30d and owner.id eq me.id',
      {
        and: [
          { field: 'updated_at', operator: 'gt', value: 'sow' },
          { field: 'created_at', operator: 'lt', value: 'today-30d' },
          { field: 'owner.id', operator: 'eq', value: 'me.id' },
        ],
      },
    ],
    [
      'lists from text or arrays',
      all(row('address_zip', 'in', '10115, 10117'), row('client.id', 'nin', ['cl-1', 'cl-2'])),
      'address_zip in ("10115", "10117") and client.id nin ("cl-1", "cl-2")',
      {
        and: [
          { field: 'address_zip', operator: 'in', value: ['10115', '10117'] },
          { field: 'client.id', operator: 'nin', value: ['cl-1', 'cl-2'] },
        ],
      },
    ],
    [
      'custom fields: numbers bare for comparisons, text quoted',
      all(row('custom_fields.score', 'gte', '10'), row('custom_fields.my_flag', 'eq', 'yes'), row('custom_fields.vip', 'eq', true)),
      'custom_fields.score gte 10 and custom_fields.my_flag eq "yes" and custom_fields.vip eq true',
      {
        and: [
          { field: 'custom_fields.score', operator: 'gte', value: 10 },
          { field: 'custom_fields.my_flag', operator: 'eq', value: 'yes' },
          { field: 'custom_fields.vip', operator: 'eq', value: true },
        ],
      },
    ],
    [
      'companies: relation, shorthand and count',
      all(
        { field: 'companies', operator: 'none', where: all(row('email', 'contains', 'spam')) },
        row('companies.company_name', 'startswith', 'Acme'),
        { field: 'companies', operator: 'count', comparison: '>=', value: '2' },
      ),
      'companies none (email contains "spam") and companies any (company_name startswith "Acme") and companies count gte 2',
      {
        and: [
          { field: 'companies', operator: 'none', where: { and: [{ field: 'email', operator: 'contains', value: 'spam' }] } },
          { field: 'companies', operator: 'any', where: { field: 'company_name', operator: 'startswith', value: 'Acme' } },
          { field: 'companies', operator: 'count', comparison: 'gte', value: 2 },
        ],
      },
    ],
    [
      'archived and quotes',
      all(row('archived', 'eq', 'With'), row('first_name', 'eq', 'Say "hi" \\o/')),
      'archived eq "with" and first_name eq "Say \\"hi\\" \\\\o/"',
      {
        and: [
          { field: 'archived', operator: 'eq', value: 'with' },
          { field: 'first_name', operator: 'eq', value: 'Say "hi" \\o/' },
        ],
      },
    ],
    [
      'a group of one needs no parentheses',
      all(any(row('first_name', 'like', 'An%'))),
      'first_name like "An%"',
      { and: [{ or: [{ field: 'first_name', operator: 'like', value: 'An%' }] }] },
    ],
  ])('%s', (_name, group, dsl, json) => {
    expect(buildKanbertFilter(group)).toBe(dsl);
    expect(JSON.parse(buildKanbertFilter(group, 'json') ?? 'null')).toEqual(json);
  });

  it('an empty builder means no filter', () => {
    expect(buildKanbertFilter(undefined)).toBeUndefined();
    expect(buildKanbertFilter({ match: 'all', conditions: [] })).toBeUndefined();
  });

  it.each<[string, KanbertFilterGroup, string]>([
    [
      'a field the table does not allow (the document’s own example)',
      all(row('title', 'contains', 'Acme')),
      'Kanbert cannot filter contacts by "title"',
    ],
    [
      'an operator the field does not take',
      all(row('birthday', 'contains', '1990')),
      'Kanbert cannot use "contains" on birthday; use one of eq, ne, lt',
    ],
    ['order on text', all(row('email', 'gt', 'a')), 'Kanbert cannot use "gt" on email'],
    ['a date that is not one', all(row('created_at', 'gte', 'last week')), 'created_at needs a date such as 2026-06-30'],
    ['a missing value (an empty template)', all(row('email', 'eq', '')), 'Condition 1: email eq needs a value'],
    ['an empty list', all(row('email', 'in', ' , ')), 'email in needs a list of values'],
    ['archived values', all(row('archived', 'eq', 'maybe')), 'archived must be "with", "only" or "without"'],
    ['a company field that does not exist', all(row('companies.revenue', 'gt', 5)), 'Kanbert cannot filter companies by "revenue"'],
    ['a relation without conditions', all({ field: 'companies', operator: 'any' }), 'companies any needs conditions on the companies'],
    [
      'where the row is, in nested groups',
      all(row('email', 'isnull'), any(row('first_name', 'eq', 'A'), row('nope', 'eq', 1))),
      'Condition 2.2',
    ],
    ['a bad custom field name', all(row('custom_fields.a b', 'eq', 1)), 'is not a custom field name'],
  ])('rejects %s', (_name, group, message) => {
    expect(() => buildKanbertFilter(group)).toThrow(message);
  });

  it.each([
    [[{ field: 'created_at', direction: 'desc' as const }, { field: 'last_name' }], '-created_at,last_name'],
    [[{ field: 'custom_fields.score', direction: 'asc' as const }], 'custom_fields.score'],
    [[], undefined],
  ])('sorts %j as %s', (rows, expected) => {
    expect(buildKanbertSort(rows)).toBe(expected);
  });

  it('refuses to sort by a field the document does not list', () => {
    expect(() => buildKanbertSort([{ field: 'title' }])).toThrow('Kanbert cannot sort contacts by "title"');
  });
});

// ---------------------------------------------------------------------------------------------

describe('Kanbert triggers', () => {
  const triggerFlow = (type: string, params: Record<string, unknown> = {}): WorkflowInput => ({
    format: 'pipewright.workflow/1',
    id: 'kanbert-trigger',
    name: 'On Kanbert contact',
    connections: { crm: { app: 'kanbert' } },
    nodes: [
      { id: 'trigger', type, connection: 'crm', params },
      { id: 'note', type: 'logic.set', params: { fields: { name: '{{ trigger.data.first_name }}' } } },
    ],
    edges: [{ from: 'trigger', to: 'note' }],
  });

  it('a delivery repeated because it was answered late counts once: one dedupe key, one inbox event, one run', async () => {
    connect();
    app.save(triggerFlow('kanbert.contactUpdated'));
    await app.setLive('kanbert-trigger', true);

    const keys: string[] = [];
    const added: (number | undefined)[] = [];
    let attempts = 0;
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const delivery = kanbertInboxDelivery(JSON.parse(Buffer.concat(chunks).toString('utf8')), new Date().toISOString());
        keys.push(delivery.dedupeKey as string);
        added.push(app.inbox.add(delivery));
        // The first two answers come after Kanbert's timeout, so it sends the delivery again.
        attempts++;
        setTimeout(() => res.writeHead(200).end(), attempts < 3 ? 300 : 0);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      kanbert.deliveryTimeoutMs = 150;
      const contact = kanbert.addContact({ first_name: 'Repeat' });
      const deliveries = await kanbert.deliver(
        `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/kanbert`,
        'contact:update',
        contact,
      );
      expect(deliveries.map((d) => d.status)).toEqual([0, 0, 200]);
      expect(new Set(deliveries.map((d) => d.rawBody)).size).toBe(1);
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(new RegExp(`^contact:update:${contact.id}:[0-9a-f]{32}$`));
      expect(added.filter((id) => id !== undefined)).toHaveLength(1);

      await app.settle();
      const runs = app.journal.list({ workflowId: 'kanbert-trigger' });
      expect(runs).toHaveLength(1);
      expect(runs[0]?.status).toBe('succeeded');

      // A real second change of the same contact is a new event.
      contact.position = 'CFO';
      contact.updated_at = '2026-06-17T15:00:00Z';
      expect(kanbertDeliveryKey(kanbert.payload('contact:update', contact))).not.toBe(keys[0]);
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('the dedupe key ignores key order and anything beyond the documented fields', () => {
    const contact = kanbert.addContact({ first_name: 'Same' });
    const payload = kanbert.payload('contact:create', contact);
    const reordered = Object.fromEntries(Object.entries(payload).reverse());
    expect(kanbertDeliveryKey(reordered)).toBe(kanbertDeliveryKey(payload));
    expect(kanbertDeliveryKey({ ...payload, attempt: 2 })).toBe(kanbertDeliveryKey(payload));
    expect(kanbertDeliveryKey({ ...payload, event: 'contact:delete' })).not.toBe(kanbertDeliveryKey(payload));
    expect(() => kanbertInboxDelivery({ event: 'company:create' }, '2026-06-17T14:20:00Z')).toThrow('Not a Kanbert contact event');
  });

  it('start from Kanbert deliveries only, never from local CRM contact events', async () => {
    connect();
    app.save(triggerFlow('kanbert.contactCreated'));
    await app.setLive('kanbert-trigger', true);
    app.crm.createContact({ first_name: 'Local', last_name: 'Person', email: 'local@example.com' });
    await app.settle();
    expect(app.journal.list({ workflowId: 'kanbert-trigger' })).toHaveLength(0);

    const contact = kanbert.addContact({ first_name: 'Remote' });
    app.inbox.add(kanbertInboxDelivery(kanbert.payload('contact:create', contact), new Date().toISOString()));
    await app.settle();
    const runs = app.journal.list({ workflowId: 'kanbert-trigger' });
    expect(runs).toHaveLength(1);
    expect(app.journal.steps(runs[0]?.runId ?? '').find((s) => s.nodeId === 'note')?.output).toMatchObject({ name: 'Remote' });
  });

  it('can skip changes made through integrations (echoes of a sync) and keep to one external origin', () => {
    const trigger = app.registry.resolve('kanbert.contactUpdated');
    if (trigger?.kind !== 'trigger') throw new Error('no trigger');
    const contact = kanbert.addContact({ first_name: 'Echo', external_id: 'x-1', external_origin: 'erp' });
    const event = (by: 'user' | 'integration') =>
      kanbertInboxDelivery(kanbert.payload('contact:update', contact, by), '2026-06-17T14:20:00Z').payload as never;
    const matches = (params: Record<string, unknown>, by: 'user' | 'integration') =>
      trigger.trigger.matches?.(trigger.trigger.params.parse(params), event(by), app.crm);
    expect(matches({}, 'integration')).toBe(true);
    expect(matches({ skipIntegrations: 'yes' }, 'integration')).toBe(false);
    expect(matches({ skipIntegrations: 'yes' }, 'user')).toBe(true);
    expect(matches({ externalOrigin: 'erp' }, 'user')).toBe(true);
    expect(matches({ externalOrigin: 'shop' }, 'user')).toBe(false);
    const created = app.registry.resolve('kanbert.contactCreated');
    if (created?.kind !== 'trigger') throw new Error('no trigger');
    expect(created.trigger.matches?.(created.trigger.params.parse({}), event('user'), app.crm)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('Kanbert in the catalog', () => {
  /** Every operation and webhook of kanbert-contacts-api.txt, and the node that covers it. */
  const documented: [string, string][] = [
    ['GET /contacts', 'kanbert.listContacts'],
    ['GET /contacts/{id}?find_by=id|external_id', 'kanbert.getContact'],
    ['POST /contacts', 'kanbert.createContact'],
    ['PATCH /contacts/{id}', 'kanbert.updateContact'],
    ['DELETE /contacts/{id}', 'kanbert.deleteContact'],
    ['POST /contacts/{id}/restore', 'kanbert.restoreContact'],
    ['PUT /contacts/{id}/external-identifier', 'kanbert.setExternalId'],
    ['PUT /contacts/{id}/company/attach', 'kanbert.attachCompany'],
    ['PUT /contacts/{id}/company/detach', 'kanbert.detachCompany'],
    ['contact:create', 'kanbert.contactCreated'],
    ['contact:update', 'kanbert.contactUpdated'],
    ['contact:delete', 'kanbert.contactDeleted'],
  ];

  it('has a node with a label and help text for every documented operation and webhook', () => {
    const nodes = new Map(app.registry.catalog().nodes.map((n) => [n.type, n]));
    for (const [operation, type] of documented) {
      const node = nodes.get(type);
      expect(node, operation).toBeDefined();
      expect(node?.label.length, type).toBeGreaterThan(3);
      expect(node?.description.length, type).toBeGreaterThan(20);
      if (node?.kind === 'trigger') {
        expect(node.events, type).toEqual([kanbertInboxEvent(operation)]);
        expect(node.description, type).toMatch(/10 seconds.*repeats/);
      }
      for (const [field, schema] of Object.entries(
        (node?.input.properties ?? {}) as Record<string, { title?: string; description?: string }>,
      )) {
        expect(schema.title, `${type} ${field}`).toBeTruthy();
        expect(schema.description, `${type} ${field}`).toBeTruthy();
      }
    }
    const types = [...nodes.keys()].filter((t) => t.startsWith('kanbert.'));
    expect(types.sort()).toEqual(documented.map(([, t]) => t).sort());
    expect(documented.filter(([op]) => !op.includes('/')).map(([op]) => op)).toEqual([...KANBERT_EVENTS]);
    expect(kanbertInboxEvent('contact:create')).toBe('kanbert:contact.create');
  });

  it('declares every write with a plan, and the scope each operation needs in its help', () => {
    for (const action of kanbertConnector.actions) {
      if (action.effect === 'write') expect(action.plan, action.key).toBeTypeOf('function');
      expect(action.description, action.key).toMatch(action.effect === 'write' ? /contact-data:write/ : /contact-data:read/);
    }
  });
});

describe('Kanbert "test connection"', () => {
  it('reads one contact, and explains a bad token (401) and a missing scope (403), naming it', async () => {
    kanbert.addContact({ first_name: 'Anna', last_name: 'Berger' });
    connect(kanbert.keys.read);
    const ok = await testConnection(app.connections.resolve('kanbert-main'));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.message).toContain('contacts can be read (e.g. Anna Berger)');
    expect(kanbert.requestsTo('/contacts', 'GET')[0]?.query).toEqual({ 'page[size]': '1' });

    app.connections.update('kanbert-main', { secret: 'revoked-token-00000000000000' });
    const bad = await testConnection(app.connections.resolve('kanbert-main'));
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(bad.message).toContain('Kanbert rejected the API key (401 Unauthorized: "Unauthenticated.")');
    expect(bad.message).not.toContain('revoked-token');

    app.connections.update('kanbert-main', { secret: kanbert.keys.writeOnly });
    const forbidden = await testConnection(app.connections.resolve('kanbert-main'));
    expect(forbidden).toMatchObject({ ok: false, status: 403, scope: 'contact-data:read' });
    expect(forbidden.message).toContain('lacks the "contact-data:read" scope');
  });
});
