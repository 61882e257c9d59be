import { describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src-main/connectors/index.ts';
import type { Workflow, WorkflowNode } from '../../src-main/shared/workflow.ts';
import { catalogLabels, diffWorkflows } from '../../src-main/shared/workflow-diff.ts';
import { loadTemplate } from '../../src-main/templates/load.ts';

/** Plain-language diffs of workflow versions, one kind of edit at a time. */

const registry = new ConnectorRegistry();
const labels = catalogLabels(registry.catalog());
const template = (name: string) => loadTemplate(name, registry).workflow;

function edit(name: string, change: (wf: Workflow) => void): { before: Workflow; after: Workflow } {
  const before = template(name);
  const after = structuredClone(before);
  change(after);
  return { before, after };
}

const node = (wf: Workflow, id: string) => wf.nodes.find((n) => n.id === id) as WorkflowNode;
const texts = (before: Workflow, after: Workflow) => diffWorkflows(before, after, labels).map((c) => c.text);

describe('diffWorkflows', () => {
  it('finds nothing when nothing changed', () => {
    expect(diffWorkflows(template('local-won-to-job'), template('local-won-to-job'), labels)).toEqual([]);
  });

  it('a setting of a step, named by its field title from the catalog', () => {
    const { before, after } = edit('local-lead-follow-up', (wf) => {
      node(wf, 'task').params.title = 'Phone {{ trigger.data.title }}';
    });
    expect(diffWorkflows(before, after, labels)).toEqual([
      {
        kind: 'stepChanged',
        nodeId: 'task',
        text: `Task of 'Add follow-up task': "Call {{ trigger.data.title }}" → "Phone {{ trigger.data.title }}"`,
      },
    ]);
    // Without the catalog the field's own name is used.
    expect(diffWorkflows(before, after)[0]?.text).toMatch(/^title of 'Add follow-up task'/);
  });

  it('a field inside a group of fields, and conditions in words', () => {
    const { before, after } = edit('local-won-to-job', (wf) => {
      (node(wf, 'sale').params.conditions as { conditions: { value: unknown }[] }).conditions[0] = {
        field: 'trigger.data.object_type',
        operator: 'in',
        value: ['lead'],
      } as never;
      node(wf, 'client').params.tags = 'client, vip';
    });
    expect(texts(before, after)).toEqual([
      `Conditions of 'Only leads and estimates': object_type is one of lead, estimate → object_type is one of lead`,
      `Tags of 'Tag as client': "client" → "client, vip"`,
    ]);
    const form = edit('local-form-to-lead', (wf) => {
      (node(wf, 'lead').params.data as Record<string, unknown>).source = 'Web';
    });
    expect(texts(form.before, form.after)).toEqual([`Fields "source" of 'Open a lead': "Website form" → "Web"`]);
  });

  it('a wait, in days', () => {
    const withWait = (amount: number) => {
      const wf = template('local-lead-follow-up');
      wf.nodes.push({
        id: 'pause',
        type: 'logic.wait',
        version: 1,
        params: { mode: 'duration', amount, unit: 'days' },
        position: { x: 0, y: 0 },
      });
      return wf;
    };
    expect(diffWorkflows(withWait(2), withWait(3), labels)).toEqual([
      { kind: 'stepChanged', nodeId: 'pause', text: 'Wait: 2 days → 3 days' },
    ]);
    expect(texts(withWait(1), withWait(3))).toEqual(['Wait: 1 day → 3 days']);
  });

  it('a step added after another, and one removed', () => {
    const { before, after } = edit('local-lead-follow-up', (wf) => {
      wf.nodes.push({
        id: 'tag2',
        type: 'local.tagContact',
        version: 1,
        name: 'Tag contact',
        params: { contact_id: 'x', tags: 'hot' },
        position: { x: 1, y: 1 },
      });
      wf.edges.push({ from: 'task', to: 'tag2' });
    });
    expect(diffWorkflows(before, after, labels)).toEqual([
      { kind: 'stepAdded', nodeId: 'tag2', text: "Added step 'Tag contact' after 'Add follow-up task'" },
    ]);
    expect(diffWorkflows(after, before, labels)).toEqual([
      { kind: 'stepRemoved', nodeId: 'tag2', text: "Removed step 'Tag contact' (it ran after 'Add follow-up task')" },
    ]);
  });

  it('a step moved to run after another one', () => {
    const { before, after } = edit('local-form-to-lead', (wf) => {
      wf.edges = [
        { from: 'form', to: 'contact' },
        { from: 'contact', to: 'lead' },
        { from: 'contact', to: 'note' },
      ];
    });
    expect(diffWorkflows(before, after, labels)).toEqual([
      { kind: 'stepMoved', nodeId: 'note', text: "Moved 'Note the request' from after 'Open a lead' to after 'Save the contact'" },
    ]);
  });

  it('a branch removed from an if/else, and one added', () => {
    const { before, after } = edit('local-won-to-job', (wf) => {
      wf.edges = wf.edges.filter((e) => !(e.from === 'has-email' && e.port === 'false'));
    });
    expect(diffWorkflows(before, after, labels)).toEqual([
      {
        kind: 'branchRemoved',
        nodeId: 'has-email',
        text: "Removed branch 'Ask for their email' (the false path of 'Do we have their email?')",
      },
    ]);
    expect(texts(after, before)).toEqual(["Added branch 'Ask for their email' (the false path of 'Do we have their email?')"]);
  });

  it('a switch branch is named by its case', () => {
    const { before, after } = edit('local-task-done-next-stage', (wf) => {
      wf.edges = wf.edges.filter((e) => e.port !== 'contacted');
    });
    expect(texts(before, after)).toEqual(["Removed branch 'In Contacted' (the contacted path of 'Which stage is it in?')"]);
  });

  it('a connection rebound to another account, or given another app', () => {
    const wf = template('kanvo-lead-follow-up');
    expect(diffWorkflows(wf, wf, { ...labels, bindings: { before: { crm: 'sales' }, after: { crm: 'support' } } })).toEqual([
      { kind: 'connection', text: "Connection 'crm': Kanvo (sales) → Kanvo (support)" },
    ]);
    const relabelled = edit('kanvo-lead-follow-up', (next) => {
      next.connections.crm = { app: 'kanvo', label: 'support' };
    });
    expect(texts(relabelled.before, relabelled.after)).toEqual(["Connection 'crm': Kanvo → Kanvo (support)"]);
    const other = edit('kanvo-lead-follow-up', (next) => {
      next.connections.crm = { app: 'crm-http' };
      for (const n of next.nodes) n.connection = 'crm';
    });
    expect(texts(other.before, other.after)[0]).toBe("Connection 'crm': Kanvo → CRM HTTP API");
  });

  it('a step renamed, turned off, or failing differently', () => {
    const { before, after } = edit('local-lead-follow-up', (wf) => {
      node(wf, 'tag').name = 'Tag as new lead';
      node(wf, 'stage').disabled = true;
      node(wf, 'task').onError = 'continue';
    });
    expect(diffWorkflows(before, after, labels)).toEqual([
      { kind: 'stepChanged', nodeId: 'task', text: "When 'Add follow-up task' fails: stop the run → continue" },
      { kind: 'stepRenamed', nodeId: 'tag', text: "Renamed step 'Tag the lead's contact' → 'Tag as new lead'" },
      { kind: 'stepChanged', nodeId: 'stage', text: "Turned off step 'Move to Contacted'" },
    ]);
  });

  it('settings, notes, requirements and layout; everything in a stable, readable order', () => {
    const { before, after } = edit('local-lead-follow-up', (wf) => {
      wf.name = 'Lead follow-up';
      wf.settings.timezone = 'Europe/Berlin';
      wf.notes.push({ id: 'n1', text: 'Ask Dana before changing this', position: { x: 0, y: -120 } });
      wf.requires = { objectTypes: ['lead', 'client'], pipelines: { 'main-sales': ['new'] } };
      node(wf, 'stage').position = { x: 900, y: 40 };
      node(wf, 'stage').params.stage = 'won';
    });
    expect(diffWorkflows(before, after, labels)).toEqual([
      { kind: 'workflow', text: "Renamed the workflow 'New lead: follow-up task, tag and stage' → 'Lead follow-up'" },
      { kind: 'settings', text: 'Time zone: America/New_York → Europe/Berlin' },
      { kind: 'stepChanged', nodeId: 'stage', text: `Stage of 'Move to Contacted': "contacted" → "won"` },
      { kind: 'note', text: 'Added a note: "Ask Dana before changing this"' },
      { kind: 'requirements', text: "Now needs the object type(s) 'client'" },
      { kind: 'requirements', text: "No longer needs the stage(s) of the pipeline 'main-sales': 'contacted'" },
      { kind: 'layout', text: 'Rearranged the canvas (1 item moved)' },
    ]);
  });

  it('accepts drafts as the editor holds them (defaults left out)', () => {
    const draft = {
      format: 'pipewright.workflow/1' as const,
      id: 'd',
      name: 'Draft',
      nodes: [{ id: 'start', type: 'logic.manual', params: {} }],
    };
    expect(diffWorkflows(draft, { ...draft, settings: { timezone: 'UTC', maxChainDepth: 3 } }, labels)).toEqual([
      { kind: 'settings', text: 'Loop guard (runs started by runs, at most): 5 → 3' },
    ]);
  });
});
