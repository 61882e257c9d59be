import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app.ts';
import type { Workflow } from '../../src-main/shared/workflow.ts';
import { CrmStore } from '../../src-main/store/crm.ts';
import { exportTemplate, toTemplate } from '../../src-main/templates/export.ts';
import { importTemplate, planImport, TemplateImportError } from '../../src-main/templates/import.ts';
import { type LoadedTemplate, loadTemplate, templateFromDocument } from '../../src-main/templates/load.ts';
import { templateRequirements } from '../../src-main/templates/requirements.ts';
import { type KanvoServer, startKanvoServer } from '../fixtures/kanvo-server.ts';
import { tempApp } from '../helpers.ts';

/** What an import checks, maps, creates and refuses; and exports that import back to the same document. */

const bundled = (app: App, name: string) => loadTemplate(name, app.registry);

async function refused(
  app: App,
  template: LoadedTemplate,
  options: Parameters<typeof importTemplate>[2] = {},
): Promise<TemplateImportError> {
  try {
    await importTemplate(app, template, options);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateImportError);
    return err as TemplateImportError;
  }
  throw new Error('the import was not refused');
}

/** An account whose sales pipeline calls its second stage "Called" instead of "Contacted". */
function accountWithCalledStage(): App {
  const app = tempApp({ demo: false });
  const crm = new CrmStore(app.db);
  crm.createObjectType({ name: 'Lead', slug: 'lead' });
  crm.createPipeline({ name: 'Main Sales', slug: 'main-sales', stages: ['New', 'Called', 'Won'] });
  return app;
}

describe('requirements', () => {
  it('are worked out from the steps, not only from `requires`', () => {
    const app = tempApp();
    const { workflow } = bundled(app, 'kanvo-won-to-job');
    const needs = templateRequirements({ ...workflow, requires: undefined }, app.registry);
    const kanvo = { alias: 'crm', app: 'kanvo', appName: 'Kanvo' };
    expect(needs.connections).toEqual([
      {
        alias: 'crm',
        app: 'kanvo',
        appName: 'Kanvo',
        access: 'write',
        scopes: ['write'],
        steps: ['Moved to Won in Kanvo', 'Open the job', 'Plan the kickoff'],
      },
    ]);
    expect(needs.objectTypes).toEqual([{ place: kanvo, name: 'job', steps: ['Open the job'] }]);
    expect(needs.pipelines).toEqual([
      { place: kanvo, pipeline: 'main-sales', stages: ['won'], stageWidget: 'stage', steps: ['Moved to Won in Kanvo'] },
      { place: kanvo, pipeline: 'jobs', stages: ['scheduled'], stageWidget: 'stage', steps: ['Open the job'] },
    ]);
  });

  it('include custom fields, tags and the values to fill in', () => {
    const app = tempApp();
    const kvcore = templateRequirements(bundled(app, 'kvcore-contact-to-ghl').workflow, app.registry);
    expect(kvcore.customFields).toEqual([
      {
        place: { alias: 'ghl', app: 'ghl', appName: 'GHL Contacts' },
        on: 'contact',
        fields: ['kvcore_source'],
        steps: ['Update the GHL contact', 'Create the GHL contact'],
      },
    ]);
    expect(kvcore.tags).toEqual(['kvcore']);
    const nurture = templateRequirements(bundled(app, 'crm-http-new-lead-nurture').workflow, app.registry);
    expect(nurture.inputs).toEqual([
      {
        key: 'list.listId',
        nodeId: 'list',
        step: 'Add to the marketing list',
        field: 'Marketing list',
        hint: 'the ID of your marketing list',
      },
    ]);
    // A stage named in a CRM filter counts too (the CRM HTTP API has one pipeline).
    expect(nurture.pipelines).toEqual([expect.objectContaining({ pipeline: null, stages: ['New'], stageWidget: 'crmStage' })]);
  });
});

describe('importing into the local CRM', () => {
  it('a missing stage is reported with the closest one, and the import refused', async () => {
    const app = accountWithCalledStage();
    const error = await refused(app, bundled(app, 'local-lead-follow-up'));
    const missing = error.plan.report.items.filter((i) => i.status === 'missing');
    expect(missing).toEqual([
      expect.objectContaining({
        kind: 'stage',
        name: 'contacted',
        pipeline: 'main-sales',
        candidate: 'Called',
        existing: ['New', 'Called', 'Won'],
        canCreate: true,
        message: 'Stage "contacted" (pipeline "main-sales") is missing in the local CRM; the closest is "Called".',
      }),
    ]);
    expect(error.message).toMatch(/cannot be imported yet:\n {2}- Stage "contacted"/);
    expect(app.workflows.list()).toEqual([]);
  });

  it('a missing stage mapped to an existing one: the steps are rewritten and the workflow moves leads there', async () => {
    const app = accountWithCalledStage();
    const result = await importTemplate(app, bundled(app, 'local-lead-follow-up'), { mappings: { stages: { contacted: 'Called' } } });
    expect(result.mapped).toEqual(['Stage "contacted" → "Called"']);
    const saved = app.workflows.document(result.workflowId) as Workflow;
    expect(saved.nodes.find((n) => n.id === 'stage')?.params).toMatchObject({ pipeline: 'main-sales', stage: 'Called' });
    expect(saved.requires?.pipelines).toEqual({ 'main-sales': ['new', 'Called'] });

    app.crm.createContact({ email: 'lee@example.com', first_name: 'Lee' });
    const lead = app.crm.createRecord({
      type: 'lead',
      title: 'Lee Garden',
      pipeline: 'main-sales',
      stage: 'New',
      data: { email: 'lee@example.com' },
    });
    const run = await app.run(result.workflowId, { event: { event: 'record.created', timestamp: lead.created_at, data: lead } });
    expect(run.status).toBe('succeeded');
    expect(app.crm.getRecord(lead.id)?.stage).toBe('Called');
  });

  it('a missing stage created with createMissing; the workflow keeps its stage', async () => {
    const app = accountWithCalledStage();
    const result = await importTemplate(app, bundled(app, 'local-lead-follow-up'), { createMissing: true });
    expect(result.created).toEqual(['Added the stage "Contacted" to the pipeline "Main Sales".']);
    expect(app.crm.getPipeline('main-sales')?.stages.map((s) => s.name)).toEqual(['New', 'Called', 'Won', 'Contacted']);
    expect(result.report.ok).toBe(true);
    expect(app.workflows.document(result.workflowId)?.nodes.find((n) => n.id === 'stage')?.params.stage).toBe('contacted');
  });

  it('an empty CRM gets the object types and the pipeline with its stages', async () => {
    const app = tempApp({ demo: false });
    const result = await importTemplate(app, bundled(app, 'local-won-to-job'), { createMissing: true });
    expect(result.created).toEqual([
      'Created the object type "Job".',
      'Created the object type "Lead".',
      'Created the object type "Estimate".',
      'Created the pipeline "Main Sales" with the stages Won.',
    ]);
    expect(app.crm.listObjectTypes().map((t) => t.slug)).toEqual(['job', 'lead', 'estimate']);
  });

  it('imports under a new id when the template id is taken, with the import note', async () => {
    const app = tempApp();
    const first = await importTemplate(app, bundled(app, 'local-form-to-lead'));
    const second = await importTemplate(app, bundled(app, 'local-form-to-lead'));
    expect([first.workflowId, second.workflowId]).toEqual(['local-form-to-lead', 'local-form-to-lead-2']);
    expect(app.workflows.versions('local-form-to-lead-2')).toEqual([
      expect.objectContaining({ version: 1, note: 'Imported from template local-form-to-lead' }),
    ]);
    await expect(importTemplate(app, bundled(app, 'local-form-to-lead'), { id: 'local-form-to-lead' })).rejects.toThrow(
      /A workflow with the id "local-form-to-lead" already exists/,
    );
  });

  it('a value to fill in must be given; a value for a field that asks for none is refused', async () => {
    const app = tempApp();
    app.connections.add({ name: 'crm-main', app: 'crm-http', baseUrl: 'http://127.0.0.1:9/api/crm', secret: 'ak_test_0123456789' });
    const error = await refused(app, bundled(app, 'crm-http-new-lead-nurture'));
    expect(error.plan.report.items.filter((i) => i.status === 'missing')).toEqual([
      expect.objectContaining({
        kind: 'input',
        name: 'list.listId',
        message: 'Step "Add to the marketing list" needs a value for "Marketing list": the ID of your marketing list.',
      }),
    ]);
    const typo = await refused(app, bundled(app, 'crm-http-new-lead-nurture'), { values: { 'list.listID': 'x', 'list.listId': 'y' } });
    expect(typo.plan.problems).toEqual(['The template has no value to fill in at "list.listID".']);
  });
});

describe('connections', () => {
  it('an alias with no connection of its app is a clear error; the only one is used; two need a choice', async () => {
    const app = tempApp();
    const template = bundled(app, 'kanvo-lead-follow-up');
    const none = await refused(app, template);
    expect(none.message).toMatch(/The Kanvo connection "crm" is not chosen: No Kanvo connection is set up yet; add one first\./);

    app.connections.add({ name: 'kanvo-sales', app: 'kanvo', baseUrl: 'http://127.0.0.1:9/api/v1', secret: 'kv_live_aaaaaaaaaaaa' });
    const one = await planImport(app, template);
    expect(one.bindings).toEqual([expect.objectContaining({ alias: 'crm', connection: 'kanvo-sales', automatic: true })]);

    app.connections.add({ name: 'kanvo-support', app: 'kanvo', baseUrl: 'http://127.0.0.1:9/api/v1', secret: 'kv_live_bbbbbbbbbbbb' });
    const two = await refused(app, template);
    expect(two.plan.report.items[0]).toMatchObject({
      kind: 'connection',
      status: 'missing',
      name: 'crm',
      existing: ['kanvo-sales', 'kanvo-support'],
      message: 'The Kanvo connection "crm" is not chosen: Choose which Kanvo connection to use: kanvo-sales, kanvo-support.',
    });

    app.connections.add({ name: 'ghl-main', app: 'ghl', baseUrl: 'http://127.0.0.1:9', secret: 'ghl-token-0123456789' });
    const wrongApp = await refused(app, template, { bindings: { crm: 'ghl-main' } });
    expect(wrongApp.message).toMatch(/"ghl-main" is a GHL Contacts connection, but "crm" needs a Kanvo connection\./);
    const unknownAlias = await refused(app, template, { bindings: { crm: 'kanvo-sales', sales: 'kanvo-sales' } });
    expect(unknownAlias.plan.problems).toEqual(['The template has no connection "sales" (it has: crm).']);
  });
});

describe('checking a remote app through its schema (Kanvo GET /schema)', () => {
  let kanvo: KanvoServer;
  let app: App;
  beforeEach(async () => {
    kanvo = await startKanvoServer();
    app = tempApp({ now: () => new Date('2026-06-17T14:20:00.000Z') });
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: kanvo.url, secret: kanvo.keys.write });
    // This workspace calls the jobs' first stage "Scheduling".
    const jobs = kanvo.workspaces.main.pipelines.find((p) => p.slug === 'jobs');
    if (jobs?.stages[0]) Object.assign(jobs.stages[0], { name: 'Scheduling', slug: 'scheduling' });
  });
  afterEach(async () => {
    await kanvo.close();
  });

  it('reports what the workspace lacks with the closest match, and cannot create it there', async () => {
    const error = await refused(app, bundled(app, 'kanvo-won-to-job'), { createMissing: true });
    const byStatus = (status: string) => error.plan.report.items.filter((i) => i.status === status).map((i) => `${i.kind} ${i.name}`);
    expect(byStatus('ok')).toEqual(['connection crm', 'objectType job', 'pipeline main-sales', 'stage won', 'pipeline jobs']);
    expect(error.plan.report.items.find((i) => i.status === 'missing')).toEqual(
      expect.objectContaining({
        kind: 'stage',
        name: 'scheduled',
        pipeline: 'jobs',
        candidate: 'Scheduling',
        canCreate: false,
        message: 'Stage "scheduled" (pipeline "jobs") is missing in Kanvo ("kanvo-main"); the closest is "Scheduling".',
      }),
    );
    expect(kanvo.requestsTo('/schema', 'GET').length).toBeGreaterThan(0);
    expect(kanvo.counts.writes).toBe(0);
  });

  it('a mapped stage passes the check and the job is created in it', async () => {
    const result = await importTemplate(app, bundled(app, 'kanvo-won-to-job'), { mappings: { stages: { scheduled: 'scheduling' } } });
    expect(result.report.ok).toBe(true);
    const run = await app.run(result.workflowId, { event: app.sampleEvent(app.workflows.document(result.workflowId) as Workflow) });
    expect(run.status).toBe('succeeded');
    expect([...kanvo.records.values()][0]?.stage_id).toBe(kanvo.stageId('Scheduling'));
  });

  it('an unreadable schema leaves the items unchecked instead of blocking the import', async () => {
    kanvo.inject({ status: 500, path: '/schema', times: 10 });
    const plan = await planImport(app, bundled(app, 'kanvo-won-to-job'));
    expect(plan.report.ok).toBe(true);
    expect(plan.report.items.find((i) => i.kind === 'objectType')).toMatchObject({
      status: 'unchecked',
      message: expect.stringMatching(/^Could not read Kanvo's object types: .* "job" could not be checked\.$/),
    });
  });
});

describe('export', () => {
  it('gives a template without credentials, with aliases and requires, that imports back to the same document', async () => {
    const app = tempApp();
    app.connections.add({ name: 'kanvo-main', app: 'kanvo', baseUrl: 'http://127.0.0.1:9/api/v1', secret: 'kv_live_supersecret0123' });
    const imported = await importTemplate(app, bundled(app, 'kanvo-won-to-job'));
    const doc = app.workflows.document(imported.workflowId) as Workflow;
    // The operator edits it: no declared requirements any more, a shorter kickoff.
    app.save({ ...doc, requires: undefined, nodes: doc.nodes.map((n) => (n.id === 'kickoff' ? { ...n, name: 'Kickoff call' } : n)) });

    const { template, removedSecrets } = exportTemplate(app, imported.workflowId);
    expect(removedSecrets).toEqual([]);
    expect(JSON.stringify(template)).not.toMatch(/supersecret|kanvo-main/);
    expect(template.id).toBe('kanvo-won-to-job');
    expect(template.connections).toEqual({ crm: { app: 'kanvo', scopes: ['write'] } });
    expect(template.requires).toEqual({ objectTypes: ['job'], pipelines: { 'main-sales': ['won'], jobs: ['scheduled'] } });

    const again = await importTemplate(app, templateFromDocument(template, app.registry), { id: 'won-copy' });
    const copy = app.workflows.document(again.workflowId) as Workflow;
    expect({ ...copy, id: template.id }).toEqual(template);
    expect(exportTemplate(app, 'won-copy').template).toEqual({ ...template, id: 'won-copy' });
  });

  it('replaces anything that looks like a credential with a value to fill in on import', async () => {
    const app = tempApp();
    const workflow: Workflow = {
      ...loadTemplate('local-lead-follow-up', app.registry).workflow,
      connections: { api: { app: 'http' } },
    };
    workflow.nodes = [
      ...workflow.nodes,
      {
        id: 'notify',
        type: 'http.request',
        version: 1,
        connection: 'api',
        params: {
          method: 'POST',
          url: '/notify',
          headers: { Authorization: 'Bearer abcdef0123456789', 'X-Team': 'sales' },
          body: { key: 'kv_live_leaked0123' },
        },
        position: { x: 1120, y: 0 },
      },
    ];
    workflow.edges = [...workflow.edges, { from: 'stage', to: 'notify' }];
    const { template, removedSecrets } = toTemplate(workflow, app.registry);
    expect(removedSecrets).toEqual(['notify.headers.Authorization', 'notify.body.key']);
    expect(template.nodes.at(-1)?.params).toEqual({
      method: 'POST',
      url: '/notify',
      headers: { Authorization: '<your Authorization (removed on export)>', 'X-Team': 'sales' },
      body: { key: '<your API key (removed on export)>' },
    });
    expect(templateRequirements(template, app.registry).inputs.map((i) => i.key)).toEqual([
      'notify.headers.Authorization',
      'notify.body.key',
    ]);
  });
});
