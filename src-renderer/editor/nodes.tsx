import { Handle, type NodeProps, NodeResizer, Position } from '@xyflow/react';
import { CircleAlert, CircleCheck, CircleSlash, CircleX, Hourglass, LoaderCircle } from 'lucide-react';
import { type MouseEvent, memo, useCallback, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { portLabel, portsOf } from './catalog.ts';
import type { NoteFlowNode, StepFlowNode } from './flow.ts';
import { NodeIcon } from './icons.tsx';
import { type NodeRunStatus, setNoteSize, setNoteText, useEditor } from './store.ts';
import { summarize, summaryLabeller, usesCrmNames } from './summary.ts';

/**
 * Canvas nodes. Memoised, and each reads only its own slices of the store (its issues, its run
 * status, which of its ports are connected): dragging one node re-renders that node alone.
 */

const KIND_LABEL = { trigger: 'Trigger', action: 'Action', logic: 'Logic' } as const;

const STATUS: Record<NodeRunStatus, { label: string; icon: typeof CircleCheck; tone: string }> = {
  succeeded: { label: 'Ran OK', icon: CircleCheck, tone: 'success' },
  failed: { label: 'Failed', icon: CircleX, tone: 'danger' },
  skipped: { label: 'Skipped', icon: CircleSlash, tone: 'neutral' },
  waiting: { label: 'Waiting', icon: Hourglass, tone: 'warning' },
  running: { label: 'Running', icon: LoaderCircle, tone: 'info' },
};

function openInsert(nodeId: string, port: string, event: MouseEvent<HTMLButtonElement>) {
  event.stopPropagation();
  const r = event.currentTarget.getBoundingClientRect();
  useEditor.setState({ insert: { nodeId, port, rect: { x: r.x, y: r.y, width: r.width, height: r.height } } });
}

export const StepNode = memo(function StepNode({ id, data, selected }: NodeProps<StepFlowNode>) {
  const node = data.node;
  // One subscription per node (not one per slice): every store update runs each node's selector.
  const { type, app, crm, issues, status, connected, triggerType, triggerOutput } = useEditor(
    useShallow((s) => {
      const type = s.catalog?.byType.get(node.type);
      return {
        type,
        app: type ? s.catalog?.appById.get(type.app) : undefined,
        // Only summaries that name object types, pipelines or stages depend on the CRM's schema.
        crm: usesCrmNames(node.type) ? s.crmSchema : null,
        issues: s.issuesByNode[id],
        status: s.stepStatus[id],
        connected: s.ports[id] ?? '',
        triggerType: s.triggerType,
        triggerOutput: s.triggerType ? s.catalog?.byType.get(s.triggerType)?.output : undefined,
      };
    }),
  );
  const summary = useMemo(
    () => summarize(node, type, crm, summaryLabeller(triggerOutput, triggerType ?? '')),
    [node, type, crm, triggerOutput, triggerType],
  );
  const ports = portsOf(node, type);
  const isTrigger = type?.kind === 'trigger';
  const title = node.name || type?.label || node.type;
  const eyebrow = `${type ? KIND_LABEL[type.kind] : 'Unknown step'}${app && type?.kind !== 'logic' ? ` · ${app.name}` : ''}`;
  const connectedSet = useMemo(() => new Set(connected.split(',')), [connected]);
  const single = ports.length === 1 && ports[0] === 'main';
  const badge = status ? STATUS[status] : undefined;
  // Ports that already lead somewhere get their "+" on hover only: hundreds of hidden buttons cost time to render.
  const [hovered, setHovered] = useState(false);
  const showAdd = hovered || selected;
  const onAdd = useCallback((port: string) => (e: MouseEvent<HTMLButtonElement>) => openInsert(id, port, e), [id]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: hovering only reveals the "+" buttons; selecting the step (keyboard too) does as well.
    <div
      className={`pw-ed-node pw-ed-node--${type?.kind ?? 'unknown'}${selected ? ' is-selected' : ''}${issues ? ' has-issues' : ''}${node.disabled ? ' is-disabled' : ''}${badge ? ` ran-${badge.tone}` : ''}`}
      data-testid={`node-${id}`}
      data-node-id={id}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
    >
      {!isTrigger && <Handle type="target" position={Position.Left} id="in" className="pw-ed-handle pw-ed-handle--in" />}
      <div className="pw-ed-node__head">
        <span className="pw-ed-node__icon">
          <NodeIcon app={app} type={type} size={16} />
        </span>
        <span className="pw-ed-node__eyebrow">{eyebrow}</span>
      </div>
      <div className="pw-ed-node__title" title={title}>
        {title}
      </div>
      <div className="pw-ed-node__summary" title={summary}>
        {summary}
      </div>
      {(issues || badge || node.disabled) && (
        <div className="pw-ed-node__badges">
          {node.disabled && <span className="pw-badge">Turned off</span>}
          {issues && (
            <span className="pw-badge pw-badge--danger" title={issues.map((i) => i.message).join('\n')}>
              <CircleAlert size={12} aria-hidden="true" /> Needs attention
            </span>
          )}
          {badge && (
            <span className={`pw-badge pw-badge--${badge.tone}`} data-status={status}>
              <badge.icon size={12} aria-hidden="true" /> {badge.label}
            </span>
          )}
        </div>
      )}
      {single ? (
        <div className="pw-ed-port pw-ed-port--single">
          <Handle type="source" position={Position.Right} id="main" className="pw-ed-handle pw-ed-handle--out" />
          {(showAdd || !connectedSet.has('main')) && (
            <button
              type="button"
              className={`pw-ed-port__add nodrag nopan${connectedSet.has('main') ? ' is-connected' : ''}`}
              aria-label={`Add a step after “${title}”`}
              title="Add the next step"
              onClick={onAdd('main')}
            >
              +
            </button>
          )}
        </div>
      ) : (
        <div className="pw-ed-node__ports">
          {ports.map((port) => (
            <div key={port} className={`pw-ed-port pw-ed-port--${port === 'error' ? 'error' : 'branch'}`}>
              <span className="pw-ed-port__label">{portLabel(port, type, node.params)}</span>
              <Handle type="source" position={Position.Right} id={port} className="pw-ed-handle pw-ed-handle--out" />
              {(showAdd || !connectedSet.has(port)) && (
                <button
                  type="button"
                  className={`pw-ed-port__add nodrag nopan${connectedSet.has(port) ? ' is-connected' : ''}`}
                  aria-label={`Add a step after “${title}”: ${portLabel(port, type, node.params)}`}
                  title="Add the next step on this path"
                  onClick={onAdd(port)}
                >
                  +
                </button>
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
});

export const NoteNode = memo(function NoteNode({ data, selected }: NodeProps<NoteFlowNode>) {
  const note = data.note;
  return (
    <>
      <NodeResizer
        isVisible={selected}
        minWidth={160}
        minHeight={90}
        lineClassName="pw-ed-note__resize-line"
        handleClassName="pw-ed-note__resize-handle"
        onResizeEnd={(_, p) => setNoteSize(note.id, { width: p.width, height: p.height }, { x: p.x, y: p.y })}
      />
      <div className={`pw-ed-note${selected ? ' is-selected' : ''}`} style={note.color ? { background: note.color } : undefined}>
        <div className="pw-ed-note__grip" title="Drag to move the note">
          Note
        </div>
        <textarea
          className="pw-ed-note__text nodrag nowheel"
          aria-label="Note text"
          placeholder="Write a note for your team…"
          value={note.text}
          onChange={(e) => setNoteText(note.id, e.target.value)}
        />
      </div>
    </>
  );
});

export const nodeTypes = { step: StepNode, note: NoteNode };
