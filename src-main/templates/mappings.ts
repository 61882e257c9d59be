import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Workflow } from '../shared/workflow.ts';
import { sameName } from './names.ts';
import { isTemplateText, nodeFields } from './node-fields.ts';

/**
 * Mapping a template's names onto an account's: "the template's stage Qualified is our Contacted".
 * The steps' settings are rewritten (object type, pipeline and stage fields, and conditions on a
 * stage, pipeline or object type field), and so is the template's `requires`.
 */

export interface TemplateMappings {
  objectTypes?: Record<string, string>;
  pipelines?: Record<string, string>;
  stages?: Record<string, string>;
}

type Kind = keyof TemplateMappings;

const KIND_OF_WIDGET: Record<string, Kind> = { objectType: 'objectTypes', pipeline: 'pipelines', stage: 'stages', crmStage: 'stages' };
/** The last part of a condition's field path that says what its value names. */
const KIND_OF_FIELD: Record<string, Kind> = {
  stage: 'stages',
  to_stage: 'stages',
  from_stage: 'stages',
  pipeline: 'pipelines',
  object_type: 'objectTypes',
};
const NOUN: Record<Kind, string> = { objectTypes: 'Object type', pipelines: 'Pipeline', stages: 'Stage' };

export interface MappingResult {
  workflow: Workflow;
  /** What was mapped, e.g. `Stage "qualified" → "Contacted"`. */
  applied: string[];
  /** Mappings the template has no use for (probably a typo). */
  unused: string[];
}

export function applyMappings(workflow: Workflow, registry: ConnectorRegistry, mappings: TemplateMappings): MappingResult {
  const copy = structuredClone(workflow);
  const used = new Set<string>();
  const applied: string[] = [];

  const mapped = (kind: Kind, value: unknown): unknown => {
    if (typeof value !== 'string' || isTemplateText(value)) return value;
    const entry = Object.entries(mappings[kind] ?? {}).find(([from]) => sameName(value, { name: from }));
    if (!entry) return value;
    const [from, to] = entry;
    used.add(`${kind}:${from}`);
    const line = `${NOUN[kind]} "${from}" → "${to}"`;
    if (!applied.includes(line)) applied.push(line);
    return to;
  };
  const mappedList = (kind: Kind, value: unknown): unknown =>
    Array.isArray(value) ? value.map((v) => mapped(kind, v)) : mapped(kind, value);

  /** Condition rows anywhere in a step's settings (filters, branches, switch cases, "Find records"). */
  const rewriteConditions = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) rewriteConditions(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const row = value as Record<string, unknown>;
    if (typeof row.field === 'string' && typeof row.operator === 'string') {
      const last = row.field.trim().split('.').at(-1) ?? '';
      const kind = KIND_OF_FIELD[last];
      if (kind && 'value' in row) row.value = mappedList(kind, row.value);
    }
    for (const child of Object.values(row)) rewriteConditions(child);
  };

  for (const node of copy.nodes) {
    const fields = nodeFields(registry, node.type);
    for (const [param, info] of Object.entries(fields)) {
      const kind = info.widget ? KIND_OF_WIDGET[info.widget] : undefined;
      if (kind && param in node.params) node.params[param] = mapped(kind, node.params[param]);
    }
    rewriteConditions(node.params);
  }

  if (copy.requires) {
    const requires = copy.requires;
    if (requires.objectTypes) requires.objectTypes = requires.objectTypes.map((t) => mapped('objectTypes', t) as string);
    if (requires.pipelines) {
      requires.pipelines = Object.fromEntries(
        Object.entries(requires.pipelines).map(([pipeline, stages]) => [
          mapped('pipelines', pipeline) as string,
          stages.map((s) => mapped('stages', s) as string),
        ]),
      );
    }
  }

  const unused = (Object.keys(mappings) as Kind[]).flatMap((kind) =>
    Object.keys(mappings[kind] ?? {})
      .filter((from) => !used.has(`${kind}:${from}`))
      .map((from) => `${NOUN[kind]} "${from}"`),
  );
  return { workflow: copy, applied, unused };
}
