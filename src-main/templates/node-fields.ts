import type { ConnectorRegistry } from '../connectors/index.ts';
import type { JsonSchema } from '../shared/catalog.ts';
import type { WorkflowNode } from '../shared/workflow.ts';

/**
 * What each setting of a node type is, as its connector declares it (title and form widget in the
 * catalog's JSON Schema). Requirements, mappings and exports find object types, pipelines and
 * stages through these widgets, so a new connector that uses them is understood without changes here.
 */

export interface FieldInfo {
  title?: string;
  widget?: string;
}

/** Widgets whose literal value names something that must exist in the app (or the local CRM). */
export const SCHEMA_WIDGETS = ['objectType', 'pipeline', 'stage', 'crmStage'] as const;
export type SchemaWidget = (typeof SCHEMA_WIDGETS)[number];

const cache = new WeakMap<ConnectorRegistry, Map<string, Record<string, FieldInfo>>>();

function collectProperties(schema: JsonSchema | undefined, into: Record<string, FieldInfo>): void {
  if (!schema || typeof schema !== 'object') return;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [name, property] of Object.entries(properties ?? {})) {
    into[name] ??= {
      ...(typeof property.title === 'string' ? { title: property.title } : {}),
      ...(typeof property.widget === 'string' ? { widget: property.widget } : {}),
    };
  }
  // Discriminated unions (e.g. "Wait") keep their fields in the branches.
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) collectProperties(branch as JsonSchema, into);
  }
}

/** The settings of a node type by name; empty for an unknown type. */
export function nodeFields(registry: ConnectorRegistry, type: string): Record<string, FieldInfo> {
  let byType = cache.get(registry);
  if (!byType) {
    byType = new Map();
    const stageWidgetOfApp = new Map<string, string>();
    for (const node of registry.catalog().nodes) {
      const fields: Record<string, FieldInfo> = {};
      collectProperties(node.input, fields);
      byType.set(node.type, fields);
      for (const field of Object.values(fields)) {
        if (field.widget === 'stage' || field.widget === 'crmStage') stageWidgetOfApp.set(node.app, field.widget);
      }
    }
    // A filter field named "stage" without a widget (e.g. "Find leads in the CRM") names a stage of
    // the same app as its stage pickers do, so mappings and checks treat it alike.
    for (const node of registry.catalog().nodes) {
      const stage = byType.get(node.type)?.stage;
      const widget = stageWidgetOfApp.get(node.app);
      if (stage && !stage.widget && widget) stage.widget = widget;
    }
    cache.set(registry, byType);
  }
  return byType.get(type) ?? {};
}

/** The app a node belongs to (`kanvo` of `kanvo.createTask`). */
export function appOf(node: Pick<WorkflowNode, 'type'>): string {
  return node.type.slice(0, node.type.indexOf('.'));
}

export function isTemplateText(value: unknown): boolean {
  return typeof value === 'string' && /\{\{|\{%/.test(value);
}

/** A setting's literal text: undefined when empty or a template (known only when the workflow runs). */
export function literal(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text && !isTemplateText(text) ? text : undefined;
}

/** The node's settings that use one of the schema widgets, with their literal values. */
export function schemaSettings(
  registry: ConnectorRegistry,
  node: WorkflowNode,
): { param: string; widget: SchemaWidget; value: string; title: string }[] {
  const fields = nodeFields(registry, node.type);
  const found: { param: string; widget: SchemaWidget; value: string; title: string }[] = [];
  for (const [param, info] of Object.entries(fields)) {
    if (!info.widget || !(SCHEMA_WIDGETS as readonly string[]).includes(info.widget)) continue;
    const value = literal(node.params[param]);
    if (value) found.push({ param, widget: info.widget as SchemaWidget, value, title: info.title ?? param });
  }
  return found;
}

/** A step's name as operators see it. */
export function stepName(node: Pick<WorkflowNode, 'id' | 'name'>): string {
  return node.name ?? node.id;
}
