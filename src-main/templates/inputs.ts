import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Workflow } from '../shared/workflow.ts';
import { nodeFields, stepName } from './node-fields.ts';

/**
 * Values a template cannot know, such as the ID of your marketing list: the template writes them
 * as `<what to fill in>` and they are asked for on import (`--set step.field=VALUE`).
 */

const PLACEHOLDER = /^\s*<([^<>{}]+)>\s*$/;

export interface TemplateInput {
  /** `<step id>.<field>` (a nested field adds `.<key>`): how a value is given on import. */
  key: string;
  nodeId: string;
  step: string;
  /** The field's title from the catalog, e.g. "Marketing list". */
  field: string;
  /** What the template says to fill in, e.g. "your marketing list's ID". */
  hint: string;
}

export function placeholderHint(value: unknown): string | undefined {
  return typeof value === 'string' ? PLACEHOLDER.exec(value)?.[1]?.trim() : undefined;
}

function walk(value: unknown, path: string[], visit: (path: string[], value: unknown) => void): void {
  visit(path, value);
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, String(i)], visit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
}

/** Every placeholder of the workflow's steps, in step order. */
export function templateInputs(workflow: Workflow, registry: ConnectorRegistry): TemplateInput[] {
  const inputs: TemplateInput[] = [];
  for (const node of workflow.nodes) {
    const fields = nodeFields(registry, node.type);
    walk(node.params, [], (path, value) => {
      const hint = placeholderHint(value);
      if (!hint || path.length === 0) return;
      const field = fields[path[0] as string]?.title ?? (path[0] as string);
      inputs.push({ key: [node.id, ...path].join('.'), nodeId: node.id, step: stepName(node), field, hint });
    });
  }
  return inputs;
}

/** Puts the given values in place of the placeholders; returns the keys that matched no placeholder. */
export function applyInputs(workflow: Workflow, values: Record<string, unknown>): { workflow: Workflow; unknown: string[] } {
  const copy = structuredClone(workflow);
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const [nodeId, ...path] = key.split('.');
    const node = copy.nodes.find((n) => n.id === nodeId);
    let parent: unknown = node?.params;
    for (const part of path.slice(0, -1))
      parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[part] : undefined;
    const last = path.at(-1);
    const holder = parent as Record<string, unknown> | undefined;
    if (!node || last === undefined || !holder || typeof holder !== 'object' || placeholderHint(holder[last]) === undefined) {
      unknown.push(key);
      continue;
    }
    holder[last] = value;
  }
  return { workflow: copy, unknown };
}
