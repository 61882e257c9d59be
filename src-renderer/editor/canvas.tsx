import {
  Background,
  BackgroundVariant,
  Controls,
  getViewportForBounds,
  type IsValidConnection,
  MiniMap,
  type OnDelete,
  type OnNodeDrag,
  ReactFlow,
  type ReactFlowState,
  useReactFlow,
  useStore,
  type Viewport,
} from '@xyflow/react';
import { Zap } from 'lucide-react';
import { type DragEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { NODE_WIDTH } from './doc.ts';
import type { FlowEdge, FlowNode } from './flow.ts';
import { IconSprite } from './icons.tsx';
import { nodeTypes } from './nodes.tsx';
import { DRAG_MIME } from './palette.tsx';
import { addStep, commitPositions, connect, deleteElements, onEdgesChange, onNodesChange, useEditor } from './store.ts';

/** The React Flow canvas. Handlers are module-level or memoised: the canvas re-renders only when nodes or edges change. */

const onNodeDragStop: OnNodeDrag<FlowNode> = (_event, _node, nodes) => commitPositions(nodes);
const onDelete: OnDelete<FlowNode, FlowEdge> = ({ nodes, edges }) =>
  deleteElements(
    nodes.map((n) => n.id),
    edges.map((e) => e.id),
  );
const isValidConnection: IsValidConnection<FlowEdge> = (c) => {
  if (c.source === c.target) return false;
  const { doc, catalog } = useEditor.getState();
  const target = doc.nodes.find((n) => n.id === c.target);
  if (!target || catalog?.byType.get(target.type)?.kind === 'trigger') return false;
  const port = c.sourceHandle && c.sourceHandle !== 'main' ? c.sourceHandle : undefined;
  return !doc.edges.some((e) => e.from === c.source && e.to === c.target && e.port === port);
};
const onDragOver = (e: DragEvent) => {
  if (e.dataTransfer.types.includes(DRAG_MIME)) {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }
};
const deleteKeys = ['Delete', 'Backspace'];
// Large workflows switch to plain blocks sooner: that is where painting the labels costs the most.
const isFar = (s: ReactFlowState) => s.transform[2] < (s.nodes.length > 120 ? 0.4 : 0.25);
const proOptions = { hideAttribution: true };
const MIN_ZOOM = 0.05;
const defaultEdgeOptions = { interactionWidth: 16 };
const minimapColor = (n: FlowNode) => (n.type === 'note' ? 'var(--pw-note, #fde68a)' : 'var(--pw-minimap-node, #94a3b8)');

export function Canvas() {
  const nodes = useEditor((s) => s.rfNodes);
  const edges = useEditor((s) => s.rfEdges);
  // The overview map would cover most of a canvas squeezed by the test panel.
  const minimap = useEditor((s) => s.minimap && !s.testOpen);

  const focus = useEditor((s) => s.focus);
  // Zoomed far out, steps are drawn as plain blocks: their text is unreadable there, and painting
  // hundreds of tiny labels is what makes panning a large workflow slow.
  const far = useStore(isFar);
  const flow = useReactFlow<FlowNode, FlowEdge>();
  // The opening view is worked out before React Flow first renders: fitting after the first
  // render would draw a large workflow twice (at 100%, then fitted). An empty workflow keeps 100%.
  const box = useRef<HTMLDivElement>(null);
  const [initialView, setInitialView] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    if (initialView || !box.current) return;
    const { width, height } = box.current.getBoundingClientRect();
    const { doc } = useEditor.getState();
    if (doc.nodes.length === 0 && doc.notes.length === 0) {
      setInitialView({ x: 0, y: 0, zoom: 1 });
      return;
    }
    const rects = [
      ...doc.nodes.map((n) => ({ x: n.position.x, y: n.position.y, width: NODE_WIDTH, height: 96 })),
      ...doc.notes.map((n) => ({ x: n.position.x, y: n.position.y, width: n.size?.width ?? 220, height: n.size?.height ?? 140 })),
    ];
    const minX = Math.min(...rects.map((r) => r.x));
    const minY = Math.min(...rects.map((r) => r.y));
    const bounds = {
      x: minX,
      y: minY,
      width: Math.max(...rects.map((r) => r.x + r.width)) - minX,
      height: Math.max(...rects.map((r) => r.y + r.height)) - minY,
    };
    setInitialView(getViewportForBounds(bounds, width || 800, height || 600, MIN_ZOOM, 1, 0.15));
  }, [initialView]);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_MIME);
      if (!type) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addStep(type, { x: p.x - NODE_WIDTH / 2, y: p.y - 30 });
    },
    [flow],
  );

  // A step selected under the settings panel (or dropped near the edge) is brought into view.
  const single = useEditor((s) => (s.selectedIds.length === 1 ? s.selectedIds[0] : undefined));
  useEffect(() => {
    if (!single) return;
    const frame = requestAnimationFrame(() => {
      const canvas = document.querySelector('.pw-ed-canvas')?.getBoundingClientRect();
      const el = document.querySelector(`.react-flow__node[data-id="${CSS.escape(single)}"]`)?.getBoundingClientRect();
      if (!canvas || !el) return;
      const dx = el.right > canvas.right - 24 ? canvas.right - 48 - el.right : el.left < canvas.left ? canvas.left + 48 - el.left : 0;
      const dy = el.bottom > canvas.bottom - 24 ? canvas.bottom - 48 - el.bottom : el.top < canvas.top ? canvas.top + 48 - el.top : 0;
      if (dx || dy) {
        const vp = flow.getViewport();
        void flow.setViewport({ x: vp.x + dx, y: vp.y + dy, zoom: vp.zoom }, { duration: 200 });
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [single, flow]);

  // Opening or closing the test panel changes the canvas height: keep the workflow in view.
  const testOpen = useEditor((s) => s.testOpen);
  const lastTestOpen = useRef(testOpen);
  useEffect(() => {
    if (lastTestOpen.current === testOpen) return;
    lastTestOpen.current = testOpen;
    // Not below half size: the run's badges on the steps must stay readable.
    const frame = requestAnimationFrame(() => void flow.fitView({ duration: 250, maxZoom: 1, minZoom: 0.5, padding: 0.1 }));
    return () => cancelAnimationFrame(frame);
  }, [testOpen, flow]);

  useEffect(() => {
    if (!focus) return;
    const node = flow.getNode(focus.id);
    if (!node) return;
    const w = node.measured?.width ?? NODE_WIDTH;
    const h = node.measured?.height ?? 80;
    void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 350 });
  }, [focus, flow]);

  return (
    <div ref={box} className={`pw-ed-canvas${far ? ' is-far' : ''}`} data-testid="canvas">
      {initialView && (
        <ReactFlow<FlowNode, FlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={connect}
          onDelete={onDelete}
          onNodeDragStop={onNodeDragStop}
          isValidConnection={isValidConnection}
          onDrop={onDrop}
          onDragOver={onDragOver}
          deleteKeyCode={deleteKeys}
          defaultViewport={initialView}
          minZoom={MIN_ZOOM}
          maxZoom={2}
          proOptions={proOptions}
          defaultEdgeOptions={defaultEdgeOptions}
          // Zoomed in, large workflows render only the steps in view. Far out they are all in view, and
          // working out which ones on every frame of a pan would only cost time.
          onlyRenderVisibleElements={!far && nodes.length > 150}
          elevateNodesOnSelect={false}
        >
          {/* Far out, the dots would be a dense grey haze that costs a lot to paint. */}
          {!far && <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />}
          <Controls showInteractive={false} position="bottom-left" />
          {/* Far out the canvas is its own overview. */}
          {minimap && !far && nodes.length > 0 && (
            <MiniMap pannable zoomable nodeColor={minimapColor} position="bottom-right" ariaLabel="Overview of the workflow" />
          )}
        </ReactFlow>
      )}
      <IconSprite />
      {nodes.length === 0 && <EmptyCanvas />}
    </div>
  );
}

function EmptyCanvas() {
  return (
    <div className="pw-ed-canvas__empty" data-testid="empty-canvas">
      <div className="pw-empty">
        <span className="pw-ed-empty__icon">
          <Zap size={22} aria-hidden="true" />
        </span>
        <h2>Start with a trigger</h2>
        <p>
          A trigger is what starts the workflow, like <strong>Record created</strong> or <strong>Contact tagged</strong>. Drag one from the
          list on the left and drop it here.
        </p>
        <p>
          Then add what happens next with the <strong>+</strong> on its right.
        </p>
      </div>
    </div>
  );
}
