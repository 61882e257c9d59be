import { type StickyNote, WORKFLOW_FORMAT, type Workflow, type WorkflowEdge, type WorkflowNode } from '../../src-main/shared/workflow.ts';

/** Pure operations on the workflow document. Every edit returns a new document (undo keeps the old one). */

export type Doc = Workflow;

export const NODE_WIDTH = 240;
export const NODE_GAP_X = 300;
export const NODE_GAP_Y = 130;

export function emptyDoc(id: string, name: string): Doc {
  return {
    format: WORKFLOW_FORMAT,
    id,
    name,
    connections: {},
    nodes: [],
    edges: [],
    notes: [],
    settings: { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', maxChainDepth: 5 },
  };
}

/** A workflow id from its name: "New lead: follow-up" → "new-lead-follow-up". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  if (!slug) return 'workflow';
  return /^[a-z]/.test(slug) ? slug : `workflow-${slug}`;
}

export function uniqueId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base.slice(0, 60)}_${i}`;
    if (!taken(candidate)) return candidate;
  }
}

/** A readable step id from the type key: "local.createTask" → "create_task". */
export function stepIdBase(type: string): string {
  const key = type.split('.')[1] ?? 'step';
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return /^[a-z]/.test(snake) ? snake.slice(0, 50) : `step_${snake}`.slice(0, 50);
}

export function newStepId(doc: Doc, type: string): string {
  const ids = new Set(doc.nodes.map((n) => n.id));
  return uniqueId(stepIdBase(type), (id) => ids.has(id));
}

export function edgeKey(e: WorkflowEdge): string {
  return `${e.from}:${e.port ?? 'main'}>${e.to}`;
}

export function normalisePort(port: string | null | undefined): string | undefined {
  return !port || port === 'main' ? undefined : port;
}

export function addNode(doc: Doc, node: WorkflowNode): Doc {
  return { ...doc, nodes: [...doc.nodes, node] };
}

export function addEdge(doc: Doc, edge: WorkflowEdge): Doc {
  const key = edgeKey(edge);
  if (edge.from === edge.to || doc.edges.some((e) => edgeKey(e) === key)) return doc;
  return { ...doc, edges: [...doc.edges, edge] };
}

export function updateNode(doc: Doc, id: string, update: (node: WorkflowNode) => WorkflowNode): Doc {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = update(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

export function updateNote(doc: Doc, id: string, update: (note: StickyNote) => StickyNote): Doc {
  return { ...doc, notes: doc.notes.map((n) => (n.id === id ? update(n) : n)) };
}

export function removeElements(doc: Doc, nodeIds: ReadonlySet<string>, edgeKeys: ReadonlySet<string>, noteIds: ReadonlySet<string>): Doc {
  if (nodeIds.size === 0 && edgeKeys.size === 0 && noteIds.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodeIds.has(n.id)),
    edges: doc.edges.filter((e) => !nodeIds.has(e.from) && !nodeIds.has(e.to) && !edgeKeys.has(edgeKey(e))),
    notes: doc.notes.filter((n) => !noteIds.has(n.id)),
  };
}

export function movePositions(doc: Doc, positions: ReadonlyMap<string, { x: number; y: number }>): Doc {
  if (positions.size === 0) return doc;
  const round = (p: { x: number; y: number }) => ({ x: Math.round(p.x), y: Math.round(p.y) });
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p = positions.get(n.id);
      return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: round(p) } : n;
    }),
    notes: doc.notes.map((n) => {
      const p = positions.get(noteFlowId(n.id));
      return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: round(p) } : n;
    }),
  };
}

/** Notes live beside steps on the canvas; their canvas ids are prefixed so they never clash with step ids. */
export function noteFlowId(id: string): string {
  return `note:${id}`;
}

export function isNoteFlowId(id: string): boolean {
  return id.startsWith('note:');
}

export function noteIdOf(flowId: string): string {
  return flowId.slice('note:'.length);
}

/** Every step that runs before `nodeId` (its ancestors), nearest first. */
export function upstreamIds(doc: Doc, nodeId: string): string[] {
  const incoming = new Map<string, string[]>();
  for (const e of doc.edges) {
    const list = incoming.get(e.to) ?? [];
    list.push(e.from);
    incoming.set(e.to, list);
  }
  const seen = new Set<string>([nodeId]);
  const order: string[] = [];
  const queue = [...(incoming.get(nodeId) ?? [])];
  while (queue.length) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    queue.push(...(incoming.get(id) ?? []));
  }
  return order;
}

/** A free spot near `wanted`, so a new step does not land on top of another. */
export function freeSpot(doc: Doc, wanted: { x: number; y: number }): { x: number; y: number } {
  const spot = { ...wanted };
  for (let i = 0; i < 50; i++) {
    const clash = doc.nodes.some((n) => Math.abs(n.position.x - spot.x) < NODE_WIDTH - 20 && Math.abs(n.position.y - spot.y) < 90);
    if (!clash) return spot;
    spot.y += NODE_GAP_Y;
  }
  return spot;
}

export const CLIPBOARD_NAME = 'Copied steps';

/** The selected steps (and notes) as a workflow document: what Ctrl+C puts on the clipboard. */
export function copySelection(doc: Doc, nodeIds: ReadonlySet<string>, noteIds: ReadonlySet<string>): string | undefined {
  const nodes = doc.nodes.filter((n) => nodeIds.has(n.id));
  const notes = doc.notes.filter((n) => noteIds.has(n.id));
  if (nodes.length === 0 && notes.length === 0) return undefined;
  const clip: Doc = {
    format: WORKFLOW_FORMAT,
    id: 'copied-steps',
    name: CLIPBOARD_NAME,
    connections: Object.fromEntries(
      Object.entries(doc.connections).filter(([alias]) => nodes.some((n) => n.connection === alias)),
    ) as Doc['connections'],
    nodes,
    edges: doc.edges.filter((e) => nodeIds.has(e.from) && nodeIds.has(e.to)),
    notes,
    settings: doc.settings,
  };
  return JSON.stringify(clip, null, 2);
}

/**
 * Pastes copied steps: new ids (templates that refer to a renamed step are rewritten), positions
 * offset so the copy is visible beside the original. Returns undefined when the text is not
 * copied steps.
 */
export function pasteClipboard(
  doc: Doc,
  text: string,
  offset: { x: number; y: number },
): { doc: Doc; nodeIds: string[]; noteIds: string[] } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const clip = parsed as Partial<Doc>;
  if (!clip || clip.format !== WORKFLOW_FORMAT || !Array.isArray(clip.nodes)) return undefined;
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const node of clip.nodes) {
    if (!node || typeof node.id !== 'string' || typeof node.type !== 'string') return undefined;
    const id = uniqueId(stepIdBase(node.type), (c) => taken.has(c));
    taken.add(id);
    rename.set(node.id, id);
  }
  const renameRefs = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/steps\.([a-zA-Z][a-zA-Z0-9_-]*)/g, (all, id: string) => {
        const to = rename.get(id);
        return to ? `steps.${to}` : all;
      });
    }
    if (Array.isArray(value)) return value.map(renameRefs);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameRefs(v)]));
    return value;
  };
  const nodes: WorkflowNode[] = clip.nodes.map((n) => ({
    ...n,
    id: rename.get(n.id) as string,
    version: n.version ?? 1,
    params: renameRefs(n.params ?? {}) as Record<string, unknown>,
    position: { x: (n.position?.x ?? 0) + offset.x, y: (n.position?.y ?? 0) + offset.y },
    // A connection alias only means something in the workflow that declares it.
    ...(n.connection && !(n.connection in doc.connections) && !(clip.connections && n.connection in clip.connections)
      ? { connection: undefined }
      : {}),
  }));
  const edges: WorkflowEdge[] = (clip.edges ?? [])
    .filter((e) => rename.has(e.from) && rename.has(e.to))
    .map((e) => ({ ...e, from: rename.get(e.from) as string, to: rename.get(e.to) as string }));
  const noteTaken = new Set(doc.notes.map((n) => n.id));
  const notes: StickyNote[] = (clip.notes ?? []).map((n) => {
    const id = uniqueId(`note_${Math.random().toString(36).slice(2, 8)}`, (c) => noteTaken.has(c));
    noteTaken.add(id);
    return { ...n, id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const connections = { ...(clip.connections ?? {}), ...doc.connections };
  return {
    doc: { ...doc, connections, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges], notes: [...doc.notes, ...notes] },
    nodeIds: nodes.map((n) => n.id),
    noteIds: notes.map((n) => n.id),
  };
}

export function newNoteId(doc: Doc): string {
  const ids = new Set(doc.notes.map((n) => n.id));
  return uniqueId(`note_${Date.now().toString(36)}`, (id) => ids.has(id));
}
