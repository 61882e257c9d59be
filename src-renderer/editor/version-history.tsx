import { Background, BackgroundVariant, Controls, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { ArrowLeft, CircleAlert, Eye, History, Minus, Pencil, Plus, RotateCcw, X } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { create } from 'zustand';
import type { MethodOutput } from '../../src-main/shared/contract.ts';
import { Banner, Button, ConfirmDialog, EmptyState, formatDateTime, formatRelative, IconButton, toast } from '../components/index.ts';
import { rpc } from '../rpc.ts';
import type { Doc } from './doc.ts';
import { buildFlowEdges, buildFlowNodes, type FlowEdge, type FlowNode } from './flow.ts';
import { nodeTypes } from './nodes.tsx';
import { forgetUnsaved, isDirty, loadDocument, selectOnly, setIssues, useEditor } from './store.ts';
import { describeExpression, type Labeller, splitTemplate } from './templates.ts';

/**
 * Version history: every save is a version. The panel lists them, says in plain words what
 * changed between two of them, shows an old one read-only over the canvas, and restores one (as a
 * new version, so nothing is ever lost and a restore can itself be undone).
 */

type Version = MethodOutput<'workflows.versions'>[number];
type Change = MethodOutput<'workflows.diff'>[number];

interface HistoryState {
  open: boolean;
  /** The version whose changes are shown; null: the newest. */
  selected: number | null;
  /** The version shown read-only over the canvas. */
  viewing: { version: number; doc: Doc } | null;
  /** The version the restore confirmation asks about. */
  restoring: number | null;
  /** Bumped when the canvas should fit the workflow into view again (after a restore). */
  fit: number;
}

const closed = (): HistoryState => ({ open: false, selected: null, viewing: null, restoring: null, fit: 0 });

export const useHistory = create<HistoryState>()(closed);

export function toggleHistory(): void {
  if (useHistory.getState().open) {
    useHistory.setState(closed());
    return;
  }
  // The history takes the place of the step settings.
  selectOnly([]);
  useHistory.setState({ open: true });
}

// Versions never change once saved: their documents and differences are fetched once per workflow.
const documents = new Map<string, Promise<Doc>>();
const diffs = new Map<string, Promise<Change[]>>();

function versionDocument(id: string, version: number): Promise<Doc> {
  const key = `${id}@${version}`;
  let doc = documents.get(key);
  if (!doc) {
    doc = rpc.call('workflows.get', { id, version }).then((r) => r.document as Doc);
    doc.catch(() => documents.delete(key));
    documents.set(key, doc);
  }
  return doc;
}

function versionDiff(id: string, from: number, to: number): Promise<Change[]> {
  const key = `${id}@${from}..${to}`;
  let changes = diffs.get(key);
  if (!changes) {
    changes = rpc.call('workflows.diff', { id, from, to });
    changes.catch(() => diffs.delete(key));
    diffs.set(key, changes);
  }
  return changes;
}

async function openReadOnly(version: number): Promise<void> {
  const id = useEditor.getState().doc.id;
  try {
    const doc = await versionDocument(id, version);
    if (useEditor.getState().doc.id !== id) return;
    // The test panel belongs to the current workflow, not to the old version on show.
    useEditor.setState({ testOpen: false });
    useHistory.setState({ viewing: { version, doc }, selected: version });
  } catch (err) {
    toast.error(`Version ${version} could not be opened.`, { description: (err as Error).message });
  }
}

/** Saves `version` again as the newest version and opens it; the toast can undo it the same way. */
async function restoreVersion(id: string, version: number): Promise<void> {
  const { doc, summary } = useEditor.getState();
  // The toast's "Undo" may be clicked after another workflow was opened: only the id says which.
  const here = doc.id === id;
  const before = here ? summary?.version : undefined;
  const wasLive = here && summary?.status === 'live';
  let result: MethodOutput<'workflows.restore'>;
  try {
    result = await rpc.call('workflows.restore', { id, version });
  } catch (err) {
    toast.error(`Version ${version} could not be restored.`, { description: (err as Error).message });
    throw err;
  }
  if (!result.ok) {
    const message = result.issues[0]?.message ?? 'It does not fit the workflow format any more.';
    toast.error(`Version ${version} could not be restored.`, { description: message });
    throw new Error(message);
  }
  const { workflow, document } = await rpc.call('workflows.get', { id });
  if (useEditor.getState().doc.id !== id) {
    toast.success(`Restored version ${version} of “${workflow.name}” (saved as version ${workflow.version}).`);
    return;
  }
  loadDocument(document as Doc, workflow);
  forgetUnsaved(id);
  setIssues(result.issues);
  useHistory.setState((s) => ({ viewing: null, selected: workflow.version, restoring: null, fit: s.fit + 1 }));
  const turnedOff = wasLive && workflow.status !== 'live';
  toast.success(`Restored version ${version} (saved as version ${workflow.version}).`, {
    description: turnedOff
      ? 'It has problems to fix, so the workflow was turned off. Fix them and go live again.'
      : result.issues.length
        ? 'It has problems to fix before it can go live.'
        : undefined,
    ...(before ? { action: { label: 'Undo', onClick: () => void restoreVersion(id, before).catch(() => undefined) } } : {}),
  });
}

/** Data from earlier steps as the editor's pills name it ("New lead › Title"), not as Liquid. */
function readable(text: string): string {
  if (!text.includes('{{')) return text;
  const { doc, catalog } = useEditor.getState();
  const nameOf = (node: Doc['nodes'][number] | undefined) => node && (node.name || catalog?.byType.get(node.type)?.label);
  const trigger = doc.nodes.find((n) => catalog?.byType.get(n.type)?.kind === 'trigger');
  const labeller: Labeller = {
    stepName: (id) => nameOf(doc.nodes.find((n) => n.id === id)),
    triggerName: () => nameOf(trigger),
    outputSchema: (source) => {
      const node = source.kind === 'trigger' ? trigger : doc.nodes.find((n) => n.id === source.id);
      return node && catalog?.byType.get(node.type)?.output;
    },
  };
  return splitTemplate(text)
    .map((s) => (s.kind === 'text' ? s.text : `[${describeExpression(s.expr, labeller)}]`))
    .join('');
}

/** The history panel and, while one is open, an old version over the canvas. Mounted once in the editor. */
export function VersionHistory() {
  const open = useHistory((s) => s.open);
  const viewing = useHistory((s) => s.viewing);
  const docId = useEditor((s) => s.doc.id);
  const flow = useReactFlow();

  // The panel narrows the canvas, and a restore may change it whole: keep the workflow in view.
  const fit = useHistory((s) => s.fit);
  const last = useRef({ open, fit });
  useEffect(() => {
    if (open === last.current.open && fit === last.current.fit) return;
    last.current = { open, fit };
    const frame = requestAnimationFrame(() => void flow.fitView({ duration: 250, maxZoom: 1, minZoom: 0.5, padding: 0.15 }));
    return () => cancelAnimationFrame(frame);
  }, [open, fit, flow]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: another workflow opened: start closed.
  useEffect(() => () => useHistory.setState(closed()), [docId]);

  // Selecting a step on the canvas opens its settings where the history was.
  useEffect(
    () =>
      useEditor.subscribe((state, prev) => {
        if (state.selectedIds === prev.selectedIds || state.selectedIds.length === 0) return;
        if (useHistory.getState().open && !useHistory.getState().viewing) useHistory.setState(closed());
      }),
    [],
  );

  return (
    <>
      {viewing && <ReadOnlyVersion version={viewing.version} doc={viewing.doc} />}
      {open && <HistoryPanel />}
      <RestoreDialog />
    </>
  );
}

function useVersions(): { versions: Version[] | null; error: string | null } {
  const id = useEditor((s) => s.doc.id);
  // A save or a restore makes a new version: the list follows the workflow's current version.
  const current = useEditor((s) => s.summary?.version);
  const [state, setState] = useState<{ versions: Version[] | null; error: string | null }>({ versions: null, error: null });
  // biome-ignore lint/correctness/useExhaustiveDependencies: fetched again whenever the current version changes.
  useEffect(() => {
    let live = true;
    rpc
      .call('workflows.versions', { id })
      .then((versions) => live && setState({ versions, error: null }))
      .catch((err: Error) => live && setState((s) => ({ versions: s.versions, error: err.message })));
    return () => {
      live = false;
    };
  }, [id, current]);
  return state;
}

function HistoryPanel() {
  const { versions, error } = useVersions();
  const dirty = useEditor(isDirty);
  const selected = useHistory((s) => s.selected);
  const newest = versions?.[0]?.version;
  const active = selected ?? newest;

  return (
    <aside className="pw-ed-panel pw-ed-history" aria-label="Version history" data-testid="version-history">
      <header className="pw-ed-panel__head">
        <span className="pw-ed-panel__icon">
          <History size={18} aria-hidden="true" />
        </span>
        <div className="pw-ed-panel__titles">
          <h2 className="pw-ed-panel__title">Version history</h2>
          <p className="pw-ed-panel__subtitle">Every save is kept. Pick a version to see what changed.</p>
        </div>
        <IconButton label="Close version history" size="sm" icon={<X size={16} />} onClick={() => useHistory.setState(closed())} />
      </header>
      <div className="pw-ed-panel__body">
        {dirty && (
          <p className="pw-ed-history__hint">
            <CircleAlert size={14} aria-hidden="true" /> You have unsaved changes. Save to keep them as a new version.
          </p>
        )}
        {error && !versions && (
          <Banner tone="danger" title="The versions could not be loaded.">
            {error}
          </Banner>
        )}
        {!versions && !error && <p className="pw-ed-history__muted">Loading the versions…</p>}
        {versions && versions.length <= 1 && (
          <EmptyState
            compact
            icon={<History size={22} />}
            title="Only one version so far"
            description="Each time you save, the workflow as it was is kept here as a version. You can then see what changed, look at an older version and go back to it."
          />
        )}
        {versions && versions.length > 0 && (
          <ol className="pw-ed-history__list" aria-label="Versions, newest first">
            {versions.map((v) => (
              <li key={v.version} className={`pw-ed-history__entry${v.version === active ? ' is-selected' : ''}`}>
                <button
                  type="button"
                  className="pw-ed-history__item"
                  aria-expanded={v.version === active}
                  aria-label={`Version ${v.version}${v.version === newest ? ' (current)' : ''}`}
                  data-testid={`version-${v.version}`}
                  onClick={() => useHistory.setState({ selected: v.version })}
                >
                  <span className="pw-ed-history__row">
                    <span className="pw-ed-history__number">Version {v.version}</span>
                    {v.version === newest && <span className="pw-badge pw-badge--info">Current</span>}
                    <span className="pw-ed-history__when" title={formatDateTime(v.createdAt)}>
                      {formatRelative(v.createdAt)}
                    </span>
                  </span>
                  <span className={`pw-ed-history__note${v.note ? '' : ' is-empty'}`}>{v.note ?? 'No note'}</span>
                </button>
                {v.version === active && versions.length > 1 && (
                  <VersionDetails version={v.version} versions={versions} current={v.version === newest} />
                )}
              </li>
            ))}
          </ol>
        )}
      </div>
    </aside>
  );
}

const CHANGE_TONE: Partial<Record<string, 'added' | 'removed'>> = {
  stepAdded: 'added',
  branchAdded: 'added',
  linkAdded: 'added',
  stepRemoved: 'removed',
  branchRemoved: 'removed',
  linkRemoved: 'removed',
};

function VersionDetails(props: { version: number; versions: Version[]; current: boolean }) {
  const id = useEditor((s) => s.doc.id);
  const selectId = useId();
  const previous = props.versions.find((v) => v.version < props.version)?.version;
  const [compareWith, setCompareWith] = useState<number | null>(previous ?? null);
  const [changes, setChanges] = useState<{ key: string; list: Change[] } | { key: string; error: string } | null>(null);
  const viewing = useHistory((s) => s.viewing?.version);
  const from = compareWith === null ? null : Math.min(compareWith, props.version);
  const to = compareWith === null ? null : Math.max(compareWith, props.version);
  const key = `${from}..${to}`;

  useEffect(() => {
    if (from === null || to === null) return;
    let live = true;
    versionDiff(id, from, to)
      .then((list) => live && setChanges({ key: `${from}..${to}`, list }))
      .catch((err: Error) => live && setChanges({ key: `${from}..${to}`, error: err.message }));
    return () => {
      live = false;
    };
  }, [id, from, to]);

  const shown = changes?.key === key ? changes : null;
  return (
    <div className="pw-ed-history__details" data-testid="version-details">
      <div className="pw-ed-history__compare">
        <label htmlFor={selectId}>Compare with</label>
        <select
          id={selectId}
          className="pw-select"
          value={compareWith ?? ''}
          onChange={(e) => setCompareWith(e.target.value ? Number(e.target.value) : null)}
        >
          {previous === undefined && <option value="">Choose a version…</option>}
          {props.versions
            .filter((v) => v.version !== props.version)
            .map((v) => (
              <option key={v.version} value={v.version}>
                Version {v.version}
                {v.version === previous ? ' (the one before)' : v.version === props.versions[0]?.version ? ' (current)' : ''}
              </option>
            ))}
        </select>
      </div>
      {from === null || to === null ? (
        <p className="pw-ed-history__muted">This is how the workflow started. Choose a version to compare it with.</p>
      ) : (
        <section aria-label="Changes">
          <h3 className="pw-ed-history__heading">
            What changed from version {from} to version {to}
          </h3>
          {!shown ? (
            <p className="pw-ed-history__muted">Working out the changes…</p>
          ) : 'error' in shown ? (
            <p className="pw-ed-history__error" role="alert">
              {shown.error}
            </p>
          ) : shown.list.length === 0 ? (
            <p className="pw-ed-history__muted">Nothing: the two versions are the same.</p>
          ) : (
            <ul className="pw-ed-history__changes" data-testid="version-changes">
              {shown.list.map((change, i) => {
                const tone = CHANGE_TONE[change.kind];
                const Icon = tone === 'added' ? Plus : tone === 'removed' ? Minus : Pencil;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced whole; texts may repeat.
                  <li key={i} className={`pw-ed-history__change${tone ? ` is-${tone}` : ''}`}>
                    <Icon size={13} aria-hidden="true" />
                    <span>{readable(change.text)}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
      <div className="pw-ed-history__actions">
        {viewing !== props.version && (
          <Button size="sm" variant="secondary" icon={<Eye size={14} />} onClick={() => void openReadOnly(props.version)}>
            Open read-only
          </Button>
        )}
        {!props.current && (
          <Button
            size="sm"
            variant="secondary"
            icon={<RotateCcw size={14} />}
            onClick={() => useHistory.setState({ restoring: props.version })}
          >
            Restore
          </Button>
        )}
      </div>
    </div>
  );
}

const backToCurrent = () => useHistory.setState({ viewing: null });
const proOptions = { hideAttribution: true };
const fitViewOptions = { maxZoom: 1, padding: 0.15 };

/** An old version's canvas, over the editor's: it can be looked around, not changed. */
function ReadOnlyVersion(props: { version: number; doc: Doc }) {
  const current = useEditor((s) => s.summary?.version);
  const note = useVersionNote(props.version);
  const nodes = useMemo(() => buildFlowNodes(props.doc, []).map((n) => ({ ...n, draggable: false, selectable: false })), [props.doc]);
  const edges = useMemo(() => buildFlowEdges(props.doc, []), [props.doc]);

  // The editor's shortcuts would change the current workflow, out of sight under this view.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('[role="dialog"]')) return;
      const typing = e.target instanceof HTMLElement && ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName);
      const key = e.key.toLowerCase();
      if (key === 'escape') {
        backToCurrent();
        return;
      }
      const edits = e.ctrlKey || e.metaKey ? ['z', 'y', 'a', 'd', 'x', 'v'].includes(key) : key === 'delete' || key === 'backspace';
      if (typing || !edits) return;
      e.stopImmediatePropagation();
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  return (
    <section className="pw-ed-readonly" aria-label={`Version ${props.version}, read-only`} data-testid="version-preview">
      <div className="pw-ed-readonly__banner" role="status">
        <Eye size={16} aria-hidden="true" />
        <div className="pw-ed-readonly__text">
          <strong>You are looking at version {props.version} (read-only)</strong>
          {note && <span className="pw-ed-readonly__meta">{note}</span>}
        </div>
        <Button size="sm" variant="secondary" icon={<ArrowLeft size={14} />} onClick={backToCurrent}>
          Back to current
        </Button>
        {props.version !== current && (
          <Button
            size="sm"
            variant="primary"
            icon={<RotateCcw size={14} />}
            onClick={() => useHistory.setState({ restoring: props.version })}
          >
            Restore this version
          </Button>
        )}
      </div>
      <div className="pw-ed-canvas pw-ed-readonly__canvas">
        <ReactFlowProvider>
          <ReactFlow<FlowNode, FlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            deleteKeyCode={null}
            fitView
            fitViewOptions={fitViewOptions}
            minZoom={0.05}
            maxZoom={2}
            proOptions={proOptions}
          >
            <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
            <Controls showInteractive={false} position="bottom-left" />
          </ReactFlow>
        </ReactFlowProvider>
        {nodes.length === 0 && <p className="pw-ed-readonly__empty">This version has no steps.</p>}
      </div>
    </section>
  );
}

/** "Saved 5 minutes ago · Tag new leads as hot", for the read-only banner. */
function useVersionNote(version: number): string | null {
  const id = useEditor((s) => s.doc.id);
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    rpc
      .call('workflows.versions', { id })
      .then((versions) => {
        const v = versions.find((x) => x.version === version);
        if (live && v) setText([`Saved ${formatRelative(v.createdAt)}`, v.note].filter(Boolean).join(' · '));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [id, version]);
  return text;
}

function RestoreDialog() {
  const version = useHistory((s) => s.restoring);
  const dirty = useEditor(isDirty);
  const summary = useEditor((s) => s.summary);
  const [shown, setShown] = useState<number | null>(null);
  // Keeps the words on screen while the dialog closes.
  useEffect(() => {
    if (version !== null) setShown(version);
  }, [version]);
  const target = version ?? shown;
  const next = (summary?.version ?? 0) + 1;
  return (
    <ConfirmDialog
      open={version !== null}
      onOpenChange={(open) => !open && useHistory.setState({ restoring: null })}
      title={`Restore version ${target}?`}
      description={`Version ${target} is saved again as version ${next}, with the note “Restored version ${target}”. Nothing is lost: version ${summary?.version} stays in the history, so you can go back to it.`}
      confirmLabel={`Restore version ${target}`}
      tone="primary"
      onConfirm={() => (target === null ? undefined : restoreVersion(useEditor.getState().doc.id, target))}
    >
      {(dirty || summary?.status === 'live') && (
        <div className="pw-ed-history__warnings">
          {dirty && (
            <Banner tone="warning" title="Your unsaved changes will be replaced.">
              Save them first if you want to keep them as a version.
            </Banner>
          )}
          {summary?.status === 'live' && (
            <Banner tone="info" title="The workflow stays live.">
              From now on it runs the restored version. If that version has problems to fix, the workflow is turned off instead.
            </Banner>
          )}
        </div>
      )}
    </ConfirmDialog>
  );
}
