import '@xyflow/react/dist/style.css';
import './editor.css';
import { type ReactFlowInstance, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { CircleAlert, CircleCheck, LoaderCircle, Rocket, X } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { Button, Dialog } from '../components/index.ts';
import { rpc } from '../rpc.ts';
import { copySelected, duplicateSelected, pasteText, sampleEvents, save, setLive, validateNow } from './actions.ts';
import { Canvas } from './canvas.tsx';
import { indexCatalog, portsOf } from './catalog.ts';
import { type Doc, emptyDoc, NODE_GAP_X, slugify } from './doc.ts';
import type { FlowEdge, FlowNode } from './flow.ts';
import { refreshCrmSchema } from './form-fields.tsx';
import { LiveStatus } from './live-status.tsx';
import { InsertMenu, Palette } from './palette.tsx';
import { SidePanel } from './side-panel.tsx';
import {
  addStep,
  deleteSelection,
  editDoc,
  findUnsaved,
  focusNode,
  forgetUnsaved,
  isDirty,
  keepUnsaved,
  loadDocument,
  redo,
  resetEditor,
  selectAll,
  selectOnly,
  undo,
  useEditor,
} from './store.ts';
import { TestPanel } from './test-panel.tsx';
import { Toolbar } from './toolbar.tsx';
import { VersionHistory } from './version-history.tsx';

export interface EditorScreenProps {
  /** The workflow to open; null starts a new one (the editor asks for its name). */
  workflowId: string | null;
  onExit(): void;
}

/** The workflow editor: palette, canvas, step settings, test runs and going live. */
export function EditorScreen(props: EditorScreenProps) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function Editor(props: EditorScreenProps) {
  const phase = useEditor((s) => s.phase);
  const loadError = useEditor((s) => s.loadError);
  const selected = useEditor((s) => (s.selectedIds.length === 1 && !s.selectedIds[0]?.startsWith('note:') ? s.selectedIds[0] : undefined));
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const [leaving, setLeaving] = useState(false);

  useLoad(props.workflowId);
  useValidation();
  useTriggerSample();
  useShortcuts(flow);

  const exit = useCallback(() => {
    if (isDirty(useEditor.getState()) && useEditor.getState().phase === 'ready') setLeaving(true);
    else props.onExit();
  }, [props.onExit]);

  const onAdd = useCallback(
    (type: string) => {
      const { selectedIds, doc, catalog } = useEditor.getState();
      const after = selectedIds.length === 1 ? doc.nodes.find((n) => n.id === selectedIds[0]) : undefined;
      if (after && catalog?.byType.get(type)?.kind !== 'trigger') {
        const ports = portsOf(after, catalog?.byType.get(after.type));
        addStep(type, null, { nodeId: after.id, port: ports[0] ?? 'main' });
        return;
      }
      const el = document.querySelector('.pw-ed-canvas')?.getBoundingClientRect();
      const center = flow.screenToFlowPosition({ x: (el?.x ?? 0) + (el?.width ?? 800) / 2, y: (el?.y ?? 0) + (el?.height ?? 600) / 2 });
      const rightmost = doc.nodes.reduce<Doc['nodes'][number] | undefined>(
        (r, n) => (!r || n.position.x > r.position.x ? n : r),
        undefined,
      );
      const position =
        doc.nodes.length === 0
          ? { x: center.x - 120, y: center.y - 40 }
          : rightmost
            ? { x: rightmost.position.x + NODE_GAP_X, y: rightmost.position.y }
            : center;
      addStep(type, position);
    },
    [flow],
  );

  if (phase === 'error') {
    return (
      <div className="pw-ed-editor pw-ed-editor--message">
        <div className="pw-empty">
          <CircleAlert size={22} aria-hidden="true" />
          <h2>The workflow could not be opened</h2>
          <p>{loadError}</p>
          <button type="button" className="pw-button pw-button--secondary" onClick={props.onExit}>
            Back to workflows
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="pw-ed-editor" data-testid="editor">
      <div className="pw-ed-editor__top">
        <Toolbar onExit={exit} />
        <LiveStatus />
      </div>
      <div className="pw-ed-editor__main">
        <Palette onAdd={onAdd} />
        <div className="pw-ed-editor__stage">
          {phase === 'loading' ? (
            <div className="pw-ed-canvas pw-ed-canvas--loading" role="status">
              <LoaderCircle size={20} className="pw-spinner" aria-hidden="true" /> Opening the workflow…
            </div>
          ) : (
            <Canvas />
          )}
          <RestoreBanner />
          <ProblemsCard />
        </div>
        {selected && <SidePanel nodeId={selected} onDuplicate={() => duplicateSelected(flow)} />}
        <TestPanel />
        <VersionHistory />
      </div>
      <InsertMenu />
      {phase === 'naming' && <NameDialog onCancel={props.onExit} />}
      <LeaveDialog open={leaving} onClose={() => setLeaving(false)} onLeave={props.onExit} />
    </div>
  );
}

function useLoad(workflowId: string | null) {
  useEffect(() => {
    let live = true;
    resetEditor();
    const catalog = rpc.call('catalog.get', {}).then((c) => indexCatalog(c as { apps: unknown[]; nodes: unknown[] }));
    // Both at once: the document does not wait for the catalog to arrive.
    const opened = workflowId === null ? null : rpc.call('workflows.get', { id: workflowId });
    opened?.catch(() => undefined);
    void refreshCrmSchema();
    rpc
      .call('connections.list', {})
      .then((connections) => live && useEditor.setState({ connections }))
      .catch(() => undefined);
    (async () => {
      try {
        if (workflowId === null) {
          const indexed = await catalog;
          if (!live) return;
          useEditor.setState({ catalog: indexed, phase: 'naming' });
          return;
        }
        const [indexed, { workflow, document }] = await Promise.all([catalog, opened as NonNullable<typeof opened>]);
        if (!live) return;
        // For the canvas benchmark: when the data arrived, as against when the steps appear.
        performance.mark('pipewright:editor-data');
        useEditor.setState({ catalog: indexed });
        loadDocument(document as Doc, workflow);
        useEditor.setState({ restorable: findUnsaved(document as Doc) });
      } catch (err) {
        if (live) useEditor.setState({ phase: 'error', loadError: (err as Error).message });
      }
    })();
    const offCrm = rpc.on('crm.changed', () => void refreshCrmSchema());
    const offWorkflows = rpc.on('workflows.changed', ({ id }) => {
      if (id !== useEditor.getState().doc.id) return;
      rpc
        .call('workflows.get', { id })
        .then(({ workflow }) => live && useEditor.setState({ summary: workflow }))
        .catch(() => undefined);
    });
    return () => {
      live = false;
      keepUnsaved();
      offCrm();
      offWorkflows();
    };
  }, [workflowId]);

  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      keepUnsaved();
      if (isDirty(useEditor.getState()) && useEditor.getState().phase === 'ready') e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);
}

/** Re-checks the document a moment after each change, for the inline messages and node badges. */
function useValidation() {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = useEditor.subscribe((state, prev) => {
      if (state.doc === prev.doc || state.phase !== 'ready') return;
      clearTimeout(timer);
      const large = state.doc.nodes.length > 100;
      // On open, wait until the canvas has been drawn; after edits, until typing pauses.
      const wait = prev.phase !== 'ready' ? (large ? 1500 : 100) : large ? 1200 : 400;
      timer = setTimeout(() => void validateNow(useEditor.getState().doc), wait);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, []);
}

/** Keeps a recent real event for the trigger, so the data picker shows the operator's own data. */
function useTriggerSample() {
  useEffect(() => {
    let lastKey = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = useEditor.subscribe((state) => {
      if (state.phase !== 'ready') return;
      const trigger = state.doc.nodes.find((n) => state.catalog?.byType.get(n.type)?.kind === 'trigger');
      const key = trigger ? JSON.stringify([trigger.type, trigger.params]) : '';
      if (key === lastKey) return;
      lastKey = key;
      clearTimeout(timer);
      if (!trigger) {
        useEditor.setState({ triggerSample: null });
        return;
      }
      timer = setTimeout(
        () => {
          sampleEvents()
            .then((events) => useEditor.setState({ triggerSample: events[0]?.event ?? null }))
            .catch(() => undefined);
        },
        state.doc.nodes.length > 100 ? 1500 : 300,
      );
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, []);
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function useShortcuts(flow: ReactFlowInstance<FlowNode, FlowEdge>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        void save();
        return;
      }
      if (isTyping(e.target) || useEditor.getState().phase !== 'ready') return;
      if (document.querySelector('[role="dialog"]')) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) redo();
        else undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        redo();
      } else if (mod && key === 'a') {
        e.preventDefault();
        selectAll();
      } else if (mod && key === 'd') {
        e.preventDefault();
        duplicateSelected(flow);
      } else if (key === 'escape') {
        selectOnly([]);
        useEditor.setState({ insert: null });
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTyping(e.target) || hasTextSelection()) return;
      copySelected(e);
    };
    const onCut = (e: ClipboardEvent) => {
      if (isTyping(e.target) || hasTextSelection()) return;
      if (copySelected(e)) deleteSelection();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target) || useEditor.getState().phase !== 'ready') return;
      if (pasteText(e.clipboardData?.getData('text/plain') ?? null, flow)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
    };
  }, [flow]);
}

function hasTextSelection(): boolean {
  const sel = window.getSelection();
  return Boolean(sel && !sel.isCollapsed && sel.toString().trim());
}

/** Offers back the changes left unsaved when this workflow was last closed in this tab. */
function RestoreBanner() {
  const restorable = useEditor((s) => s.restorable);
  if (!restorable) return null;
  const close = () => {
    forgetUnsaved(restorable.id);
    useEditor.setState({ restorable: null });
  };
  return (
    <div className="pw-ed-restore" role="status">
      <span>You left this workflow with changes that were not saved.</span>
      <Button
        size="sm"
        variant="primary"
        onClick={() => {
          editDoc(() => restorable);
          close();
        }}
      >
        Bring them back
      </Button>
      <Button size="sm" variant="ghost" onClick={close}>
        Discard
      </Button>
    </div>
  );
}

/** The problems that stopped "Go live"; each one selects its step. Updates as problems are fixed. */
function ProblemsCard() {
  const problems = useEditor((s) => s.problems);
  const issues = useEditor((s) => s.issues);
  const doc = useEditor((s) => s.doc);
  const [busy, setBusy] = useState(false);
  if (!problems) return null;
  const list = issues;
  const nameOf = (id?: string) => {
    const node = id ? doc.nodes.find((n) => n.id === id) : undefined;
    return node ? node.name || useEditor.getState().catalog?.byType.get(node.type)?.label || node.id : undefined;
  };
  return (
    <section className="pw-ed-problems" role="alert" aria-label="Problems to fix before going live" data-testid="problems">
      <header className="pw-ed-problems__head">
        {list.length ? <CircleAlert size={16} aria-hidden="true" /> : <CircleCheck size={16} aria-hidden="true" />}
        <h2>{list.length ? `Fix ${list.length === 1 ? 'this problem' : `these ${list.length} problems`} to go live` : 'All fixed'}</h2>
        <button
          type="button"
          className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
          aria-label="Close the list of problems"
          onClick={() => useEditor.setState({ problems: null })}
        >
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      {list.length ? (
        <ul className="pw-ed-problems__list">
          {list.map((issue) => (
            <li key={`${issue.nodeId}:${issue.field}:${issue.message}`}>
              {issue.nodeId ? (
                <button type="button" className="pw-ed-problems__item" onClick={() => issue.nodeId && focusNode(issue.nodeId)}>
                  <span className="pw-ed-problems__step">{nameOf(issue.nodeId)}</span>
                  <span>{issue.message}</span>
                </button>
              ) : (
                <span className="pw-ed-problems__item">{issue.message}</span>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <div className="pw-ed-problems__done">
          <p>Everything is set up.</p>
          <button
            type="button"
            className="pw-button pw-button--primary"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await setLive(true);
              setBusy(false);
            }}
          >
            <Rocket size={14} aria-hidden="true" /> Go live now
          </button>
        </div>
      )}
    </section>
  );
}

/** A new workflow starts with its name; the id is derived from it (and kept when the name changes later). */
function NameDialog(props: { onCancel(): void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async () => {
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Give the workflow a name, e.g. “New lead: follow-up”.');
      return;
    }
    setBusy(true);
    try {
      const existing = new Set((await rpc.call('workflows.list', {})).map((w) => w.id));
      const base = slugify(trimmed);
      let id = base;
      for (let i = 2; existing.has(id); i++) id = `${base.slice(0, 56)}-${i}`;
      const doc = emptyDoc(id, trimmed);
      const result = await rpc.call('workflows.save', { document: doc, note: 'Created' });
      if (!result.ok) throw new Error(result.issues[0]?.message ?? 'The workflow could not be created.');
      // Open it by its own address (replacing "new"), so a reload or "back" comes back to it.
      window.location.replace(`#/workflows/${encodeURIComponent(id)}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && props.onCancel()}
      title="Name your workflow"
      description="Say what it does, so your team recognises it in the list. You can change it later."
      onSubmit={() => void create()}
      footer={
        <>
          <Button variant="secondary" onClick={props.onCancel}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" loading={busy}>
            Create workflow
          </Button>
        </>
      }
    >
      <div className="pw-field">
        <label className="pw-field-label" htmlFor="pw-ed-new-name">
          Name
        </label>
        <input
          id="pw-ed-new-name"
          className="pw-input"
          value={name}
          maxLength={200}
          autoFocus
          placeholder="e.g. New lead: follow-up task"
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
        />
        {error ? (
          <p className="pw-field-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="pw-field-help">For example “New lead: follow-up task” or “Won job: send welcome”.</p>
        )}
      </div>
    </Dialog>
  );
}

function LeaveDialog(props: { open: boolean; onClose(): void; onLeave(): void }) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={props.open}
      onOpenChange={(open) => !open && props.onClose()}
      title="Save your changes?"
      description="This workflow has changes that are not saved yet."
      footer={
        <>
          <Button
            variant="ghost"
            onClick={() => {
              // Discarded on purpose: nothing to offer back next time.
              useEditor.setState((s) => ({ savedDoc: s.doc }));
              props.onLeave();
            }}
          >
            Leave without saving
          </Button>
          <Button variant="secondary" onClick={props.onClose}>
            Keep editing
          </Button>
          <Button
            variant="primary"
            loading={busy}
            onClick={async () => {
              setBusy(true);
              const ok = await save();
              setBusy(false);
              if (ok) props.onLeave();
            }}
          >
            Save and leave
          </Button>
        </>
      }
    />
  );
}
