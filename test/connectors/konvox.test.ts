import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { testConnection } from '../../src-main/connectors/http.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import { konvoxAuthStyle, konvoxConnector, konvoxPath } from '../../src-main/connectors/konvox.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type KonvoxServer, startKonvoxServer } from '../fixtures/konvox-server.ts';
import { tempApp } from '../helpers.ts';

let konvox: KonvoxServer;
let app: App;

beforeEach(async () => {
  konvox = await startKonvoxServer();
  app = tempApp({ connectors: [...builtInConnectors, konvoxConnector] });
});

afterEach(async () => {
  await konvox.close();
});

function connect(
  key: string = konvox.keys.full,
  options: { name?: string; auth?: 'bearer' | 'apiKey'; extras?: Record<string, string>; baseUrl?: string } = {},
): void {
  app.connections.add({
    name: options.name ?? 'konvox-main',
    app: 'konvox',
    baseUrl: options.baseUrl ?? konvox.url,
    secret: key,
    ...(options.auth ? { auth: options.auth } : {}),
    extras: options.extras ?? {},
  });
}

type Node = WorkflowInput['nodes'][number];

function chain(sample: Record<string, unknown>, ...steps: Omit<Node, 'connection'>[]): WorkflowInput {
  const nodes: Node[] = [{ id: 'start', type: 'logic.manual', params: { sample } }, ...steps.map((s) => ({ ...s, connection: 'out' }))];
  return {
    format: 'pipewright.workflow/1',
    id: 'konvox-flow',
    name: 'Konvox flow',
    connections: { out: { app: 'konvox' } },
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: (nodes[i] as Node).id, to: n.id })),
  };
}

const launchFlow = () =>
  chain(
    { email: 'maria.lopez@example.com', first: 'Maria', company: 'Lopez Roofing' },
    { id: 'sender', type: 'konvox.createSenderIdentity', params: { localPart: 'sales', displayName: 'Acme Sales' } },
    {
      id: 'campaign',
      type: 'konvox.createCampaign',
      params: { name: 'Roofers Q3', channel: 'Email', senderIdentityId: '{{ steps.sender.output.id }}', profileId: 'prf_1' },
    },
    {
      id: 'contact',
      type: 'konvox.createContact',
      params: { email: '{{ trigger.data.email }}', firstName: '{{ trigger.data.first }}', companyName: '{{ trigger.data.company }}' },
    },
    { id: 'go', type: 'konvox.setCampaignStatus', params: { campaign_id: '{{ steps.campaign.output.id }}', status: 'active' } },
  );

describe('Konvox golden workflows', () => {
  it('creates a sender, an email campaign and a contact, then starts the campaign', async () => {
    connect();
    const result = await app.run(launchFlow());

    expect(result.status).toBe('succeeded');
    const [sender] = konvox.requestsTo('/sender-identities', 'POST');
    expect(sender?.headers.authorization).toBe(`Bearer ${konvox.keys.full}`);
    expect(sender?.body).toEqual({ localPart: 'sales', displayName: 'Acme Sales' });
    const senderRow = [...konvox.senders.values()][0];
    expect(result.steps[1]?.output).toMatchObject({ id: senderRow?.id, email: 'sales@acme.konvox.io' });
    expect(konvox.requestsTo('/campaigns', 'POST')[0]?.body).toEqual({
      name: 'Roofers Q3',
      channel: 'email',
      senderIdentityId: senderRow?.id,
      profileId: 'prf_1',
    });
    expect(konvox.requestsTo('/contacts', 'POST')[0]?.body).toEqual({
      email: 'maria.lopez@example.com',
      firstName: 'Maria',
      companyName: 'Lopez Roofing',
    });
    expect(result.steps[3]?.output).toMatchObject({ email: 'maria.lopez@example.com', created: true });
    const campaign = [...konvox.campaigns.values()][0];
    expect(konvox.requestsTo(`/campaigns/${campaign?.id}`, 'PATCH')[0]?.body).toEqual({ status: 'active' });
    expect(result.steps[4]?.output).toMatchObject({ id: campaign?.id, status: 'active', targetsByState: expect.any(Object) });
    expect(konvox.requests.every((r) => r.path.startsWith('/') && r.status !== 404)).toBe(true);
  });

  it('sends the key as X-API-Key when the connection says so, and finds /api/v1 in a base URL that has it', async () => {
    connect(konvox.keys.full, { auth: 'apiKey', baseUrl: `${konvox.url}/api/v1` });
    const result = await app.run(chain({}, { id: 'list', type: 'konvox.listCampaigns', params: {} }));
    expect(result.status).toBe('succeeded');
    const [request] = konvox.requestsTo('/campaigns', 'GET');
    expect(request?.headers['x-api-key']).toBe(konvox.keys.full);
    expect(request?.headers.authorization).toBeUndefined();

    const client = { baseUrl: 'https://konvox.example', connection: { extras: {} } } as never;
    expect(konvoxPath(client, 'campaigns')).toBe('/api/v1/campaigns');
    expect(konvoxPath({ baseUrl: 'https://konvox.example/api/v1', connection: { extras: {} } } as never, 'campaigns')).toBe('/campaigns');
    expect(konvoxPath({ baseUrl: 'https://konvox.example', connection: { extras: { apiPath: 'api/v2/' } } } as never, 'webhooks')).toBe(
      '/api/v2/webhooks',
    );
    expect(konvoxAuthStyle({ auth: 'bearer', extras: { authHeader: 'X-API-Key' } })).toBe('x-api-key');
    expect(konvoxAuthStyle({ auth: 'apiKey', extras: { authHeader: 'bearer' } })).toBe('bearer');
    expect(konvoxAuthStyle({ auth: 'bearer', extras: {} })).toBe('bearer');
    expect(() => konvoxAuthStyle({ auth: 'bearer', extras: { authHeader: 'cookie' } })).toThrow('"bearer" or "x-api-key"');
  });

  it('dry-runs without sending a single write, showing each planned request with the key redacted', async () => {
    connect(konvox.keys.full, { extras: { authHeader: 'x-api-key' } });
    const result = await app.run(launchFlow(), { dryRun: true });

    expect(result.status).toBe('succeeded');
    expect(konvox.counts.writes).toBe(0);
    expect(konvox.campaigns.size + konvox.contacts.size + konvox.senders.size).toBe(0);
    expect(result.requests.map((r) => `${r.method} ${r.url.replace(konvox.url, '')}`)).toEqual([
      'POST /api/v1/sender-identities',
      'POST /api/v1/campaigns',
      'POST /api/v1/contacts',
      expect.stringMatching(/^PATCH \/api\/v1\/campaigns\/cmp_[0-9a-f]{10}$/),
    ]);
    for (const request of result.requests) expect(request.headers).toMatchObject({ 'X-API-Key': '••••••' });
    const simulatedSender = (result.steps[1]?.output as { id: string } | undefined)?.id ?? 'missing';
    expect(result.requests[1]?.body).toMatchObject({ senderIdentityId: simulatedSender });
    expect(result.steps[4]).toMatchObject({ simulated: true, output: { status: 'active', name: '' } });
    expect(JSON.stringify(result)).not.toContain(konvox.keys.full);
    expect(JSON.stringify(app.journal.steps(result.runId))).not.toContain(konvox.keys.full);
  });

  it('401: a wrong key fails the run with a clear message that does not contain the key', async () => {
    const wrong = 'kvx_live_0000000000000000wrongkey';
    connect(wrong);
    const result = await app.run(chain({}, { id: 'list', type: 'konvox.listContacts', params: {} }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Konvox rejected the credentials of connection "konvox-main" (401: "Missing or invalid API key")');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('403: a read-only key names the scope Konvox says it lacks; a plan limit is explained as such', async () => {
    connect(konvox.keys.readOnly);
    const scope = await app.run(chain({}, { id: 'create', type: 'konvox.createCampaign', params: { name: 'X', channel: 'linkedin' } }));
    expect(scope.status).toBe('failed');
    expect(scope.error).toContain('lacks the "write" scope needed to create a campaign (403: "Insufficient scope: write required")');

    app.connections.update('konvox-main', { secret: konvox.keys.full });
    konvox.maxActiveCampaigns = 0;
    const campaign = konvox.addCampaign({ name: 'Too many' });
    const limit = await app.run(
      chain({}, { id: 'go', type: 'konvox.setCampaignStatus', params: { campaign_id: campaign.id, status: 'active' } }),
    );
    expect(limit.status).toBe('failed');
    expect(limit.error).toContain(
      'Konvox refused to let connection "konvox-main" change the campaign status (403: "Plan limit reached: your plan allows 0 active campaigns")',
    );
    expect(limit.error).toContain('plan limit is reached');
  });

  it('404: a campaign of another company is not found, and the message says why that may be', async () => {
    connect();
    const foreign = konvox.addCampaign({ name: 'Theirs', company: 'other' });
    const result = await app.run(chain({}, { id: 'get', type: 'konvox.getCampaign', params: { campaign_id: foreign.id } }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Konvox could not read the campaign: not found (404: "Campaign not found")');
  });

  it('400: checked before sending where Pipewright can, else Konvox’s own words reach the run', async () => {
    connect();
    // A workflow whose settings cannot work is refused before it runs; values from templates are checked when the step runs.
    await expect(
      app.run(chain({}, { id: 'create', type: 'konvox.createCampaign', params: { name: 'No sender', channel: 'email' } })),
    ).rejects.toThrow('Step "create": field "senderIdentityId" is required.');
    const mapped = await app.run(
      chain(
        { channel: 'email' },
        { id: 'create', type: 'konvox.createCampaign', params: { name: 'Mapped', channel: '{{ trigger.data.channel }}' } },
      ),
    );
    expect(mapped.error).toContain('field "senderIdentityId": an email campaign needs a sender');
    expect(konvox.counts.requests).toBe(0);

    const remote = await app.run(
      chain(
        {},
        { id: 'create', type: 'konvox.createCampaign', params: { name: 'Bad sender', channel: 'email', senderIdentityId: 'snd_nope' } },
      ),
    );
    expect(remote.error).toContain(`Konvox refused to create a campaign (400: "Sender identity 'snd_nope' not found")`);
  });

  it('429 then success: waits at least Retry-After and sends the create once more', async () => {
    connect();
    konvox.inject({ status: 429, retryAfter: '1', method: 'POST', path: '/campaigns' });
    const started = performance.now();
    const result = await app.run(
      chain({}, { id: 'create', type: 'konvox.createCampaign', params: { name: 'Patient', channel: 'linkedin' } }),
    );
    const elapsed = performance.now() - started;

    expect(result.status).toBe('succeeded');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(konvox.requestsTo('/campaigns', 'POST').map((r) => r.status)).toEqual([429, 201]);
    expect(konvox.campaigns.size).toBe(1);
  });

  it('500: a contact create is sent again (Konvox keeps one contact per email); a campaign create is not', async () => {
    connect();
    konvox.inject({ status: 500, method: 'POST', path: '/contacts' });
    const contact = await app.run(chain({}, { id: 'c', type: 'konvox.createContact', params: { email: 'retry@example.com' } }));
    expect(contact.status).toBe('succeeded');
    expect(konvox.requestsTo('/contacts', 'POST').map((r) => r.status)).toEqual([500, 201]);

    konvox.inject({ status: 500, method: 'POST', path: '/campaigns' });
    const campaign = await app.run(chain({}, { id: 'c', type: 'konvox.createCampaign', params: { name: 'Once', channel: 'multi' } }));
    expect(campaign.status).toBe('failed');
    expect(campaign.error).toContain('Konvox had a server error when trying to create a campaign (500: "Internal server error")');
    expect(konvox.requestsTo('/campaigns', 'POST')).toHaveLength(1);
  });

  it('500 on a read: retried with backoff until it works', async () => {
    connect();
    const campaign = konvox.addCampaign({ name: 'Flaky' });
    konvox.inject({ status: 502, times: 2, method: 'GET' });
    const result = await app.run(chain({}, { id: 'get', type: 'konvox.getCampaign', params: { campaign_id: campaign.id } }));
    expect(result.status).toBe('succeeded');
    expect(konvox.requestsTo(`/campaigns/${campaign.id}`).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('a slow answer within the timeout is waited for', async () => {
    connect();
    konvox.addCampaign({ name: 'Slow' });
    konvox.inject({ delayMs: 400, method: 'GET', path: '/campaigns' });
    const result = await app.run(chain({}, { id: 'list', type: 'konvox.listCampaigns', params: {} }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ count: 1, first: { name: 'Slow' } });
    expect(konvox.requestsTo('/campaigns', 'GET')).toHaveLength(1);
  });

  it('reads every page of contacts to the end (limit/offset), and stops at "At most"', async () => {
    connect(konvox.keys.readOnly);
    for (let i = 0; i < 450; i++) konvox.addContact({ email: `person${i + 1}@example.com`, status: i % 10 === 0 ? 'bounced' : 'active' });

    const all = await app.run(chain({}, { id: 'list', type: 'konvox.listContacts', params: { limit: 1000 } }));
    expect(all.status).toBe('succeeded');
    expect(all.steps[1]?.output).toMatchObject({ count: 450, total: 450, truncated: false, first: { email: 'person1@example.com' } });
    expect(konvox.requestsTo('/contacts', 'GET').map((r) => r.query)).toEqual([
      { offset: '0', limit: '200' },
      { offset: '200', limit: '200' },
      { offset: '400', limit: '200' },
    ]);

    konvox.clearLog();
    const some = await app.run(chain({}, { id: 'list', type: 'konvox.listContacts', params: { status: 'Bounced', limit: 30 } }));
    expect(some.steps[1]?.output).toMatchObject({ count: 30, total: 45, truncated: true });
    expect(konvox.requestsTo('/contacts', 'GET').map((r) => r.query)).toEqual([{ status: 'bounced', offset: '0', limit: '30' }]);
  });

  it.each([
    ['the existing record, as documented', 'existing' as const, 0],
    ['a 409 carrying the existing record', 'conflictWithRecord' as const, 0],
    ['a bare 409, looked up in the contact list', 'conflict' as const, 1],
  ])('a duplicate email answered with %s gives the existing contact', async (_name, mode, lookups) => {
    connect();
    for (let i = 0; i < 5; i++) konvox.addContact();
    const existing = konvox.addContact({ email: 'Maria.Lopez@example.com', firstName: 'Maria' });
    konvox.duplicateContacts = mode;
    const result = await app.run(chain({}, { id: 'c', type: 'konvox.createContact', params: { email: 'maria.lopez@example.com' } }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ id: existing.id, firstName: 'Maria', created: false });
    expect(konvox.contacts.size).toBe(6);
    expect(konvox.requestsTo('/contacts', 'GET')).toHaveLength(lookups);
  });

  it('manages campaigns: list by status newest first, update, delete', async () => {
    connect();
    konvox.addCampaign({ name: 'Old draft' });
    konvox.addCampaign({ name: 'Running', status: 'active' });
    const target = konvox.addCampaign({ name: 'New draft' });
    const result = await app.run(
      chain(
        {},
        { id: 'drafts', type: 'konvox.listCampaigns', params: { status: 'draft' } },
        {
          id: 'update',
          type: 'konvox.updateCampaign',
          params: { campaign_id: '{{ steps.drafts.output.first.id }}', name: 'Renamed', status: 'paused' },
        },
        { id: 'delete', type: 'konvox.deleteCampaign', params: { campaign_id: '{{ steps.drafts.output.first.id }}' } },
        { id: 'after', type: 'konvox.listCampaigns', params: {} },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ count: 2, total: 2, first: { id: target.id, name: 'New draft' } });
    expect(konvox.requestsTo(`/campaigns/${target.id}`, 'PATCH')[0]?.body).toEqual({ name: 'Renamed', status: 'paused' });
    expect(result.steps[2]?.output).toMatchObject({ name: 'Renamed', status: 'paused' });
    expect(result.steps[3]?.output).toEqual({ deleted: true, id: target.id });
    expect(result.steps[4]?.output).toMatchObject({ count: 2 });
    expect(konvox.campaigns.has(target.id)).toBe(false);
  });

  it('connects channel accounts and lists them; socialcrabs needs the disclaimer', async () => {
    connect();
    await expect(
      app.run(
        chain(
          {},
          {
            id: 'acc',
            type: 'konvox.createChannelAccount',
            params: { name: 'Crab', platform: 'linkedin', connectionMethod: 'socialcrabs' },
          },
        ),
      ),
    ).rejects.toThrow('Step "acc": field "disclaimerAccepted" is required.');
    expect(konvox.counts.requests).toBe(0);

    const result = await app.run(
      chain(
        {},
        {
          id: 'acc',
          type: 'konvox.createChannelAccount',
          params: {
            name: 'Maria on LinkedIn',
            platform: 'LinkedIn',
            connectionMethod: 'socialcrabs',
            disclaimerAccepted: 'yes',
            username: 'maria',
          },
        },
        { id: 'list', type: 'konvox.listChannelAccounts', params: {} },
        { id: 'senders', type: 'konvox.listSenderIdentities', params: {} },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(konvox.requestsTo('/connections', 'POST')[0]?.body).toEqual({
      name: 'Maria on LinkedIn',
      platform: 'linkedin',
      connectionMethod: 'socialcrabs',
      username: 'maria',
      disclaimerAccepted: true,
    });
    expect(result.steps[2]?.output).toMatchObject({ count: 1, accounts: [{ name: 'Maria on LinkedIn', platform: 'linkedin' }] });
    expect(result.steps[3]?.output).toMatchObject({ count: 0, senders: [] });
  });

  it('registers a webhook, lists it, and receives a delivery', async () => {
    connect();
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/konvox`;
    try {
      const result = await app.run(
        chain(
          {},
          { id: 'register', type: 'konvox.registerWebhook', params: { url: hookUrl, events: 'contact.replied, campaign.completed' } },
          { id: 'list', type: 'konvox.listWebhooks', params: {} },
        ),
      );
      expect(result.status).toBe('succeeded');
      expect(konvox.requestsTo('/webhooks', 'POST')[0]?.body).toEqual({ url: hookUrl, events: ['contact.replied', 'campaign.completed'] });
      expect(result.steps[2]?.output).toMatchObject({ count: 1, webhooks: [{ url: hookUrl, active: true }] });
      const [delivery] = await konvox.deliver('contact.replied', { id: 'ctc_1' });
      expect(delivery?.status).toBe(200);
      expect(JSON.parse(received[0] ?? '{}')).toMatchObject({ event: 'contact.replied', data: { id: 'ctc_1' } });

      await expect(
        app.run(chain({}, { id: 'register', type: 'konvox.registerWebhook', params: { url: 'http://example.com/hook', events: 'x.y' } })),
      ).rejects.toThrow('the address must start with https://.');
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe('Konvox in the catalog', () => {
  /** Every operation of konvox-api.txt (its paths as Pipewright sends them), and the node that covers it. */
  const documented: [string, string][] = [
    ['GET /api/v1/campaigns', 'konvox.listCampaigns'],
    ['GET /api/v1/campaigns/:id', 'konvox.getCampaign'],
    ['POST /api/v1/campaigns', 'konvox.createCampaign'],
    ['PATCH /api/v1/campaigns/:id', 'konvox.updateCampaign'],
    ['PATCH /api/v1/campaigns/:id (status)', 'konvox.setCampaignStatus'],
    ['DELETE /api/v1/campaigns/:id', 'konvox.deleteCampaign'],
    ['GET /api/v1/contacts', 'konvox.listContacts'],
    ['POST /api/v1/contacts', 'konvox.createContact'],
    ['GET /api/v1/sender-identities', 'konvox.listSenderIdentities'],
    ['POST /api/v1/sender-identities', 'konvox.createSenderIdentity'],
    ['GET /api/v1/connections', 'konvox.listChannelAccounts'],
    ['POST /api/v1/connections', 'konvox.createChannelAccount'],
    ['GET /api/v1/webhooks', 'konvox.listWebhooks'],
    ['POST /api/v1/webhooks', 'konvox.registerWebhook'],
  ];
  /** The webhook events Pipewright assumes (the document has no event reference), and their triggers. */
  const assumedEvents: [string, string][] = [
    ['contact.created', 'konvox.contactCreated'],
    ['contact.replied', 'konvox.contactReplied'],
    ['contact.bounced', 'konvox.contactBounced'],
    ['contact.unsubscribed', 'konvox.contactUnsubscribed'],
    ['campaign.status_changed', 'konvox.campaignStatusChanged'],
  ];

  it('has a node with a label and help text for every documented operation and assumed event', () => {
    const nodes = new Map(app.registry.catalog().nodes.map((n) => [n.type, n]));
    for (const [operation, type] of [...documented, ...assumedEvents]) {
      const node = nodes.get(type);
      expect(node, operation).toBeDefined();
      expect(node?.label.length, type).toBeGreaterThan(3);
      expect(node?.description.length, type).toBeGreaterThan(20);
      for (const [field, schema] of Object.entries(
        (node?.input.properties ?? {}) as Record<string, { title?: string; description?: string }>,
      )) {
        expect(schema.title, `${type} ${field}`).toBeTruthy();
        expect(schema.description, `${type} ${field}`).toBeTruthy();
      }
    }
    for (const [event, type] of assumedEvents) {
      const node = nodes.get(type);
      expect(node?.kind, type).toBe('trigger');
      if (node?.kind === 'trigger') expect(node.events, type).toEqual([`konvox:${event}`]);
      expect(node?.description, type).toContain('event reference');
    }
    const types = [...nodes.keys()].filter((t) => t.startsWith('konvox.'));
    expect(types.sort()).toEqual([...documented, ...assumedEvents].map(([, t]) => t).sort());
  });

  it('declares every write with a plan; only writes that cannot double are retry-safe', () => {
    const retrySafe = konvoxConnector.actions.filter((a) => a.effect === 'write' && a.retrySafe).map((a) => a.key);
    for (const action of konvoxConnector.actions) if (action.effect === 'write') expect(action.plan, action.key).toBeTypeOf('function');
    expect(retrySafe.sort()).toEqual(['createContact', 'deleteCampaign', 'setCampaignStatus', 'updateCampaign']);
  });
});

describe('Konvox "test connection"', () => {
  it('counts the contacts, and explains a bad key (401) and a missing scope (403)', async () => {
    for (let i = 0; i < 24; i++) konvox.addContact();
    connect(konvox.keys.readOnly);
    const ok = await testConnection(app.connections.resolve('konvox-main'));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.message).toContain(`Konvox answered at ${konvox.url}: 24 contacts.`);
    expect(konvox.requestsTo('/contacts', 'GET')[0]?.query).toEqual({ limit: '1' });

    app.connections.update('konvox-main', { secret: 'kvx_live_revoked000000000000000' });
    const bad = await testConnection(app.connections.resolve('konvox-main'));
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(bad.message).toContain('Konvox rejected the API key (401 Unauthorized: "Missing or invalid API key")');
    expect(bad.message).not.toContain('revoked000');

    app.connections.update('konvox-main', { secret: konvox.keys.readOnly });
    konvox.inject({ status: 403, body: { data: null, error: 'Insufficient scope: contacts:read required', meta: null } });
    const forbidden = await testConnection(app.connections.resolve('konvox-main'));
    expect(forbidden).toMatchObject({ ok: false, status: 403, scope: 'contacts:read' });
    expect(forbidden.message).toContain('lacks the "contacts:read" scope');
  });

  it('needs a base URL: the document names no address', () => {
    expect(() => app.connections.add({ name: 'k', app: 'konvox', secret: 'kvx_live_x' })).not.toThrow();
    return testConnection(app.connections.resolve('k')).then((result) => {
      expect(result.ok).toBe(false);
      expect(result.message).toContain('has no base URL');
    });
  });
});
