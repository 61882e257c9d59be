import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { EditorCatalog } from './catalog.ts';
import { portsOf } from './catalog.ts';
import { type Doc, edgeKey } from './doc.ts';

/** Auto-layout with ELK: layered, left to right, branch outputs kept in their order. */

let elkPromise: Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> | undefined;

function elk() {
  // Loaded on first use: ELK is large and most sessions never lay out.
  elkPromise ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elkPromise;
}

export async function layoutPositions(
  doc: Doc,
  catalog: EditorCatalog | null,
  sizeOf: (id: string) => { width: number; height: number },
): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const children: ElkNode[] = doc.nodes.map((node) => {
    const size = sizeOf(node.id);
    const ports = portsOf(node, catalog?.byType.get(node.type));
    return {
      id: node.id,
      width: size.width,
      height: size.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
      ports: [
        { id: `${node.id}::in`, layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': '0' } },
        ...ports.map((port, i) => ({
          id: `${node.id}::${port}`,
          layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(ports.length - i) },
        })),
      ],
    };
  });
  const portIds = new Set(children.flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  const edges: ElkExtendedEdge[] = doc.edges
    .filter((e) => ids.has(e.from) && ids.has(e.to))
    .map((e) => {
      const source = `${e.from}::${e.port ?? 'main'}`;
      return { id: edgeKey(e), sources: [portIds.has(source) ? source : e.from], targets: [`${e.to}::in`] };
    });
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '50',
      'elk.spacing.componentComponent': '80',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
    },
    children,
    edges,
  };
  const result = await (await elk()).layout(graph);
  const out = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) out.set(child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) });
  return out;
}
