import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { temporal } from 'zundo';
import { create } from 'zustand';
import type { Issue, MethodOutput, WorkflowSummary } from '../../src-main/shared/contract.ts';
import type { RunResult, StepStatus } from '../../src-main/shared/runs.ts';
import type { WorkflowNode } from '../../src-main/shared/workflow.ts';
import { toast as appToast } from '../components/index.ts';
import { defaultParams, type EditorCatalog } from './catalog.ts';
import {
  addEdge,
  addNode,
  type Doc,
  emptyDoc,
  freeSpot,
  isNoteFlowId,
  movePositions,
  NODE_GAP_X,
  newNoteId,
  newStepId,
  normalisePort,
  noteFlowId,
  noteIdOf,
  removeElements,
  updateNode,
  updateNote,
} from './doc.ts';
import { buildFlowEdges, buildFlowNodes, connectedPorts, type FlowEdge, type FlowNode, NOTE_SIZE } from './flow.ts';
import { friendlyIssues } from './issues.ts';

export type CrmSchema = MethodOutput<'crm.schema'>;
export type ConnectionInfo = MethodOutput<'connections.list'>[number];
export type NodeRunStatus = StepStatus | 'skipped';

export interface InsertTarget {
  nodeId: string;
  port: string;
  /** Screen rectangle of the "+" button the menu opens from. */
  rect: { x: number; y: number; width: number; height: number };
}

export interface EditorState {
  /** The workflow document: the only part undo/redo tracks. */
  doc: Doc;

  phase: 'loading' | 'naming' | 'ready' | 'error';
  loadError: string | null;
  catalog: EditorCatalog | null;
  crmSchema: CrmSchema | null;
  /** The accounts set up for other apps (never their secrets). */
  connections: ConnectionInfo[] | null;
  /** The document as last saved (by reference: undoing back to it makes the editor clean again). */
  savedDoc: Doc | null;
  summary: WorkflowSummary | null;
  saving: boolean;
  saveError: string | null;

  /** The trigger's step type (node summaries name the trigger's fields by their titles). */
  triggerType: string | null;
  rfNodes: FlowNode[];
  rfEdges: FlowEdge[];
  ports: Record<string, string>;
  selectedIds: string[];

  issues: Issue[];
  issuesByNode: Record<string, Issue[]>;

  run: RunResult | null;
  /** A recent real event for the trigger (else its example), for the data picker before any test. */
  triggerSample: unknown;
  stepStatus: Record<string, NodeRunStatus>;
  running: boolean;

  testOpen: boolean;
  minimap: boolean;
  insert: InsertTarget | null;
  /** Changes left unsaved when the editor was last closed on this workflow, offered back. */
  restorable: Doc | null;
  /** Problems that stopped "Go live", shown until dismissed. */
  problems: Issue[] | null;
  /** Asks the canvas to bring a node into view (a counter so the same node can be asked twice). */
  focus: { id: string; seq: number } | null;
}

const initial = (): Omit<EditorState, never> => ({
  doc: emptyDoc('untitled', 'Untitled workflow'),
  phase: 'loading',
  loadError: null,
  catalog: null,
  crmSchema: null,
  connections: null,
  savedDoc: null,
  summary: null,
  saving: false,
  saveError: null,
  triggerType: null,
  rfNodes: [],
  rfEdges: [],
  ports: {},
  selectedIds: [],
  issues: [],
  issuesByNode: {},
  run: null,
  triggerSample: null,
  stepStatus: {},
  running: false,
  testOpen: false,
  minimap: true,
  insert: null,
  restorable: null,
  problems: null,
  focus: null,
});

export const useEditor = create<EditorState>()(
  temporal(() => initial(), {
    partialize: (s) => ({ doc: s.doc }),
    equality: (a, b) => a.doc === b.doc,
    limit: 200,
  }),
);

const temporalStore = () => useEditor.temporal;

// Keep the canvas in step with the document, whoever changed it (an edit, undo or redo).
useEditor.subscribe((state, prev) => {
  if (state.doc === prev.doc) return;
  const rfNodes = buildFlowNodes(state.doc, state.rfNodes);
  const rfEdges = buildFlowEdges(state.doc, state.rfEdges);
  const selectedIds = rfNodes.filter((n) => n.selected).map((n) => n.id);
  const trigger = state.doc.nodes.find((n) => state.catalog?.byType.get(n.type)?.kind === 'trigger');
  useEditor.setState({
    triggerType: trigger?.type ?? null,
    rfNodes,
    rfEdges,
    ports: connectedPorts(state.doc),
    selectedIds: sameList(selectedIds, state.selectedIds) ? state.selectedIds : selectedIds,
  });
});

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

let lastEdit: { key: string; at: number } | null = null;

/**
 * Changes the document. Typing into a field changes it on every key: edits with the same
 * `coalesce` key in quick succession become one undo step.
 */
export function editDoc(update: (doc: Doc) => Doc, coalesce?: string): void {
  const state = useEditor.getState();
  const next = update(state.doc);
  if (next === state.doc) return;
  const now = Date.now();
  const merge = coalesce !== undefined && lastEdit?.key === coalesce && now - lastEdit.at < 1200;
  lastEdit = coalesce !== undefined ? { key: coalesce, at: now } : null;
  if (merge) {
    temporalStore().getState().pause();
    useEditor.setState({ doc: next });
    temporalStore().getState().resume();
  } else {
    useEditor.setState({ doc: next });
  }
}

/** Starts the editor on a document: no history, saved state = this document. */
export function loadDocument(doc: Doc, summary: WorkflowSummary | null): void {
  lastEdit = null;
  temporalStore().getState().pause();
  useEditor.setState({
    doc,
    savedDoc: summary ? doc : null,
    summary,
    phase: 'ready',
    run: null,
    stepStatus: {},
    problems: null,
    triggerSample: null,
  });
  temporalStore().getState().resume();
  temporalStore().getState().clear();
}

export function resetEditor(): void {
  lastEdit = null;
  temporalStore().getState().pause();
  useEditor.setState(initial());
  temporalStore().getState().resume();
  temporalStore().getState().clear();
}

export function undo(): void {
  lastEdit = null;
  temporalStore().getState().undo();
}

export function redo(): void {
  lastEdit = null;
  temporalStore().getState().redo();
}

export function onNodesChange(changes: NodeChange<FlowNode>[]): void {
  // Removal goes through deleteElements (one undo step, edges included); the rest is canvas state.
  const kept = changes.filter((c) => c.type !== 'remove');
  if (kept.length === 0) return;
  const state = useEditor.getState();
  const rfNodes = applyNodeChanges(kept, state.rfNodes);
  const patch: Partial<EditorState> = { rfNodes };
  if (kept.some((c) => c.type === 'select')) {
    const selectedIds = rfNodes.filter((n) => n.selected).map((n) => n.id);
    if (!sameList(selectedIds, state.selectedIds)) patch.selectedIds = selectedIds;
  }
  useEditor.setState(patch);
}

export function onEdgesChange(changes: EdgeChange<FlowEdge>[]): void {
  const kept = changes.filter((c) => c.type !== 'remove');
  if (kept.length === 0) return;
  useEditor.setState({ rfEdges: applyEdgeChanges(kept, useEditor.getState().rfEdges) });
}

/** Writes dragged positions into the document once the drag ends (one undo step per drag). */
export function commitPositions(nodes: readonly { id: string; position: { x: number; y: number } }[]): void {
  editDoc((doc) => movePositions(doc, new Map(nodes.map((n) => [n.id, n.position]))));
}

export function connect(connection: Connection): void {
  editDoc((doc) => addEdge(doc, { from: connection.source, to: connection.target, port: normalisePort(connection.sourceHandle) }));
}

export function deleteElements(nodeIds: readonly string[], edgeIds: readonly string[]): void {
  const steps = new Set(nodeIds.filter((id) => !isNoteFlowId(id)));
  const notes = new Set(nodeIds.filter(isNoteFlowId).map(noteIdOf));
  editDoc((doc) => removeElements(doc, steps, new Set(edgeIds), notes));
}

export function deleteSelection(): void {
  const { rfNodes, rfEdges } = useEditor.getState();
  deleteElements(
    rfNodes.filter((n) => n.selected).map((n) => n.id),
    rfEdges.filter((e) => e.selected).map((e) => e.id),
  );
}

export function selectOnly(ids: readonly string[]): void {
  const wanted = new Set(ids);
  const state = useEditor.getState();
  const rfNodes = state.rfNodes.map((n) => (n.selected === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) }));
  const rfEdges = state.rfEdges.map((e) => (e.selected ? { ...e, selected: false } : e));
  useEditor.setState({ rfNodes, rfEdges, selectedIds: rfNodes.filter((n) => n.selected).map((n) => n.id) });
}

export function selectAll(): void {
  selectOnly(useEditor.getState().rfNodes.map((n) => n.id));
}

export function focusNode(id: string): void {
  selectOnly([id]);
  useEditor.setState((s) => ({ focus: { id, seq: (s.focus?.seq ?? 0) + 1 } }));
}

/** Messages go to the app's toasts (bottom right), like everywhere else in Pipewright. */
export function toast(text: string, tone: 'info' | 'error' | 'success' = 'info', description?: string): void {
  appToast[tone](text, description ? { description } : undefined);
}

/**
 * Adds a step of `type` at `position`; with `after`, connects it to that step's port and places it
 * to the right. Returns the new step's id.
 */
export function addStep(
  type: string,
  position: { x: number; y: number } | null,
  after?: { nodeId: string; port: string },
): string | undefined {
  const state = useEditor.getState();
  const catalogNode = state.catalog?.byType.get(type);
  if (!catalogNode) return undefined;
  if (catalogNode.kind === 'trigger' && state.doc.nodes.some((n) => state.catalog?.byType.get(n.type)?.kind === 'trigger')) {
    toast('A workflow starts with one trigger.', 'error', 'Delete the current trigger first to start this workflow another way.');
    return undefined;
  }
  let id = '';
  editDoc((doc) => {
    id = newStepId(doc, type);
    let pos = position ?? { x: 0, y: 0 };
    const source = after ? doc.nodes.find((n) => n.id === after.nodeId) : undefined;
    if (source && !position) pos = freeSpot(doc, { x: source.position.x + NODE_GAP_X, y: source.position.y });
    else if (!position) pos = freeSpot(doc, { x: 0, y: 0 });
    const node: WorkflowNode = {
      id,
      type,
      version: catalogNode.version,
      params: withSmartDefaults(doc, catalogNode.type, defaultParams(catalogNode)),
      position: { x: Math.round(pos.x), y: Math.round(pos.y) },
    };
    let next = doc;
    if (catalogNode.needsConnection) {
      const alias = defaultConnection(doc, catalogNode.app);
      node.connection = alias;
      next = withConnection(next, alias, catalogNode.app);
    }
    next = addNode(next, node);
    if (source && after) next = addEdge(next, { from: source.id, to: id, port: normalisePort(after.port) });
    return next;
  });
  if (id) selectOnly([id]);
  return id || undefined;
}

/**
 * The connection alias a new step of `app` uses: the one the workflow already has for that app,
 * else the name of the only account set up for it, else the app's own id (bound when one is set up).
 */
function defaultConnection(doc: Doc, app: string): string {
  const existing = Object.entries(doc.connections).find(([, c]) => c.app === app);
  if (existing) return existing[0];
  const accounts = (useEditor.getState().connections ?? []).filter((c) => c.app === app);
  return accounts.length === 1 && accounts[0] ? accounts[0].name : app;
}

export function withConnection(doc: Doc, alias: string, app: string): Doc {
  if (doc.connections[alias]?.app === app) return doc;
  return { ...doc, connections: { ...doc.connections, [alias]: { app } } };
}

/** When the trigger is about a record, a new step that needs a record starts with the trigger's record. */
function withSmartDefaults(doc: Doc, type: string, params: Record<string, unknown>): Record<string, unknown> {
  const catalog = useEditor.getState().catalog;
  const stepType = catalog?.byType.get(type);
  const trigger = doc.nodes.find((n) => catalog?.byType.get(n.type)?.kind === 'trigger');
  const triggerType = trigger && catalog?.byType.get(trigger.type);
  if (!stepType || !triggerType || stepType.kind === 'trigger') return params;
  const sample = (triggerType.sample as { data?: Record<string, unknown> } | undefined)?.data;
  const props = (stepType.input.properties ?? {}) as Record<string, { widget?: string }>;
  const out = { ...params };
  for (const [key, prop] of Object.entries(props)) {
    if (out[key] !== undefined) continue;
    if (prop.widget === 'record' && sample && 'object_type_id' in sample) out[key] = '{{ trigger.data.id }}';
    if (prop.widget === 'contact' && sample && 'email' in sample && !('object_type_id' in sample)) out[key] = '{{ trigger.data.id }}';
  }
  return out;
}

export function addNote(position: { x: number; y: number }): void {
  let id = '';
  editDoc((doc) => {
    id = newNoteId(doc);
    return {
      ...doc,
      notes: [...doc.notes, { id, text: '', position: { x: Math.round(position.x), y: Math.round(position.y) }, size: { ...NOTE_SIZE } }],
    };
  });
  if (id) selectOnly([noteFlowId(id)]);
}

export function setNodeField(nodeId: string, update: (node: WorkflowNode) => WorkflowNode, coalesce?: string): void {
  editDoc((doc) => updateNode(doc, nodeId, update), coalesce);
}

export function setParam(nodeId: string, key: string, value: unknown): void {
  setNodeField(
    nodeId,
    (node) => {
      if (node.params[key] === value) return node;
      const params = { ...node.params };
      if (value === undefined) delete params[key];
      else params[key] = value;
      return { ...node, params };
    },
    `${nodeId}:params.${key}`,
  );
}

export function setNoteText(noteId: string, text: string): void {
  editDoc((doc) => updateNote(doc, noteId, (n) => ({ ...n, text })), `note:${noteId}`);
}

export function setNoteSize(noteId: string, size: { width: number; height: number }, position: { x: number; y: number }): void {
  editDoc((doc) =>
    updateNote(doc, noteId, (n) => ({
      ...n,
      size: { width: Math.round(size.width), height: Math.round(size.height) },
      position: { x: Math.round(position.x), y: Math.round(position.y) },
    })),
  );
}

export function setIssues(raw: Issue[]): void {
  const { issuesByNode: prev, doc, catalog } = useEditor.getState();
  const issues = friendlyIssues(raw, doc, catalog);
  const grouped: Record<string, Issue[]> = {};
  for (const issue of issues) {
    if (!issue.nodeId) continue;
    const list = grouped[issue.nodeId] ?? [];
    list.push(issue);
    grouped[issue.nodeId] = list;
  }
  // Keep the old arrays where nothing changed, so only the affected nodes render again.
  for (const [id, list] of Object.entries(grouped)) {
    const old = prev[id];
    if (old && JSON.stringify(old) === JSON.stringify(list)) grouped[id] = old;
  }
  useEditor.setState({ issues, issuesByNode: grouped });
}

export function setRun(run: RunResult | null): void {
  const stepStatus: Record<string, NodeRunStatus> = {};
  if (run) {
    const doc = useEditor.getState().doc;
    for (const step of run.steps) {
      const current = stepStatus[step.nodeId];
      // In loops one step runs many times: a failure anywhere shows.
      if (current !== 'failed') stepStatus[step.nodeId] = step.status;
    }
    for (const node of doc.nodes) if (!stepStatus[node.id]) stepStatus[node.id] = 'skipped';
  }
  useEditor.setState({ run, stepStatus });
}

export function isDirty(state: EditorState): boolean {
  return state.savedDoc !== state.doc;
}

const unsavedKey = (id: string) => `pipewright.editor.unsaved.${id}`;

/** Leaving with unsaved changes (another screen, a reload) keeps them for this browser tab. */
export function keepUnsaved(): void {
  const state = useEditor.getState();
  if (state.phase !== 'ready') return;
  try {
    if (isDirty(state)) sessionStorage.setItem(unsavedKey(state.doc.id), JSON.stringify(state.doc));
    else sessionStorage.removeItem(unsavedKey(state.doc.id));
  } catch {
    // Storage full or unavailable: nothing to offer back later.
  }
}

export function forgetUnsaved(id: string): void {
  try {
    sessionStorage.removeItem(unsavedKey(id));
  } catch {
    // Unavailable storage holds nothing.
  }
}

/** Unsaved changes kept from an earlier visit, if they differ from the saved document. */
export function findUnsaved(doc: Doc): Doc | null {
  try {
    const kept = sessionStorage.getItem(unsavedKey(doc.id));
    if (!kept || kept === JSON.stringify(doc)) return null;
    const parsed = JSON.parse(kept) as Doc;
    return parsed && Array.isArray(parsed.nodes) && parsed.id === doc.id ? parsed : null;
  } catch {
    return null;
  }
}
