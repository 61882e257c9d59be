import type { ReactFlowInstance } from '@xyflow/react';
import type { Issue, MethodOutput } from '../../src-main/shared/contract.ts';
import { RpcCallError, rpc } from '../rpc.ts';
import { copySelection, type Doc, isNoteFlowId, movePositions, NODE_WIDTH, noteIdOf, pasteClipboard } from './doc.ts';
import type { FlowEdge, FlowNode } from './flow.ts';
import { layoutPositions } from './layout.ts';
import { editDoc, forgetUnsaved, selectOnly, setIssues, toast, useEditor } from './store.ts';

/** Editor commands that talk to the engine or span several parts of the state. */

export async function save(note?: string): Promise<boolean> {
  const { doc, saving } = useEditor.getState();
  if (saving) return false;
  useEditor.setState({ saving: true, saveError: null });
  try {
    const result = await rpc.call('workflows.save', { document: doc, ...(note ? { note } : {}) });
    if (result.ok) {
      useEditor.setState({ savedDoc: doc, summary: result.workflow, saving: false });
      forgetUnsaved(doc.id);
      setIssues(result.issues);
      return true;
    }
    setIssues(result.issues);
    useEditor.setState({ saving: false, saveError: result.issues[0]?.message ?? 'The workflow could not be saved.' });
    toast(`Not saved: ${result.issues[0]?.message ?? 'the workflow has problems.'}`, 'error');
    return false;
  } catch (err) {
    const message = (err as Error).message;
    useEditor.setState({ saving: false, saveError: message });
    toast(`Not saved: ${message}`, 'error');
    return false;
  }
}

export async function validateNow(doc: Doc): Promise<Issue[] | undefined> {
  try {
    const result = await rpc.call('workflows.validate', { document: doc });
    if (useEditor.getState().doc === doc) setIssues(result.issues);
    return result.issues;
  } catch {
    return undefined;
  }
}

export async function setLive(live: boolean): Promise<void> {
  if (live) {
    const dirty = useEditor.getState().savedDoc !== useEditor.getState().doc;
    if (dirty && !(await save())) return;
  }
  const id = useEditor.getState().doc.id;
  try {
    const result = await rpc.call('workflows.setLive', { id, live });
    if (result.ok) {
      useEditor.setState({ summary: result.workflow, problems: null });
      toast(live ? 'The workflow is live: it now runs on every matching event.' : 'The workflow is turned off.');
    } else {
      setIssues(result.issues);
      useEditor.setState({ problems: result.issues });
    }
  } catch (err) {
    if (err instanceof RpcCallError && err.issues.length) {
      setIssues(err.issues);
      useEditor.setState({ problems: err.issues });
    } else toast((err as Error).message, 'error');
  }
}

export async function autoLayout(flow: ReactFlowInstance<FlowNode, FlowEdge>): Promise<void> {
  const { doc, catalog } = useEditor.getState();
  if (doc.nodes.length === 0) return;
  const positions = await layoutPositions(doc, catalog, (id) => {
    const n = flow.getNode(id);
    return { width: n?.measured?.width ?? NODE_WIDTH, height: n?.measured?.height ?? 90 };
  });
  editDoc((current) => (current === doc ? movePositions(current, positions) : current));
  requestAnimationFrame(() => void flow.fitView({ duration: 300, maxZoom: 1, padding: 0.15 }));
}

let lastCopied: string | null = null;
let pasteCount = 0;

/** Ctrl+C: the selected steps as workflow JSON, on the system clipboard (works between workflows). */
export function copySelected(event?: ClipboardEvent): boolean {
  const { doc, rfNodes } = useEditor.getState();
  const selected = rfNodes.filter((n) => n.selected).map((n) => n.id);
  const steps = new Set(selected.filter((id) => !isNoteFlowId(id)));
  const notes = new Set(selected.filter(isNoteFlowId).map(noteIdOf));
  const text = copySelection(doc, steps, notes);
  if (!text) return false;
  lastCopied = text;
  pasteCount = 0;
  if (event?.clipboardData) {
    event.clipboardData.setData('text/plain', text);
    event.preventDefault();
  } else void navigator.clipboard?.writeText(text).catch(() => undefined);
  const n = steps.size + notes.size;
  toast(`Copied ${n} ${n === 1 ? 'item' : 'items'}. Paste with Ctrl+V, here or in another workflow.`);
  return true;
}

export function pasteText(text: string | null, flow: ReactFlowInstance<FlowNode, FlowEdge>): boolean {
  const source = text || lastCopied;
  if (!source) return false;
  const { doc } = useEditor.getState();
  let parsed: { nodes?: { id: string; position?: { x: number; y: number } }[] } | undefined;
  try {
    parsed = JSON.parse(source);
  } catch {
    return false;
  }
  const clipNodes = parsed?.nodes ?? [];
  // Pasting where the originals are: offset a little each time. Elsewhere: into the middle of the view.
  const here = clipNodes.some((n) =>
    doc.nodes.some((d) => d.id === n.id && d.position.x === n.position?.x && d.position.y === n.position?.y),
  );
  let offset: { x: number; y: number };
  if (here || clipNodes.length === 0) {
    pasteCount += 1;
    offset = { x: 40 * pasteCount, y: 40 * pasteCount };
  } else {
    const xs = clipNodes.map((n) => n.position?.x ?? 0);
    const ys = clipNodes.map((n) => n.position?.y ?? 0);
    const el = document.querySelector('.pw-ed-canvas')?.getBoundingClientRect();
    const center = flow.screenToFlowPosition({ x: (el?.x ?? 0) + (el?.width ?? 800) / 2, y: (el?.y ?? 0) + (el?.height ?? 600) / 2 });
    offset = {
      x: Math.round(center.x - (Math.min(...xs) + Math.max(...xs)) / 2),
      y: Math.round(center.y - (Math.min(...ys) + Math.max(...ys)) / 2),
    };
  }
  const pasted = pasteClipboard(doc, source, offset);
  if (!pasted) return false;
  editDoc(() => pasted.doc);
  selectOnly([...pasted.nodeIds, ...pasted.noteIds.map((id) => `note:${id}`)]);
  const n = pasted.nodeIds.length + pasted.noteIds.length;
  toast(`Pasted ${n} ${n === 1 ? 'item' : 'items'}.`);
  return true;
}

export function duplicateSelected(flow: ReactFlowInstance<FlowNode, FlowEdge>): void {
  const { doc, rfNodes } = useEditor.getState();
  const selected = rfNodes.filter((n) => n.selected).map((n) => n.id);
  const text = copySelection(
    doc,
    new Set(selected.filter((id) => !isNoteFlowId(id))),
    new Set(selected.filter(isNoteFlowId).map(noteIdOf)),
  );
  if (text) {
    pasteCount = 0;
    pasteText(text, flow);
  }
}

/**
 * The test events for the trigger. Asked with the trigger alone: the engine offers examples only
 * for a well-formed document, and the draft being edited may well not be one yet.
 */
export async function sampleEvents(): Promise<MethodOutput<'runs.sampleEvents'>> {
  const { doc, catalog } = useEditor.getState();
  const trigger = doc.nodes.find((n) => catalog?.byType.get(n.type)?.kind === 'trigger');
  if (!trigger) return [];
  return rpc.call('runs.sampleEvents', { document: { ...doc, nodes: [trigger], edges: [], notes: [] } });
}
