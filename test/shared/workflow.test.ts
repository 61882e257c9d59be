import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src-main/connectors/index.ts';
import { validateWorkflow } from '../../src-main/engine/validate.ts';
import type { WorkflowInput } from '../../src-main/shared/workflow.ts';

const registry = new ConnectorRegistry();
const template = JSON.parse(readFileSync('templates/local-lead-follow-up.json', 'utf8')) as WorkflowInput;

/** The template with one change applied. */
function edited(
  change: (wf: WorkflowInput & { nodes: WorkflowInput['nodes']; edges: NonNullable<WorkflowInput['edges']> }) => void,
): unknown {
  const copy = structuredClone(template) as WorkflowInput & { edges: NonNullable<WorkflowInput['edges']> };
  change(copy);
  return copy;
}

const messages = (doc: unknown) => {
  const result = validateWorkflow(doc, registry);
  return result.ok ? [] : result.issues.map((i) => i.message);
};

describe('workflow validation', () => {
  it('accepts the lead follow-up template', () => {
    expect(messages(template)).toEqual([]);
  });

  it.each<[string, () => unknown, RegExp]>([
    ['a document that is not a workflow', () => ({ hello: 'world' }), /format: must be "pipewright\.workflow\/1"/],
    ['a newer format version', () => ({ ...template, format: 'pipewright.workflow/2' }), /a newer Pipewright may have written this file/],
    [
      'an unknown node type',
      () =>
        edited((w) => {
          w.nodes[1]!.type = 'local.sendFax';
        }),
      /Step "Add follow-up task" \(task\) uses the unknown step type "local\.sendFax"/,
    ],
    [
      'a malformed node type',
      () =>
        edited((w) => {
          w.nodes[1]!.type = 'createTask';
        }),
      /Step "task": type must look like "<app>\.<camelCaseKey>"/,
    ],
    [
      'a missing required param',
      () =>
        edited((w) => {
          delete w.nodes[1]!.params!.title;
        }),
      /Step "Add follow-up task" \(task\): field "title" is required/,
    ],
    [
      'a param with a value it does not take',
      () =>
        edited((w) => {
          w.nodes.push({ id: 'pause', type: 'logic.wait', params: { mode: 'duration', amount: 2, unit: 'fortnights' } });
          w.edges.push({ from: 'stage', to: 'pause' });
        }),
      /Step "pause": field "unit" invalid option: expected one of "minutes"\|"hours"\|"days"\|"weeks"/,
    ],
    [
      'an edge to a missing node',
      () =>
        edited((w) => {
          w.edges.push({ from: 'stage', to: 'ghost' });
        }),
      /Connection #4 leads to the missing step "ghost"/,
    ],
    [
      'an edge from a missing node',
      () =>
        edited((w) => {
          w.edges.push({ from: 'ghost', to: 'stage' });
        }),
      /Connection #4 starts at the missing step "ghost"/,
    ],
    [
      'an edge into the trigger',
      () =>
        edited((w) => {
          w.edges.push({ from: 'stage', to: 'trigger' });
        }),
      /Nothing can lead into the trigger/,
    ],
    [
      'a cycle',
      () =>
        edited((w) => {
          w.edges.push({ from: 'stage', to: 'task' });
        }),
      /The steps "task" → "tag" → "stage" → "task" form a loop/,
    ],
    [
      'an unreachable step',
      () =>
        edited((w) => {
          w.edges = w.edges.filter((e) => e.to !== 'tag');
        }),
      /Step "Tag the lead's contact" \(tag\) is not connected to the trigger/,
    ],
    [
      'a port the node does not have',
      () =>
        edited((w) => {
          w.edges[0]!.port = 'true';
        }),
      /Step "New lead" \(trigger\) has no output "true" \(outputs: main\)/,
    ],
    [
      'an undeclared connection alias',
      () =>
        edited((w) => {
          w.nodes[1]!.connection = 'crm';
        }),
      /uses the connection "crm", which the workflow does not declare/,
    ],
    [
      'a template syntax error',
      () =>
        edited((w) => {
          w.nodes[1]!.params!.title = 'Call {{ trigger.data.title';
        }),
      /Step "Add follow-up task" \(task\), field "title": Template error/,
    ],
    [
      'duplicate node ids',
      () =>
        edited((w) => {
          w.nodes[2]!.id = 'task';
        }),
      /Two steps share the id "task"/,
    ],
    [
      'no trigger',
      () =>
        edited((w) => {
          w.nodes = w.nodes.slice(1);
          w.edges = w.edges.slice(1);
        }),
      /has no trigger/,
    ],
    [
      'two triggers',
      () =>
        edited((w) => {
          w.nodes.push({ ...w.nodes[0]!, id: 'trigger2' });
        }),
      /has 2 triggers/,
    ],
  ])('rejects %s with a clear message', (_name, doc, expected) => {
    const found = messages(doc());
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(expected);
  });

  it('accepts a value given as a template where a typed value is expected', () => {
    const doc = edited((w) => {
      w.nodes.push({ id: 'wait', type: 'logic.wait', params: { mode: 'duration', amount: '{{ trigger.data.data.days }}', unit: 'days' } });
      w.edges.push({ from: 'stage', to: 'wait' });
    });
    expect(messages(doc)).toEqual([]);
  });

  it('allows a loop body to return to its "For each" step, and checks branch ports', () => {
    const doc = {
      format: 'pipewright.workflow/1',
      id: 'loop',
      name: 'Loop',
      nodes: [
        { id: 'start', type: 'logic.manual' },
        { id: 'each', type: 'logic.forEach', params: { items: '{{ trigger.data.items }}' } },
        {
          id: 'check',
          type: 'logic.if',
          params: { conditions: { match: 'all', conditions: [{ field: 'loop.item', operator: 'isnotnull' }] } },
        },
        { id: 'note', type: 'logic.set', params: { fields: { x: '{{ loop.item }}' } } },
        { id: 'after', type: 'logic.set', params: { fields: { done: true } } },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each', to: 'check', port: 'each' },
        { from: 'check', to: 'note', port: 'true' },
        { from: 'note', to: 'each' },
        { from: 'each', to: 'after', port: 'done' },
      ],
    };
    expect(messages(doc)).toEqual([]);
    const bad = structuredClone(doc);
    bad.edges[2]!.port = 'maybe';
    expect(messages(bad).join('\n')).toMatch(/Step "check" has no output "maybe" \(outputs: true, false\)/);
  });
});
