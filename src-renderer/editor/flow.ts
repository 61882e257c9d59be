import type { Edge, Node } from '@xyflow/react';
import type { StickyNote, WorkflowNode } from '../../src-main/shared/workflow.ts';
import { type Doc, edgeKey, noteFlowId } from './doc.ts';

/** The document ↔ React Flow mapping. Unchanged steps keep their flow node object, so memoised nodes skip rendering. */

export type StepNodeData = { node: WorkflowNode };
export type NoteNodeData = { note: StickyNote };
export type StepFlowNode = Node<StepNodeData, 'step'>;
export type NoteFlowNode = Node<NoteNodeData, 'note'>;
export type FlowNode = StepFlowNode | NoteFlowNode;
export type FlowEdge = Edge<{ port: string }>;

export const NOTE_SIZE = { width: 220, height: 140 };

export function buildFlowNodes(doc: Doc, prev: readonly FlowNode[]): FlowNode[] {
  const prevById = new Map(prev.map((n) => [n.id, n]));
  const out: FlowNode[] = [];
  // Notes first: they sit underneath the steps.
  for (const note of doc.notes) {
    const id = noteFlowId(note.id);
    const old = prevById.get(id) as NoteFlowNode | undefined;
    if (old && old.data.note === note) {
      out.push(old);
      continue;
    }
    const size = note.size ?? NOTE_SIZE;
    out.push({
      id,
      type: 'note',
      position: note.position,
      data: { note },
      width: size.width,
      height: size.height,
      zIndex: -1,
      selected: old?.selected ?? false,
      dragHandle: '.pw-ed-note__grip',
    });
  }
  for (const node of doc.nodes) {
    const old = prevById.get(node.id) as StepFlowNode | undefined;
    if (old && old.data.node === node) {
      out.push(old);
      continue;
    }
    out.push({
      id: node.id,
      type: 'step',
      position: node.position,
      data: { node },
      selected: old?.selected ?? false,
      ...(old?.measured ? { measured: old.measured } : {}),
    });
  }
  return out;
}

export function buildFlowEdges(doc: Doc, prev: readonly FlowEdge[]): FlowEdge[] {
  const prevById = new Map(prev.map((e) => [e.id, e]));
  return doc.edges.map((e) => {
    const id = edgeKey(e);
    const old = prevById.get(id);
    if (old) return old;
    const port = e.port ?? 'main';
    return {
      id,
      source: e.from,
      target: e.to,
      sourceHandle: port,
      targetHandle: 'in',
      data: { port },
      ...(port === 'error' ? { className: 'pw-ed-edge--error' } : {}),
    };
  });
}

/** Which output ports of each step already lead somewhere (to show the "+" more quietly there). */
export function connectedPorts(doc: Doc): Record<string, string> {
  const map = new Map<string, Set<string>>();
  for (const e of doc.edges) {
    const set = map.get(e.from) ?? new Set<string>();
    set.add(e.port ?? 'main');
    map.set(e.from, set);
  }
  return Object.fromEntries([...map].map(([id, set]) => [id, [...set].sort().join(',')]));
}
