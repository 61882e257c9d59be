import '@xyflow/react/dist/style.css';
import '../../editor/editor.css';
import {
  Background,
  BackgroundVariant,
  type Edge,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { CatalogApp, CatalogNode } from '../../../src-main/shared/catalog.ts';
import type { StickyNote, Workflow, WorkflowNode } from '../../../src-main/shared/workflow.ts';
import { type EditorCatalog, portLabel, portsOf } from '../../editor/catalog.ts';
import { IconSprite, NodeIcon } from '../../editor/icons.tsx';
import { summarize } from '../../editor/summary.ts';

/**
 * A template drawn as the editor draws it, read-only: the same node look (icon, kind, title, what
 * it does) and wiring, but nothing can be moved, connected or edited. The editor's own nodes read
 * the editor's store, which belongs to the open workflow, so this draws its own.
 */

type StepData = { node: WorkflowNode; type?: CatalogNode; app?: CatalogApp };
type NoteData = { note: StickyNote };
type PreviewNode = Node<StepData, 'step'> | Node<NoteData, 'note'>;

const KIND_LABEL = { trigger: 'Trigger', action: 'Action', logic: 'Logic' } as const;

const StepPreview = memo(function StepPreview({ data }: NodeProps<Node<StepData, 'step'>>) {
  const { node, type, app } = data;
  const ports = portsOf(node, type);
  const single = ports.length === 1 && ports[0] === 'main';
  const title = node.name || type?.label || node.type;
  const summary = summarize(node, type, null);
  return (
    <div className={`pw-ed-node pw-ed-node--${type?.kind ?? 'unknown'} pw-tpl-preview-node`} data-testid={`preview-node-${node.id}`}>
      {type?.kind !== 'trigger' && <Handle type="target" position={Position.Left} id="in" className="pw-ed-handle pw-ed-handle--in" />}
      <div className="pw-ed-node__head">
        <span className="pw-ed-node__icon">
          <NodeIcon app={app} type={type} size={16} />
        </span>
        <span className="pw-ed-node__eyebrow">
          {type ? KIND_LABEL[type.kind] : 'Unknown step'}
          {app && type?.kind !== 'logic' ? ` · ${app.name}` : ''}
        </span>
      </div>
      <div className="pw-ed-node__title" title={title}>
        {title}
      </div>
      <div className="pw-ed-node__summary" title={summary}>
        {summary}
      </div>
      {single ? (
        <Handle type="source" position={Position.Right} id="main" className="pw-ed-handle pw-ed-handle--out" />
      ) : (
        <div className="pw-ed-node__ports">
          {ports.map((port) => (
            <div key={port} className={`pw-ed-port pw-ed-port--${port === 'error' ? 'error' : 'branch'}`}>
              <span className="pw-ed-port__label">{portLabel(port, type, node.params)}</span>
              <Handle type="source" position={Position.Right} id={port} className="pw-ed-handle pw-ed-handle--out" />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});

const NotePreview = memo(function NotePreview({ data }: NodeProps<Node<NoteData, 'note'>>) {
  return (
    <div className="pw-ed-note pw-tpl-preview-note" style={data.note.color ? { background: data.note.color } : undefined}>
      <div className="pw-ed-note__grip">Note</div>
      <p className="pw-tpl-preview-note-text">{data.note.text}</p>
    </div>
  );
});

const nodeTypes = { step: StepPreview, note: NotePreview };
const proOptions = { hideAttribution: true };
const fitViewOptions = { padding: 0.15, maxZoom: 1 };

export interface TemplatePreviewProps {
  workflow: Workflow;
  catalog: EditorCatalog | null;
}

export function TemplatePreview(props: TemplatePreviewProps) {
  return (
    <ReactFlowProvider>
      <PreviewCanvas {...props} />
    </ReactFlowProvider>
  );
}

function PreviewCanvas({ workflow, catalog }: TemplatePreviewProps) {
  const { nodes, edges } = useMemo(() => {
    const nodes: PreviewNode[] = [
      ...(workflow.notes ?? []).map(
        (note): PreviewNode => ({
          id: `note:${note.id}`,
          type: 'note',
          position: note.position,
          data: { note },
          width: note.size?.width ?? 220,
          height: note.size?.height ?? 140,
          zIndex: -1,
        }),
      ),
      ...workflow.nodes.map((node): PreviewNode => {
        const type = catalog?.byType.get(node.type);
        return {
          id: node.id,
          type: 'step',
          position: node.position,
          data: { node, type, app: type ? catalog?.appById.get(type.app) : undefined },
        };
      }),
    ];
    const edges: Edge[] = workflow.edges.map((e) => ({
      id: `${e.from}->${e.to}:${e.port ?? 'main'}`,
      source: e.from,
      target: e.to,
      sourceHandle: e.port ?? 'main',
      targetHandle: 'in',
      ...(e.port === 'error' ? { className: 'pw-ed-edge--error' } : {}),
    }));
    return { nodes, edges };
  }, [workflow, catalog]);

  return (
    <div
      className="pw-tpl-preview"
      data-testid="template-preview"
      aria-label={`Preview of “${workflow.name}”: ${workflow.nodes.length} steps`}
      role="img"
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={fitViewOptions}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        zoomOnDoubleClick={false}
        minZoom={0.2}
        maxZoom={1.5}
        proOptions={proOptions}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
      </ReactFlow>
      <IconSprite />
    </div>
  );
}
