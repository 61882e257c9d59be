import type { CatalogApp, CatalogNode, JsonSchema } from '../../src-main/shared/catalog.ts';
import type { RunResult } from '../../src-main/shared/runs.ts';
import { reachableVia } from '../../src-main/shared/workflow.ts';
import type { EditorCatalog } from './catalog.ts';
import { deref, properties } from './catalog.ts';
import { type Doc, upstreamIds } from './doc.ts';
import { humanize, type Labeller } from './templates.ts';

/** What the data picker offers: the output of every step that runs before the one being edited. */

export interface DataField {
  path: string;
  label: string;
  preview: string;
  depth: number;
  isList: boolean;
}

export interface DataSource {
  key: string;
  name: string;
  app?: CatalogApp;
  type?: CatalogNode;
  /** Whether the fields come from the last test run (else from the step type's example). */
  fromRun: boolean;
  /** The trigger's fields come from a recent record in the CRM. */
  fromCrm?: boolean;
  fields: DataField[];
}

export function makeLabeller(doc: Doc, catalog: EditorCatalog | null): Labeller {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const trigger = doc.nodes.find((n) => catalog?.byType.get(n.type)?.kind === 'trigger');
  return {
    stepName: (id) => {
      const node = byId.get(id);
      return node ? node.name || catalog?.byType.get(node.type)?.label || id : undefined;
    },
    triggerName: () => (trigger ? trigger.name || catalog?.byType.get(trigger.type)?.label : undefined),
    outputSchema: (source) => {
      const node = source.kind === 'trigger' ? trigger : byId.get(source.id);
      return node ? catalog?.byType.get(node.type)?.output : undefined;
    },
  };
}

export function preview(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'empty';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return `list of ${value.length}`;
  if (typeof value === 'object') return `${Object.keys(value).length} fields`;
  const s = String(value);
  return s.length > 42 ? `${s.slice(0, 40)}…` : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Flattens a value into pickable fields, with titles from its JSON Schema where there are any. */
export function flatten(
  value: unknown,
  schema: JsonSchema | undefined,
  root: JsonSchema | undefined,
  path: string,
  labels: string[],
  depth: number,
  out: DataField[],
): void {
  if (!isPlainObject(value)) return;
  const here = schema && root ? deref(schema, root) : undefined;
  const props = here ? properties(here) : {};
  const keys = new Set([...Object.keys(props), ...Object.keys(value)]);
  for (const key of keys) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const v = value[key];
    if (v === undefined && !(key in props)) continue;
    const sub = props[key] ? deref(props[key], root ?? {}) : undefined;
    const label = [...labels, typeof sub?.title === 'string' ? sub.title : humanize(key)];
    const p = `${path}.${key}`;
    if (isPlainObject(v) && depth < 3) {
      flatten(v, sub, root, p, label, depth + 1, out);
    } else if (Array.isArray(v)) {
      out.push({ path: p, label: label.join(' › '), preview: preview(v), depth, isList: true });
      if (isPlainObject(v[0]) && depth < 2) {
        const itemSchema = sub?.items ? deref(sub.items as JsonSchema, root ?? {}) : undefined;
        flatten(v[0], itemSchema, root, `${p}.first`, [...label, 'First'], depth + 1, out);
      }
    } else {
      out.push({ path: p, label: label.join(' › '), preview: preview(v), depth, isList: false });
    }
  }
}

export function dataSources(
  doc: Doc,
  catalog: EditorCatalog | null,
  run: RunResult | null,
  nodeId: string,
  triggerSample?: unknown,
): DataSource[] {
  if (!catalog) return [];
  const sources: DataSource[] = [];
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const upstream = upstreamIds(doc, nodeId);
  const triggerNode = doc.nodes.find((n) => catalog.byType.get(n.type)?.kind === 'trigger');
  const lastOutput = new Map<string, unknown>();
  for (const step of run?.steps ?? [])
    if (step.status === 'succeeded' && step.output !== undefined) lastOutput.set(step.nodeId, step.output);

  // The trigger is offered even before it is wired up: it is the first thing people want to pick.
  if (triggerNode && triggerNode.id !== nodeId) {
    const type = catalog.byType.get(triggerNode.type);
    const event = (run?.trigger ?? triggerSample ?? type?.sample) as Record<string, unknown> | undefined;
    const fields: DataField[] = [];
    const schema = type?.output;
    const dataSchema = schema ? properties(deref(schema, schema)).data : undefined;
    if (event && isPlainObject(event.data)) flatten(event.data, dataSchema, schema, 'trigger.data', [], 0, fields);
    if (event?.timestamp)
      fields.push({ path: 'trigger.timestamp', label: 'Happened at', preview: preview(event.timestamp), depth: 0, isList: false });
    sources.push({
      key: 'trigger',
      name: triggerNode.name || type?.label || 'Trigger',
      app: type ? catalog.appById.get(type.app) : undefined,
      type,
      fromRun: Boolean(run?.trigger),
      fromCrm: !run?.trigger && Boolean(triggerSample),
      fields,
    });
  }

  for (const id of upstream) {
    const node = byId.get(id);
    const type = node && catalog.byType.get(node.type);
    if (!node || !type || type.kind === 'trigger') continue;
    const output = lastOutput.get(id) ?? type.sample;
    const fields: DataField[] = [];
    flatten(output, type.output, type.output, `steps.${id}.output`, [], 0, fields);
    if (fields.length === 0) continue;
    sources.push({
      key: id,
      name: node.name || type.label,
      app: catalog.appById.get(type.app),
      type,
      fromRun: lastOutput.has(id),
      fields,
    });
  }

  // Inside a "For each" path, the current item.
  for (const loop of doc.nodes.filter((n) => catalog.byType.get(n.type)?.flow === 'loop')) {
    if (loop.id === nodeId || !reachableVia(doc, loop.id, 'each').has(nodeId)) continue;
    const items = (lastOutput.get(loop.id) as { items?: unknown[] } | undefined)?.items;
    const fields: DataField[] = [
      { path: 'loop.item', label: 'Current item', preview: preview(items?.[0]), depth: 0, isList: false },
      { path: 'loop.index', label: 'Item number (from 0)', preview: '0', depth: 0, isList: false },
    ];
    if (isPlainObject(items?.[0])) flatten(items[0], undefined, undefined, 'loop.item', ['Current item'], 1, fields);
    // The item is what a step inside a loop works on: offer it first.
    sources.unshift({ key: `loop:${loop.id}`, name: `${loop.name || 'For each'}: current item`, fromRun: Boolean(items), fields });
  }

  sources.push({
    key: 'run',
    name: 'This run',
    fromRun: false,
    fields: [{ path: 'run.startedAt', label: 'When the run started', preview: 'date and time', depth: 0, isList: false }],
  });
  return sources;
}
