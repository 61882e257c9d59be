import type { Catalog, JsonSchema } from './catalog.ts';
import { type ConditionGroup, type ConditionRow, isGroup, OPERATORS } from './conditions.ts';
import type { Workflow, WorkflowEdge, WorkflowInput, WorkflowNode } from './workflow.ts';

/**
 * What changed between two versions of a workflow, in sentences an operator reads in the version
 * history: "Wait: 2 days → 3 days", "Added step 'Tag contact' after 'Create task'", "Removed branch
 * …", "Connection 'crm': Kanvo (sales) → Kanvo (support)". Isomorphic: the UI runs it too.
 */

export type WorkflowChangeKind =
  | 'workflow'
  | 'settings'
  | 'connection'
  | 'stepAdded'
  | 'stepRemoved'
  | 'stepRenamed'
  | 'stepChanged'
  | 'stepMoved'
  | 'branchAdded'
  | 'branchRemoved'
  | 'linkAdded'
  | 'linkRemoved'
  | 'note'
  | 'requirements'
  | 'sample'
  | 'layout';

export interface WorkflowChange {
  kind: WorkflowChangeKind;
  /** The step the change is about, when there is one. */
  nodeId?: string;
  text: string;
}

/** Names to use instead of ids: from the catalog (`catalogLabels`), plus the connections bound to each alias. */
export interface DiffLabels {
  /** Per step type: its label and its fields' titles. */
  nodes?: Record<string, { label: string; fields?: Record<string, string> }>;
  /** App id → app name. */
  apps?: Record<string, string>;
  /** The connection bound to each alias before and after (bindings are kept outside the document). */
  bindings?: { before?: Record<string, string>; after?: Record<string, string> };
}

function fieldTitles(schema: JsonSchema | undefined, into: Record<string, string>): void {
  if (!schema || typeof schema !== 'object') return;
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    if (typeof property.title === 'string') into[name] ??= property.title;
  }
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) fieldTitles(branch as JsonSchema, into);
  }
}

export function catalogLabels(catalog: Catalog): DiffLabels {
  const nodes: NonNullable<DiffLabels['nodes']> = {};
  for (const node of catalog.nodes) {
    const fields: Record<string, string> = {};
    fieldTitles(node.input, fields);
    nodes[node.type] = { label: node.label, fields };
  }
  return { nodes, apps: Object.fromEntries(catalog.apps.map((a) => [a.id, a.name])) };
}

// ---------------------------------------------------------------------------------------------
// Formatting values
// ---------------------------------------------------------------------------------------------

const MAX_TEXT = 60;
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

function describeRow(row: ConditionRow): string {
  const field = row.field.replace(/^(trigger\.data|steps\.[^.]+\.output)\./, '');
  const operator = OPERATORS[row.operator] ?? row.operator;
  if (row.operator === 'isnull' || row.operator === 'isnotnull') return `${field} ${operator}`;
  return `${field} ${operator} ${formatValue(row.value)}`;
}

function describeConditions(group: ConditionGroup): string {
  const parts = group.conditions.map((c) => (isGroup(c) ? `(${describeConditions(c)})` : describeRow(c)));
  return parts.join(group.match === 'any' ? ' or ' : ' and ');
}

const isConditionGroup = (v: unknown): v is ConditionGroup =>
  !!v && typeof v === 'object' && Array.isArray((v as ConditionGroup).conditions) && typeof (v as ConditionGroup).match === 'string';

export function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'string') return `"${clip(value)}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isConditionGroup(value)) return clip(describeConditions(value));
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null))
    return clip(value.map(String).join(', ') || '(none)');
  return clip(JSON.stringify(value));
}

function waitSummary(params: Record<string, unknown>): string {
  if (params.mode === 'until') return `until ${String(params.time ?? '?')}`;
  const amount = Number(params.amount);
  const unit = String(params.unit ?? 'days');
  return `${String(params.amount ?? '?')} ${amount === 1 ? unit.replace(/s$/, '') : unit}`;
}

const ON_ERROR: Record<string, string> = { stop: 'stop the run', continue: 'continue', errorPort: 'follow the error path' };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------
// The diff
// ---------------------------------------------------------------------------------------------

interface Doc {
  name: string;
  description?: string;
  category?: string;
  connections: Record<string, { app: string; label?: string; scopes?: string[] }>;
  requires?: Workflow['requires'];
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  notes: { id: string; text: string; position: { x: number; y: number } }[];
  settings: Record<string, unknown>;
  sample?: unknown;
}

function normalize(doc: Workflow | WorkflowInput): Doc {
  return {
    name: doc.name,
    description: doc.description,
    category: doc.category,
    connections: doc.connections ?? {},
    requires: doc.requires,
    nodes: doc.nodes.map((n) => ({ ...n, version: n.version ?? 1, params: n.params ?? {}, position: n.position ?? { x: 0, y: 0 } })),
    edges: doc.edges ?? [],
    notes: doc.notes ?? [],
    settings: { timezone: 'UTC', maxChainDepth: 5, ...(doc.settings ?? {}) },
    sample: doc.sample,
  };
}

const edgeKey = (e: WorkflowEdge) => `${e.from}\u0000${e.to}\u0000${e.port ?? 'main'}`;

export function diffWorkflows(
  before: Workflow | WorkflowInput,
  after: Workflow | WorkflowInput,
  labels: DiffLabels = {},
): WorkflowChange[] {
  const a = normalize(before);
  const b = normalize(after);
  const changes: WorkflowChange[] = [];
  const add = (kind: WorkflowChangeKind, text: string, nodeId?: string) => changes.push({ kind, text, ...(nodeId ? { nodeId } : {}) });

  const nodesA = new Map(a.nodes.map((n) => [n.id, n]));
  const nodesB = new Map(b.nodes.map((n) => [n.id, n]));
  const nameIn = (nodes: Map<string, WorkflowNode>) => (id: string) => {
    const node = nodes.get(id) ?? nodesA.get(id) ?? nodesB.get(id);
    return node?.name ?? (node && labels.nodes?.[node.type]?.label) ?? id;
  };
  const nameA = nameIn(nodesA);
  const nameB = nameIn(nodesB);
  const appName = (app: string) => labels.apps?.[app] ?? app;
  const fieldTitle = (node: WorkflowNode, field: string) => labels.nodes?.[node.type]?.fields?.[field] ?? field;
  const typeLabel = (type: string) => labels.nodes?.[type]?.label ?? type;
  const branchName = (nodes: Map<string, WorkflowNode>, edge: WorkflowEdge) => {
    const cases = nodes.get(edge.from)?.params.cases;
    const label = Array.isArray(cases)
      ? (cases as { port?: string; label?: string }[]).find((c) => c.port === edge.port)?.label
      : undefined;
    return label ?? (edge.port && edge.port !== 'true' && edge.port !== 'false' ? edge.port : nameIn(nodes)(edge.to));
  };
  const afterText = (nodes: Map<string, WorkflowNode>, edge: WorkflowEdge) =>
    `'${nameIn(nodes)(edge.from)}'${edge.port && edge.port !== 'main' ? ` (${edge.port})` : ''}`;

  // The workflow itself.
  if (a.name !== b.name) add('workflow', `Renamed the workflow '${a.name}' → '${b.name}'`);
  if ((a.description ?? '') !== (b.description ?? '')) add('workflow', 'Changed the description');
  if ((a.category ?? '') !== (b.category ?? '')) add('workflow', `Category: ${formatValue(a.category)} → ${formatValue(b.category)}`);

  // Settings.
  if (a.settings.timezone !== b.settings.timezone) add('settings', `Time zone: ${a.settings.timezone} → ${b.settings.timezone}`);
  if (a.settings.maxChainDepth !== b.settings.maxChainDepth) {
    add(
      'settings',
      `Loop guard (runs started by runs, at most): ${String(a.settings.maxChainDepth)} → ${String(b.settings.maxChainDepth)}`,
    );
  }
  if (!same(a.settings.retry, b.settings.retry))
    add('settings', `Default retries: ${formatValue(a.settings.retry)} → ${formatValue(b.settings.retry)}`);

  // Connections: the app, its label, the connection bound to it.
  const describeConnection = (c: Doc['connections'][string] | undefined, bound: string | undefined) =>
    c ? `${appName(c.app)}${(bound ?? c.label) ? ` (${bound ?? c.label})` : ''}` : '(none)';
  const aliases = [...new Set([...Object.keys(a.connections), ...Object.keys(b.connections)])];
  for (const alias of aliases) {
    const ca = a.connections[alias];
    const cb = b.connections[alias];
    const was = describeConnection(ca, labels.bindings?.before?.[alias]);
    const now = describeConnection(cb, labels.bindings?.after?.[alias]);
    if (!ca) add('connection', `Added connection '${alias}': ${now}`);
    else if (!cb) add('connection', `Removed connection '${alias}' (${was})`);
    else if (was !== now) add('connection', `Connection '${alias}': ${was} → ${now}`);
    else if (!same(ca.scopes ?? [], cb.scopes ?? [])) {
      add('connection', `Connection '${alias}' access: ${formatValue(ca.scopes ?? [])} → ${formatValue(cb.scopes ?? [])}`);
    }
  }

  // Steps, in the order of the new version; removed ones after.
  let moved = 0;
  for (const node of b.nodes) {
    const old = nodesA.get(node.id);
    const name = nameB(node.id);
    if (!old) {
      const incoming = b.edges.filter((e) => e.to === node.id);
      add(
        'stepAdded',
        `Added step '${name}'${incoming.length ? ` after ${incoming.map((e) => afterText(nodesB, e)).join(' and ')}` : ''}`,
        node.id,
      );
      continue;
    }
    if ((old.name ?? '') !== (node.name ?? '')) add('stepRenamed', `Renamed step '${nameA(node.id)}' → '${name}'`, node.id);
    if (old.type !== node.type)
      add('stepChanged', `Step '${name}' is now '${typeLabel(node.type)}' (was '${typeLabel(old.type)}')`, node.id);
    else if (old.version !== node.version) add('stepChanged', `Step '${name}': version ${old.version} → ${node.version}`, node.id);
    if (old.connection !== node.connection) {
      add('stepChanged', `Step '${name}' uses connection ${formatValue(node.connection)} (was ${formatValue(old.connection)})`, node.id);
    }
    if (!!old.disabled !== !!node.disabled) add('stepChanged', `${node.disabled ? 'Turned off' : 'Turned on'} step '${name}'`, node.id);
    if ((old.onError ?? 'stop') !== (node.onError ?? 'stop')) {
      add('stepChanged', `When '${name}' fails: ${ON_ERROR[old.onError ?? 'stop']} → ${ON_ERROR[node.onError ?? 'stop']}`, node.id);
    }
    if (!same(old.retry, node.retry))
      add('stepChanged', `Retries of '${name}': ${formatValue(old.retry)} → ${formatValue(node.retry)}`, node.id);
    if ((old.notes ?? '') !== (node.notes ?? '')) add('stepChanged', `Changed the notes of '${name}'`, node.id);
    if (old.type === node.type) paramChanges(old, node, name);
    if (old.position.x !== node.position.x || old.position.y !== node.position.y) moved++;
  }
  for (const node of a.nodes) {
    if (nodesB.has(node.id)) continue;
    const incoming = a.edges.filter((e) => e.to === node.id);
    add(
      'stepRemoved',
      `Removed step '${nameA(node.id)}'${incoming.length ? ` (it ran after ${incoming.map((e) => afterText(nodesA, e)).join(' and ')})` : ''}`,
      node.id,
    );
  }

  function paramChanges(old: WorkflowNode, node: WorkflowNode, name: string): void {
    if (node.type === 'logic.wait') {
      const was = waitSummary(old.params);
      const now = waitSummary(node.params);
      if (was !== now) add('stepChanged', `${name}: ${was} → ${now}`, node.id);
      return;
    }
    const keys = [...new Set([...Object.keys(node.params), ...Object.keys(old.params)])];
    for (const key of keys) {
      const was = old.params[key];
      const now = node.params[key];
      if (same(was, now)) continue;
      const title = fieldTitle(node, key);
      const nested = [was, now].every((v) => v === undefined || (v && typeof v === 'object' && !Array.isArray(v) && !isConditionGroup(v)));
      if (nested) {
        const wasObj = (was ?? {}) as Record<string, unknown>;
        const nowObj = (now ?? {}) as Record<string, unknown>;
        for (const sub of [...new Set([...Object.keys(nowObj), ...Object.keys(wasObj)])]) {
          if (same(wasObj[sub], nowObj[sub])) continue;
          add('stepChanged', `${title} "${sub}" of '${name}': ${formatValue(wasObj[sub])} → ${formatValue(nowObj[sub])}`, node.id);
        }
        continue;
      }
      add('stepChanged', `${title} of '${name}': ${formatValue(was)} → ${formatValue(now)}`, node.id);
    }
  }

  // Links between steps that are in both versions: moves first, then branches and plain links.
  const both = (e: WorkflowEdge) => nodesA.has(e.from) && nodesA.has(e.to) && nodesB.has(e.from) && nodesB.has(e.to);
  const keysA = new Set(a.edges.map(edgeKey));
  const keysB = new Set(b.edges.map(edgeKey));
  const removed = a.edges.filter((e) => both(e) && !keysB.has(edgeKey(e)));
  const added = b.edges.filter((e) => both(e) && !keysA.has(edgeKey(e)));
  const order = new Map(b.nodes.map((n, i) => [n.id, i]));
  removed.sort((x, y) => (order.get(x.to) ?? 0) - (order.get(y.to) ?? 0));
  for (const gone of [...removed]) {
    const replacement = added.find((e) => e.to === gone.to);
    if (!replacement) continue;
    removed.splice(removed.indexOf(gone), 1);
    added.splice(added.indexOf(replacement), 1);
    add('stepMoved', `Moved '${nameB(gone.to)}' from after ${afterText(nodesA, gone)} to after ${afterText(nodesB, replacement)}`, gone.to);
  }
  const isBranch = (e: WorkflowEdge) => (e.port ?? 'main') !== 'main';
  for (const gone of removed) {
    if (isBranch(gone)) {
      add('branchRemoved', `Removed branch '${branchName(nodesA, gone)}' (the ${gone.port} path of '${nameA(gone.from)}')`, gone.from);
    } else add('linkRemoved', `'${nameB(gone.to)}' no longer runs after '${nameA(gone.from)}'`, gone.to);
  }
  for (const edge of added) {
    if (isBranch(edge)) {
      add('branchAdded', `Added branch '${branchName(nodesB, edge)}' (the ${edge.port} path of '${nameB(edge.from)}')`, edge.from);
    } else add('linkAdded', `'${nameB(edge.to)}' now also runs after '${nameB(edge.from)}'`, edge.to);
  }

  // Sticky notes.
  const notesA = new Map(a.notes.map((n) => [n.id, n]));
  const notesB = new Map(b.notes.map((n) => [n.id, n]));
  for (const note of b.notes) {
    const old = notesA.get(note.id);
    if (!old) add('note', `Added a note: ${formatValue(note.text)}`);
    else if (old.text !== note.text) add('note', `Changed a note: ${formatValue(old.text)} → ${formatValue(note.text)}`);
    else if (old.position.x !== note.position.x || old.position.y !== note.position.y) moved++;
  }
  for (const note of a.notes) if (!notesB.has(note.id)) add('note', `Removed a note: ${formatValue(note.text)}`);

  requirementChanges(a.requires, b.requires, (text) => add('requirements', text));
  if (!same(a.sample, b.sample)) add('sample', 'Changed the sample event test runs start with');
  if (moved) add('layout', `Rearranged the canvas (${moved} item${moved === 1 ? '' : 's'} moved)`);
  return changes;
}

function requirementChanges(a: Workflow['requires'], b: Workflow['requires'], add: (text: string) => void): void {
  if (same(a ?? {}, b ?? {})) return;
  const listChange = (what: string, was: string[] = [], now: string[] = []) => {
    const gained = now.filter((x) => !was.includes(x));
    const lost = was.filter((x) => !now.includes(x));
    if (gained.length) add(`Now needs the ${what} ${gained.map((x) => `'${x}'`).join(', ')}`);
    if (lost.length) add(`No longer needs the ${what} ${lost.map((x) => `'${x}'`).join(', ')}`);
  };
  listChange('object type(s)', a?.objectTypes, b?.objectTypes);
  const pipelines = [...new Set([...Object.keys(a?.pipelines ?? {}), ...Object.keys(b?.pipelines ?? {})])];
  for (const p of pipelines) listChange(`stage(s) of the pipeline '${p}':`, a?.pipelines?.[p], b?.pipelines?.[p]);
  if (!same(a?.customFields ?? {}, b?.customFields ?? {})) add('Changed the custom fields it needs');
  listChange('tag(s)', a?.tags, b?.tags);
}
