import * as Popover from '@radix-ui/react-popover';
import * as Tooltip from '@radix-ui/react-tooltip';
import { useReactFlow } from '@xyflow/react';
import {
  ArrowLeft,
  Check,
  ChevronDown,
  FlaskConical,
  History,
  LoaderCircle,
  Map as MapIcon,
  Maximize,
  Network,
  Redo2,
  Rocket,
  Save,
  StickyNote,
  Undo2,
} from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { useStore } from 'zustand';
import { ExportTemplateButton } from '../app/screens/templates-export.tsx';
import { autoLayout, save, setLive } from './actions.ts';
import type { FlowEdge, FlowNode } from './flow.ts';
import { addNote, editDoc, isDirty, redo, undo, useEditor } from './store.ts';
import { toggleHistory, useHistory } from './version-history.tsx';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl+';

function Tip(props: { label: string; children: ReactNode }) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>{props.children}</Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="pw-tooltip" sideOffset={6}>
          {props.label}
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}

function ToolButton(props: {
  label: string;
  shortcut?: string;
  onClick(): void;
  disabled?: boolean;
  active?: boolean;
  children: ReactNode;
}) {
  return (
    <Tip label={props.shortcut ? `${props.label} (${props.shortcut})` : props.label}>
      <button
        type="button"
        className={`pw-ed-tool${props.active ? ' is-active' : ''}`}
        aria-label={props.label}
        aria-pressed={props.active}
        disabled={props.disabled}
        onClick={props.onClick}
      >
        {props.children}
      </button>
    </Tip>
  );
}

export function Toolbar(props: { onExit(): void }) {
  const name = useEditor((s) => s.doc.name);
  const dirty = useEditor(isDirty);
  const saving = useEditor((s) => s.saving);
  const status = useEditor((s) => s.summary?.status ?? 'draft');
  const minimap = useEditor((s) => s.minimap);
  const testOpen = useEditor((s) => s.testOpen);
  const hasNodes = useEditor((s) => s.doc.nodes.length > 0);
  const canUndo = useStore(useEditor.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(useEditor.temporal, (t) => t.futureStates.length > 0);
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const [note, setNote] = useState('');
  const [noteOpen, setNoteOpen] = useState(false);
  const [goingLive, setGoingLive] = useState(false);
  const live = status === 'live';
  const ready = useEditor((s) => s.phase === 'ready');
  const historyOpen = useHistory((s) => s.open);
  // While an old version is shown read-only, nothing here may act on the hidden current one.
  const viewingOld = useHistory((s) => s.viewing !== null);

  const addNoteInView = () => {
    const el = document.querySelector('.pw-ed-canvas')?.getBoundingClientRect();
    const p = flow.screenToFlowPosition({ x: (el?.x ?? 0) + 80, y: (el?.y ?? 0) + 80 });
    addNote(p);
  };

  return (
    <Tooltip.Provider delayDuration={400}>
      <header className="pw-ed-toolbar">
        <button type="button" className="pw-button pw-button--ghost pw-ed-toolbar__back" onClick={props.onExit}>
          <ArrowLeft size={16} aria-hidden="true" /> Workflows
        </button>
        <div className="pw-ed-toolbar__name">
          <input
            className="pw-ed-toolbar__title"
            aria-label="Workflow name"
            value={name}
            maxLength={200}
            onChange={(e) => {
              const value = e.target.value;
              editDoc((doc) => ({ ...doc, name: value }), 'name');
            }}
            onBlur={(e) => {
              if (!e.target.value.trim()) editDoc((doc) => ({ ...doc, name: 'Untitled workflow' }));
            }}
          />
          <span className={`pw-ed-status pw-ed-status--${status}`} data-testid="workflow-status">
            {live ? 'Live' : status === 'paused' ? 'Paused' : 'Draft'}
          </span>
          {ready && (
            <span
              className="pw-ed-toolbar__saved"
              data-testid="save-state"
              aria-live="polite"
              title={dirty && live ? 'Live runs use the saved version until you save.' : undefined}
            >
              {saving ? (
                'Saving…'
              ) : dirty ? (
                'Unsaved changes'
              ) : (
                <>
                  <Check size={13} aria-hidden="true" /> Saved
                </>
              )}
            </span>
          )}
        </div>
        <div className="pw-ed-toolbar__group">
          <ToolButton label="Undo" shortcut={`${MOD}Z`} onClick={undo} disabled={!canUndo || viewingOld}>
            <Undo2 size={16} aria-hidden="true" />
          </ToolButton>
          <ToolButton label="Redo" shortcut={isMac ? '⇧⌘Z' : 'Ctrl+Y'} onClick={redo} disabled={!canRedo || viewingOld}>
            <Redo2 size={16} aria-hidden="true" />
          </ToolButton>
        </div>
        <div className="pw-ed-toolbar__group">
          <ToolButton label="Tidy up (auto-layout)" onClick={() => void autoLayout(flow)} disabled={!hasNodes || viewingOld}>
            <Network size={16} aria-hidden="true" />
          </ToolButton>
          <ToolButton label="Zoom to fit" onClick={() => void flow.fitView({ duration: 300, maxZoom: 1, padding: 0.15 })}>
            <Maximize size={16} aria-hidden="true" />
          </ToolButton>
          <ToolButton
            label={minimap ? 'Hide the overview map' : 'Show the overview map'}
            active={minimap}
            onClick={() => useEditor.setState({ minimap: !minimap })}
          >
            <MapIcon size={16} aria-hidden="true" />
          </ToolButton>
          <ToolButton label="Add a sticky note" onClick={addNoteInView}>
            <StickyNote size={16} aria-hidden="true" />
          </ToolButton>
          {ready && <ExportTemplateButton workflowId={useEditor.getState().doc.id} name={name} unsaved={dirty} />}
        </div>
        <div className="pw-ed-toolbar__actions">
          <div className="pw-ed-split">
            <button
              type="button"
              className="pw-button pw-button--secondary"
              onClick={() => void save()}
              disabled={saving || viewingOld}
              title={`Save (${MOD}S)`}
            >
              {saving ? <LoaderCircle size={14} className="pw-spinner" aria-hidden="true" /> : <Save size={14} aria-hidden="true" />} Save
            </button>
            <Popover.Root open={noteOpen} onOpenChange={setNoteOpen}>
              <Popover.Trigger asChild>
                <button type="button" className="pw-button pw-ed-split__more" aria-label="Save with a note" disabled={viewingOld}>
                  <ChevronDown size={14} aria-hidden="true" />
                </button>
              </Popover.Trigger>
              <Popover.Portal>
                <Popover.Content className="pw-ed-popover pw-ed-savenote" align="end" sideOffset={6}>
                  <label htmlFor="pw-ed-version-note" className="pw-field-label">
                    What changed? <span className="pw-field-optional">optional</span>
                  </label>
                  <textarea
                    id="pw-ed-version-note"
                    className="pw-input"
                    rows={3}
                    maxLength={500}
                    value={note}
                    placeholder="e.g. Tag new leads as hot"
                    onChange={(e) => setNote(e.target.value)}
                  />
                  <p className="pw-field-help">The note appears in the workflow's version history.</p>
                  <button
                    type="button"
                    className="pw-button pw-button--primary"
                    onClick={async () => {
                      if (await save(note.trim() || undefined)) {
                        setNote('');
                        setNoteOpen(false);
                      }
                    }}
                  >
                    Save version
                  </button>
                </Popover.Content>
              </Popover.Portal>
            </Popover.Root>
          </div>
          <button
            type="button"
            className={`pw-button pw-button--secondary${historyOpen ? ' is-active' : ''}`}
            onClick={toggleHistory}
            disabled={!ready}
            aria-pressed={historyOpen}
            title="Every saved version, what changed, and going back to one"
            aria-label="History"
          >
            <History size={14} aria-hidden="true" /> <span className="pw-ed-toolbar__label">History</span>
          </button>
          <button
            type="button"
            className={`pw-button pw-button--secondary${testOpen ? ' is-active' : ''}`}
            onClick={() => useEditor.setState({ testOpen: !testOpen })}
            disabled={!hasNodes || viewingOld}
            aria-pressed={testOpen}
          >
            <FlaskConical size={14} aria-hidden="true" /> Test
          </button>
          {live ? (
            <label className="pw-ed-livetoggle" title="Turn the workflow off">
              <input
                type="checkbox"
                role="switch"
                checked
                aria-checked="true"
                aria-label="Live"
                onChange={async () => {
                  setGoingLive(true);
                  await setLive(false);
                  setGoingLive(false);
                }}
                disabled={goingLive}
              />
              <span className="pw-ed-livetoggle__track" aria-hidden="true" />
              <span>Live</span>
            </label>
          ) : (
            <button
              type="button"
              className="pw-button pw-button--primary"
              disabled={goingLive || !hasNodes}
              onClick={async () => {
                setGoingLive(true);
                await setLive(true);
                setGoingLive(false);
              }}
            >
              {goingLive ? <LoaderCircle size={14} className="pw-spinner" aria-hidden="true" /> : <Rocket size={14} aria-hidden="true" />}{' '}
              Go live
            </button>
          )}
        </div>
      </header>
    </Tooltip.Provider>
  );
}
