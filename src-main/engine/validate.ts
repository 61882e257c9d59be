import type { z } from 'zod';
import type { ConnectorRegistry } from '../connectors/index.ts';
import { checkWorkflow, nodeLabel, type Workflow, type WorkflowIssue, type WorkflowNode } from '../shared/workflow.ts';
import { hasTemplate, templateErrors } from './expressions.ts';

export type Validation = { ok: true; workflow: Workflow; issues: [] } | { ok: false; workflow?: Workflow; issues: WorkflowIssue[] };

/** Everything that can be checked before a run: the document, the graph, each step's settings and templates. */
export function validateWorkflow(doc: unknown, registry: ConnectorRegistry): Validation {
  const checked = checkWorkflow(doc, registry.lookup);
  if (!checked.ok) return { ok: false, issues: checked.issues };
  const issues = checked.workflow.nodes.flatMap((node) => nodeIssues(node, registry));
  return issues.length ? { ok: false, workflow: checked.workflow, issues } : { ok: true, workflow: checked.workflow, issues: [] };
}

function nodeIssues(node: WorkflowNode, registry: ConnectorRegistry): WorkflowIssue[] {
  const resolved = registry.resolve(node.type);
  if (!resolved) return [];
  const issues: WorkflowIssue[] = templateErrors(node.params).map((e) => ({
    nodeId: node.id,
    field: e.path,
    message: `Step ${nodeLabel(node)}, field "${e.path}": ${e.message}`,
  }));
  if (issues.length) return issues;
  const schema: z.ZodType = resolved.kind === 'action' ? resolved.action.input : resolved.trigger.params;
  const parsed = schema.safeParse(node.params);
  if (parsed.success) return [];
  for (const issue of parsed.error.issues) {
    // A value given as a template is only known at run time: its type is checked then.
    if (isTemplateAt(node.params, issue.path)) continue;
    const field = issue.path.join('.');
    const missing = valueAt(node.params, issue.path) === undefined && issue.path.length > 0;
    issues.push({
      nodeId: node.id,
      field,
      message: `Step ${nodeLabel(node)}: ${field ? `field "${field}" ` : ''}${missing ? 'is required' : describeIssue(issue)}.`,
    });
  }
  return issues;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') return 'has an unexpected value';
  const text = issue.message.replace(/\.$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function valueAt(params: unknown, path: PropertyKey[]): unknown {
  let current: unknown = params;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Whether the value at `path`, or a string on the way to it, is a template. */
function isTemplateAt(params: unknown, path: PropertyKey[]): boolean {
  let current: unknown = params;
  for (const key of path) {
    if (typeof current === 'string') return hasTemplate(current);
    if (current === null || typeof current !== 'object') return false;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return typeof current === 'string' && hasTemplate(current);
}
