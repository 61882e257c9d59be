import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import { crmHttpConnector } from '../../src-main/connectors/crm-http.ts';
import { testConnection } from '../../src-main/connectors/http.ts';
import { builtInConnectors } from '../../src-main/connectors/index.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';
import { type CrmHttpServer, startCrmHttpServer } from '../fixtures/crm-http-server.ts';
import { tempApp } from '../helpers.ts';

let crm: CrmHttpServer;
let app: App;

beforeEach(async () => {
  crm = await startCrmHttpServer();
  app = tempApp({ connectors: [...builtInConnectors, crmHttpConnector] });
});

afterEach(async () => {
  await crm.close();
});

function connect(key: string = crm.keys.write, entityId: string | null = crm.entities.main, name = 'crm-main'): void {
  app.connections.add({ name, app: 'crm-http', baseUrl: crm.url, secret: key, extras: entityId ? { entityId } : {} });
}

type Node = WorkflowInput['nodes'][number];

/** A manual trigger with `sample` as its data, then `steps` in a chain, all on the alias "crm". */
function chain(sample: Record<string, unknown>, ...steps: Omit<Node, 'connection'>[]): WorkflowInput {
  const nodes: Node[] = [{ id: 'start', type: 'logic.manual', params: { sample } }, ...steps.map((s) => ({ ...s, connection: 'crm' }))];
  return {
    format: 'pipewright.workflow/1',
    id: 'crm-flow',
    name: 'CRM flow',
    connections: { crm: { app: 'crm-http' } },
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: (nodes[i] as Node).id, to: n.id })),
  };
}

const one = (id: string, type: string, params: Record<string, unknown>) => chain({}, { id, type, params });

const newCustomerFlow = () =>
  chain(
    { company: 'Harbor Roofing LLC', first: 'Dana', last: 'Reyes', email: 'dana@harbor.example' },
    { id: 'company', type: 'crm-http.createCompany', params: { name: '{{ trigger.data.company }}', relationshipType: 'prospect' } },
    {
      id: 'contact',
      type: 'crm-http.createContact',
      params: { firstName: '{{ trigger.data.first }}', lastName: '{{ trigger.data.last }}', email: '{{ trigger.data.email }}' },
    },
    {
      id: 'member',
      type: 'crm-http.addCompanyMembership',
      params: { contactId: '{{ steps.contact.output.id }}', companyId: '{{ steps.company.output.id }}', role: 'Owner', isPrimary: 'yes' },
    },
    {
      id: 'lead',
      type: 'crm-http.createLead',
      params: {
        title: '{{ trigger.data.company }} - gutters',
        stage: 'qualified',
        contactId: '{{ steps.contact.output.id }}',
        companyId: '{{ steps.company.output.id }}',
        value: '4200',
      },
    },
    {
      id: 'call',
      type: 'crm-http.logLeadActivity',
      params: { leadId: '{{ steps.lead.output.id }}', type: 'call', subject: 'First call' },
    },
    { id: 'move', type: 'crm-http.changeLeadStage', params: { leadId: '{{ steps.lead.output.id }}', stage: 'Proposal' } },
  );

describe('CRM HTTP API golden workflows', () => {
  it('creates a company, a contact in it and a lead, logs a call and moves the lead on', async () => {
    connect();
    const result = await app.run(newCustomerFlow());

    expect(result.status, result.error ?? '').toBe('succeeded');
    for (const request of crm.requests) {
      expect(request.query.entityId, `${request.method} ${request.path}`).toBe(crm.entities.main);
      expect(request.headers.authorization).toBe(`Bearer ${crm.keys.write}`);
    }
    const company = [...crm.companies.values()][0];
    const contact = [...crm.contacts.values()][0];
    const lead = [...crm.leads.values()][0];
    expect(company).toMatchObject({ name: 'Harbor Roofing LLC', relationshipType: 'prospect' });
    expect(contact).toMatchObject({ firstName: 'Dana', lastName: 'Reyes', email: 'dana@harbor.example' });
    expect([...crm.memberships.values()]).toEqual([
      expect.objectContaining({ contactId: contact?.id, companyId: company?.id, role: 'Owner', isPrimary: true }),
    ]);
    expect(crm.requestsTo('/leads', 'POST')[0]?.body).toEqual({
      title: 'Harbor Roofing LLC - gutters',
      stageId: crm.stageId('Qualified'),
      contactId: contact?.id,
      companyId: company?.id,
      value: 4200,
    });
    expect(lead?.stageId).toBe(crm.stageId('Proposal'));
    expect(crm.requestsTo(`/leads/${lead?.id}/stage`, 'PATCH')[0]?.body).toEqual({ stageId: crm.stageId('Proposal') });
    expect(result.steps[6]?.output).toMatchObject({ id: lead?.id, stage: 'Proposal' });
    expect(crm.timeline.filter((t) => t.leadId === lead?.id).map((t) => t.type)).toEqual(['created', 'activity', 'stage_changed']);
  });

  it('dry-runs without sending a single write, showing each planned request with the key redacted', async () => {
    connect();
    const result = await app.run(newCustomerFlow(), { dryRun: true });

    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(crm.counts.writes).toBe(0);
    expect(crm.companies.size + crm.contacts.size + crm.leads.size).toBe(0);
    const entity = `entityId=${crm.entities.main}`;
    expect(result.requests.map((r) => `${r.method} ${r.url.replace(crm.url, '')}`)).toEqual([
      `POST /companies?${entity}`,
      `POST /contacts?${entity}`,
      expect.stringMatching(new RegExp(`^POST /contacts/[0-9a-f-]{36}/company-memberships\\?${entity}$`)),
      `POST /leads?${entity}`,
      expect.stringMatching(new RegExp(`^POST /leads/[0-9a-f-]{36}/activities\\?${entity}$`)),
      expect.stringMatching(new RegExp(`^PATCH /leads/[0-9a-f-]{36}/stage\\?${entity}$`)),
    ]);
    const [company, , member, lead] = result.requests;
    expect(company?.headers).toMatchObject({ Authorization: '••••••', 'Content-Type': 'application/json' });
    expect(company?.body).toEqual({ name: 'Harbor Roofing LLC', relationshipType: 'prospect' });
    // Later steps see simulated ids and the stage looked up for real (a read).
    const simulatedCompany = result.steps[1]?.output as { id: string };
    expect(member?.body).toEqual({ companyId: simulatedCompany.id, role: 'Owner', isPrimary: true });
    expect(lead?.body).toMatchObject({ stageId: crm.stageId('Qualified'), companyId: simulatedCompany.id });
    expect(result.steps[6]).toMatchObject({ simulated: true, output: { stage: 'Proposal', stageId: crm.stageId('Proposal') } });
    expect(JSON.stringify(result)).not.toContain(crm.keys.write);
    expect(JSON.stringify(app.journal.steps(result.runId))).not.toContain(crm.keys.write);
  });

  it('401: a wrong key fails the run with the API’s words and without the key', async () => {
    const wrong = 'ak_00000000000000000000wrongkey';
    connect(wrong);
    const result = await app.run(one('dash', 'crm-http.getDashboard', {}));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('CRM HTTP API rejected the credentials of connection "crm-main" (401: "Invalid or missing API key")');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it.each([
    ['crm-http.createCompany', { name: 'X' }, 'create a company'],
    ['crm-http.sendOutboundEmail', { leadId: 'x', connectionId: 'y', channel: 'gmail', subject: 's', htmlBody: 'b' }, 'send the email'],
    ['crm-http.reorderPipelineStages', { stageIds: 'a, b' }, 'reorder the pipeline stages'],
  ])('403: a read:crm key running %s names the missing write:crm scope', async (type, params, what) => {
    connect(crm.keys.read);
    const result = await app.run(one('step', type, params));
    expect(result.status).toBe('failed');
    expect(result.error).toContain(`lacks the "write:crm" scope needed to ${what} (403: "Missing required scope: write:crm")`);
  });

  it('403: an entityId that is not the key’s entity is refused, and not blamed on a scope', async () => {
    connect(crm.keys.write, crm.entities.other);
    const result = await app.run(one('stages', 'crm-http.listPipelineStages', {}));
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      'refused to let connection "crm-main" list pipeline stages (403: "entityId does not match the API key’s entity")',
    );
    expect(result.error).not.toContain('scope needed');
  });

  it('a connection without an entityId fails before anything is sent, saying how to set it', async () => {
    connect(crm.keys.write, null);
    const result = await app.run(one('dash', 'crm-http.getDashboard', {}));
    expect(result.error).toContain('has no entityId; set it with `pipewright connections update crm-main --entity-id UUID`');
    expect(crm.counts.requests).toBe(0);
  });

  it('404: a lead of another entity is not found', async () => {
    connect();
    const foreign = crm.addLead({ title: 'Not ours', workspace: 'other' });
    const result = await app.run(one('get', 'crm-http.getLead', { leadId: foreign.id }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('CRM HTTP API could not read the lead: not found (404: "Lead not found")');
  });

  it('400: validation errors reach the run in the API’s own words', async () => {
    connect();
    const result = await app.run(one('stage', 'crm-http.createPipelineStage', { name: 'Hot', defaultProbabilityPct: 140 }));
    expect(result.error).toContain(
      'CRM HTTP API refused to create a pipeline stage (400: "defaultProbabilityPct must be a number from 0 to 100")',
    );
  });

  it('409: a stage that still holds leads is not deleted until its leads have somewhere to go', async () => {
    connect();
    const lead = crm.addLead({ title: 'Stays', stage: 'Proposal' });
    const refused = await app.run(one('delete', 'crm-http.deletePipelineStage', { stageId: crm.stageId('Proposal') }));
    expect(refused.error).toContain('(409: "The stage still holds 1 lead(s); give moveLeadsToStageId")');

    const target = crm.stageId('Qualified');
    const done = await app.run(
      one('delete', 'crm-http.deletePipelineStage', { stageId: crm.stageId('Proposal'), moveLeadsToStageId: target }),
    );
    expect(done.status).toBe('succeeded');
    expect(crm.requests.at(-1)?.body).toEqual({ moveLeadsToStageId: target });
    expect(crm.leads.get(lead.id)?.stageId).toBe(target);
    expect(crm.stagesOf().map((s) => s.name)).toEqual(['New', 'Qualified', 'Won', 'Lost']);
  });

  it('409: adding a contact to a company twice returns the existing membership', async () => {
    connect();
    const company = crm.addCompany({ name: 'Twice Inc' });
    const contact = crm.addContact({ email: 'twice@example.com' });
    const add = { contactId: contact.id, companyId: company.id };
    const first = await app.run(one('add', 'crm-http.addCompanyMembership', add));
    const second = await app.run(one('add', 'crm-http.addCompanyMembership', add));
    expect(first.steps[1]?.output).toMatchObject({ alreadyMember: false, companyId: company.id });
    expect(second.status).toBe('succeeded');
    const made = first.steps[1]?.output as { id: string };
    expect(second.steps[1]?.output).toMatchObject({ alreadyMember: true, id: made.id });
    expect(crm.memberships.size).toBe(1);
  });

  it('429 then success: waits at least Retry-After and sends the create once more', async () => {
    connect();
    crm.inject({ status: 429, retryAfter: '1', method: 'POST', path: '/companies' });
    const started = performance.now();
    const result = await app.run(one('create', 'crm-http.createCompany', { name: 'Patient Co' }));
    expect(result.status).toBe('succeeded');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(crm.requestsTo('/companies', 'POST').map((r) => r.status)).toEqual([429, 201]);
    expect(crm.companies.size).toBe(1);
  });

  it('500 on a read: retried with backoff until it works', async () => {
    connect();
    const lead = crm.addLead({ title: 'Flaky' });
    crm.inject({ status: 500, times: 2, method: 'GET' });
    const result = await app.run(one('get', 'crm-http.getLead', { leadId: lead.id }));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ id: lead.id, title: 'Flaky', stage: 'New' });
    expect(crm.requestsTo(`/leads/${lead.id}`).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('500 on sending an email: not sent again (it may have gone), the run fails saying so', async () => {
    connect();
    const lead = crm.addLead({ title: 'Mail me' });
    crm.inject({ status: 502, method: 'POST', path: '/outbound-email' });
    const result = await app.run(
      one('mail', 'crm-http.sendOutboundEmail', {
        leadId: lead.id,
        connectionId: crm.emailConnectionId(),
        channel: 'gmail',
        subject: 'Your quote',
        htmlBody: '<p>Attached.</p>',
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain('CRM HTTP API had a server error when trying to send the email (502: "Internal server error")');
    expect(crm.requestsTo('/outbound-email', 'POST')).toHaveLength(1);
  });

  it('a slow answer within the timeout is waited for', async () => {
    connect();
    crm.inject({ delayMs: 400, method: 'GET', path: '/dashboard' });
    const result = await app.run(one('dash', 'crm-http.getDashboard', {}));
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toMatchObject({ openLeads: 0 });
  });

  it('reads every page of companies to the end, and stops at "At most"', async () => {
    connect(crm.keys.read);
    for (let i = 0; i < 61; i++) crm.addCompany({ name: `Roofer ${i + 1}`, relationshipType: 'customer' });
    for (let i = 0; i < 4; i++) crm.addCompany({ name: `Supplier ${i + 1}`, relationshipType: 'vendor' });

    const all = await app.run(one('list', 'crm-http.listCompanies', { relationshipType: 'customer', limit: 1000 }));
    expect(all.status).toBe('succeeded');
    expect(all.steps[1]?.output).toMatchObject({ count: 61, truncated: false, first: { name: 'Roofer 1' } });
    expect(crm.requestsTo('/companies', 'GET').map((r) => r.query)).toEqual(
      [1, 2, 3].map((page) => ({ relationshipType: 'customer', page: String(page), entityId: crm.entities.main })),
    );

    crm.clearLog();
    const some = await app.run(one('list', 'crm-http.listCompanies', { search: 'roofer', status: 'active', limit: 30 }));
    expect(some.steps[1]?.output).toMatchObject({ count: 30, truncated: true });
    expect(crm.requestsTo('/companies', 'GET')).toHaveLength(2);
  });
});

describe('CRM HTTP API: every operation', () => {
  it('companies and contacts: get, update, list by company, memberships, delete', async () => {
    connect();
    const company = crm.addCompany({ name: 'Harbor Roofing' });
    const contact = crm.addContact({ firstName: 'Dana', email: 'dana@harbor.example' });
    crm.addContact({ firstName: 'Unrelated' });
    const flow = chain(
      {},
      { id: 'member', type: 'crm-http.addCompanyMembership', params: { contactId: contact.id, companyId: company.id } },
      {
        id: 'company',
        type: 'crm-http.updateCompany',
        params: { companyId: company.id, status: 'inactive', fields: { industry: 'roofing' } },
      },
      { id: 'get', type: 'crm-http.getCompany', params: { companyId: company.id } },
      { id: 'people', type: 'crm-http.listCompanyContacts', params: { companyId: company.id } },
      { id: 'byCompany', type: 'crm-http.listContacts', params: { companyId: company.id } },
      { id: 'everyone', type: 'crm-http.listContacts', params: {} },
      {
        id: 'role',
        type: 'crm-http.updateCompanyMembership',
        params: { contactId: contact.id, membershipId: '{{ steps.member.output.id }}', role: 'Buyer' },
      },
      { id: 'memberships', type: 'crm-http.listCompanyMemberships', params: { contactId: contact.id } },
      { id: 'rename', type: 'crm-http.updateContact', params: { contactId: contact.id, lastName: 'Reyes', phone: 5550101 } },
      { id: 'getContact', type: 'crm-http.getContact', params: { contactId: contact.id } },
      {
        id: 'leave',
        type: 'crm-http.removeCompanyMembership',
        params: { contactId: contact.id, membershipId: '{{ steps.member.output.id }}' },
      },
      { id: 'delete', type: 'crm-http.deleteContact', params: { contactId: contact.id } },
    );
    const result = await app.run(flow);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const out = (id: string) => result.steps.find((s) => s.nodeId === id)?.output;
    expect(out('get')).toMatchObject({ status: 'inactive', industry: 'roofing' });
    expect(out('people')).toMatchObject({ count: 1, first: { id: contact.id } });
    expect(out('byCompany')).toMatchObject({ count: 1 });
    expect(out('everyone')).toMatchObject({ count: 2 });
    expect(out('memberships')).toMatchObject({ count: 1, first: { role: 'Buyer' } });
    expect(out('getContact')).toMatchObject({ lastName: 'Reyes', phone: '5550101' });
    expect(out('delete')).toEqual({ deleted: true, id: contact.id });
    expect(crm.memberships.size).toBe(0);
    expect(crm.contacts.has(contact.id)).toBe(false);
  });

  it('pipeline stages: create, rename, reorder, list', async () => {
    connect();
    const result = await app.run(
      chain(
        {},
        { id: 'create', type: 'crm-http.createPipelineStage', params: { name: 'Site visit', kind: 'open', defaultProbabilityPct: '45' } },
        { id: 'rename', type: 'crm-http.updatePipelineStage', params: { stageId: '{{ steps.create.output.id }}', name: 'Site survey' } },
        {
          id: 'reorder',
          type: 'crm-http.reorderPipelineStages',
          params: {
            stageIds: `${crm.stageId('New')}, {{ steps.create.output.id }}, ${crm.stageId('Qualified')}, ${crm.stageId('Proposal')}, ${crm.stageId('Won')}, ${crm.stageId('Lost')}`,
          },
        },
        { id: 'list', type: 'crm-http.listPipelineStages', params: {} },
      ),
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(crm.requestsTo('/pipeline-stages', 'POST')[0]?.body).toEqual({ name: 'Site visit', kind: 'open', defaultProbabilityPct: 45 });
    expect(crm.stagesOf().map((s) => s.name)).toEqual(['New', 'Site survey', 'Qualified', 'Proposal', 'Won', 'Lost']);
    const listed = result.steps[4]?.output as { count: number; stages: { name: string; sortOrder: number }[] };
    expect(listed.count).toBe(6);
    expect(listed.stages.slice(0, 2)).toMatchObject([{ name: 'New' }, { name: 'Site survey', sortOrder: 1 }]);

    const duplicate = await app.run(one('create', 'crm-http.createPipelineStage', { name: 'won' }));
    expect(duplicate.error).toContain('(409: "A stage named "won" already exists")');
  });

  it('leads: list by stage, get, update, timeline, activities, tasks, delete', async () => {
    connect();
    const contact = crm.addContact({ email: 'lee@example.com' });
    const lead = crm.addLead({ title: 'Deck', stage: 'Qualified', contactId: contact.id });
    crm.addLead({ title: 'Fence', stage: 'New' });
    crm.addTask({ title: 'Measure the deck', leadId: lead.id });
    crm.addTask({ title: 'Other' });
    const flow = chain(
      {},
      { id: 'byStage', type: 'crm-http.listLeads', params: { stage: 'qualified' } },
      { id: 'byContact', type: 'crm-http.listLeads', params: { contactId: contact.id } },
      { id: 'update', type: 'crm-http.updateLead', params: { leadId: lead.id, value: 9800, title: 'Deck and stairs' } },
      { id: 'get', type: 'crm-http.getLead', params: { leadId: lead.id } },
      {
        id: 'note',
        type: 'crm-http.createActivity',
        params: { type: 'note', subject: 'Prefers cedar', contactId: contact.id, leadId: lead.id, occurredAt: '2026-06-18' },
      },
      { id: 'activities', type: 'crm-http.listActivities', params: { leadId: lead.id } },
      { id: 'timeline', type: 'crm-http.getLeadTimeline', params: { leadId: lead.id } },
      { id: 'tasks', type: 'crm-http.listTasks', params: { leadId: lead.id } },
      { id: 'delete', type: 'crm-http.deleteLead', params: { leadId: lead.id } },
    );
    const result = await app.run(flow);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const out = (id: string) => result.steps.find((s) => s.nodeId === id)?.output;
    expect(crm.requestsTo('/leads', 'GET')[0]?.query).toMatchObject({ stage: 'qualified' });
    expect(out('byStage')).toMatchObject({ count: 1, first: { title: 'Deck' } });
    expect(out('byContact')).toMatchObject({ count: 1, first: { id: lead.id } });
    expect(out('get')).toMatchObject({ title: 'Deck and stairs', value: 9800, stage: 'Qualified' });
    expect(out('activities')).toMatchObject({ count: 1, first: { type: 'note', subject: 'Prefers cedar', occurredAt: '2026-06-18' } });
    expect(out('timeline')).toMatchObject({ count: 2, timeline: [{ type: 'created' }, { type: 'activity' }] });
    expect(out('tasks')).toMatchObject({ count: 1, first: { title: 'Measure the deck' } });
    expect(crm.leads.has(lead.id)).toBe(false);
  });

  it('dashboard, email connections, sending an email and adding to a marketing list', async () => {
    connect();
    const lead = crm.addLead({ title: 'Newsletter fan' });
    const contact = crm.addContact({ email: 'fan@example.com' });
    const flow = chain(
      {},
      { id: 'dash', type: 'crm-http.getDashboard', params: {} },
      { id: 'mailboxes', type: 'crm-http.listOutboundEmailConnections', params: {} },
      {
        id: 'mail',
        type: 'crm-http.sendOutboundEmail',
        params: {
          leadId: lead.id,
          connectionId: '{{ steps.mailboxes.output.connections[0].id }}',
          channel: '{{ steps.mailboxes.output.connections[0].channel }}',
          subject: 'Welcome',
          htmlBody: '<p>Hello</p>',
        },
      },
      {
        id: 'list',
        type: 'crm-http.addToMarketingList',
        params: { listId: crm.marketingListId(), contactIds: contact.id, leadIds: [lead.id] },
      },
      { id: 'again', type: 'crm-http.addToMarketingList', params: { listId: crm.marketingListId(), contactIds: contact.id, leadIds: '' } },
    );
    const result = await app.run(flow);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const out = (id: string) => result.steps.find((s) => s.nodeId === id)?.output;
    expect(out('dash')).toMatchObject({ openLeads: 1 });
    expect(out('mailboxes')).toMatchObject({ count: 1, connections: [{ channel: 'gmail' }] });
    expect(out('mail')).toMatchObject({ status: 'queued', subject: 'Welcome' });
    expect(crm.sentEmails).toHaveLength(1);
    expect(crm.requestsTo('/prospecting/add-to-marketing-list', 'POST').map((r) => r.body)).toEqual([
      { listId: crm.marketingListId(), contactIds: [contact.id], leadIds: [lead.id] },
      { listId: crm.marketingListId(), contactIds: [contact.id] },
    ]);
    expect(out('list')).toMatchObject({ added: 2 });
    expect(out('again')).toMatchObject({ added: 0 });
  });

  it('a stage name that does not exist is reported with the stages there are, before anything is sent', async () => {
    connect();
    const lead = crm.addLead({ title: 'Lost?' });
    const result = await app.run(one('move', 'crm-http.changeLeadStage', { leadId: lead.id, stage: 'Negotiation' }));
    expect(result.error).toContain('The CRM has no pipeline stage "Negotiation" (stages: New, Qualified, Proposal, Won, Lost)');
    expect(crm.counts.writes).toBe(0);
  });

  it('a stage by its legacy system key works too', async () => {
    connect();
    const lead = crm.addLead({ title: 'Winner' });
    const result = await app.run(one('move', 'crm-http.changeLeadStage', { leadId: lead.id, stage: 'won' }));
    expect(result.status).toBe('succeeded');
    expect(crm.leads.get(lead.id)?.stageId).toBe(crm.stageId('Won'));
  });
});

describe('CRM HTTP API in the catalog', () => {
  /** Every operation of crm-http-api.txt, and the node that covers it. */
  const documented: [string, string][] = [
    ['POST /prospecting/add-to-marketing-list', 'crm-http.addToMarketingList'],
    ['GET /dashboard', 'crm-http.getDashboard'],
    ['GET /companies', 'crm-http.listCompanies'],
    ['POST /companies', 'crm-http.createCompany'],
    ['GET /companies/:id', 'crm-http.getCompany'],
    ['PATCH /companies/:id', 'crm-http.updateCompany'],
    ['GET /companies/:id/contacts', 'crm-http.listCompanyContacts'],
    ['GET /contacts', 'crm-http.listContacts'],
    ['POST /contacts', 'crm-http.createContact'],
    ['GET /contacts/:id', 'crm-http.getContact'],
    ['PATCH /contacts/:id', 'crm-http.updateContact'],
    ['DELETE /contacts/:id', 'crm-http.deleteContact'],
    ['GET /contacts/:id/company-memberships', 'crm-http.listCompanyMemberships'],
    ['POST /contacts/:id/company-memberships', 'crm-http.addCompanyMembership'],
    ['PATCH /contacts/:id/company-memberships/:id', 'crm-http.updateCompanyMembership'],
    ['DELETE /contacts/:id/company-memberships/:id', 'crm-http.removeCompanyMembership'],
    ['GET /pipeline-stages', 'crm-http.listPipelineStages'],
    ['POST /pipeline-stages', 'crm-http.createPipelineStage'],
    ['POST /pipeline-stages/reorder', 'crm-http.reorderPipelineStages'],
    ['PATCH /pipeline-stages/:id', 'crm-http.updatePipelineStage'],
    ['DELETE /pipeline-stages/:id', 'crm-http.deletePipelineStage'],
    ['GET /leads', 'crm-http.listLeads'],
    ['POST /leads', 'crm-http.createLead'],
    ['GET /leads/:id', 'crm-http.getLead'],
    ['PATCH /leads/:id', 'crm-http.updateLead'],
    ['DELETE /leads/:id', 'crm-http.deleteLead'],
    ['GET /leads/:id/timeline', 'crm-http.getLeadTimeline'],
    ['PATCH /leads/:id/stage', 'crm-http.changeLeadStage'],
    ['POST /leads/:id/activities', 'crm-http.logLeadActivity'],
    ['GET /activities', 'crm-http.listActivities'],
    ['POST /activities', 'crm-http.createActivity'],
    ['GET /tasks', 'crm-http.listTasks'],
    ['POST /outbound-email', 'crm-http.sendOutboundEmail'],
    ['GET /outbound-email-connections', 'crm-http.listOutboundEmailConnections'],
  ];

  it('has a node with a label and help text for every documented operation, and no other', () => {
    const nodes = new Map(app.registry.catalog().nodes.map((n) => [n.type, n]));
    for (const [operation, type] of documented) {
      const node = nodes.get(type);
      expect(node, operation).toBeDefined();
      expect(node?.label.length, type).toBeGreaterThan(3);
      expect(node?.description.length, type).toBeGreaterThan(20);
      expect(node?.effect, type).toBe(operation.startsWith('GET') ? 'read' : 'write');
      for (const [field, schema] of Object.entries(
        (node?.input.properties ?? {}) as Record<string, { title?: string; description?: string }>,
      )) {
        expect(schema.title, `${type} ${field}`).toBeTruthy();
        expect(schema.description, `${type} ${field}`).toBeTruthy();
      }
    }
    const types = [...nodes.keys()].filter((t) => t.startsWith('crm-http.'));
    expect(types.sort()).toEqual(documented.map(([, t]) => t).sort());
  });

  it('declares every write with a plan, and the scope each operation needs in its help', () => {
    for (const action of crmHttpConnector.actions) {
      if (action.effect === 'write') expect(action.plan, action.key).toBeTypeOf('function');
      expect(action.description, action.key).toMatch(/(read|write):crm scope/);
    }
  });
});

describe('CRM HTTP API "test connection"', () => {
  it('reports the stages it found, a bad key (401) and a missing scope (403), naming it', async () => {
    connect(crm.keys.read);
    const ok = await testConnection(app.connections.resolve('crm-main'));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.message).toContain('5 pipeline stages (New, Qualified, Proposal, Won, Lost)');

    app.connections.update('crm-main', { secret: 'ak_revoked000000000000000000' });
    const bad = await testConnection(app.connections.resolve('crm-main'));
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(bad.message).toContain('CRM HTTP API rejected the API key (401 Unauthorized: "Invalid or missing API key")');
    expect(bad.message).not.toContain('revoked000');

    app.connections.update('crm-main', { secret: crm.keys.read });
    crm.inject({ status: 403, body: { error: 'Missing required scope: read:crm' } });
    const forbidden = await testConnection(app.connections.resolve('crm-main'));
    expect(forbidden).toMatchObject({ ok: false, status: 403, scope: 'read:crm' });
    expect(forbidden.message).toContain('lacks the "read:crm" scope');
  });

  it('a base URL without /api/crm gets a hint', async () => {
    app.connections.add({
      name: 'crm-root',
      app: 'crm-http',
      baseUrl: `http://127.0.0.1:${crm.port}`,
      secret: crm.keys.read,
      extras: { entityId: crm.entities.main },
    });
    const result = await testConnection(app.connections.resolve('crm-root'));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('Check that the base URL ends with /api/crm');
  });
});
