import type { ConnectorRegistry, ResolvedNode } from '../connectors/index.ts';
import {
  isLoopBackEdge,
  type NodeTypeInfo,
  reachableVia,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from '../shared/workflow.ts';

/**
 * The execution plan of a (validated) workflow: nodes in topological order, grouped into scopes.
 * The top scope holds the steps outside any loop; each "For each" step owns the steps on its
 * `each` path (its body), which run once per item.
 */
export interface ExecutionPlan {
  workflow: Workflow;
  triggerId: string;
  nodes: Map<string, WorkflowNode>;
  resolved: Map<string, ResolvedNode>;
  /** Incoming edges of each node, loop-back edges left out. */
  incoming: Map<string, WorkflowEdge[]>;
  /** Scope owner ('' for the top scope, else the loop node id) → its nodes in execution order. */
  scopes: Map<string, string[]>;
}

const plans = new WeakMap<Workflow, ExecutionPlan>();

export function executionPlan(workflow: Workflow, registry: ConnectorRegistry): ExecutionPlan {
  const cached = plans.get(workflow);
  if (cached) return cached;

  const nodes = new Map(workflow.nodes.map((n) => [n.id, n]));
  const resolved = new Map<string, ResolvedNode>();
  const info = new Map<string, NodeTypeInfo>();
  for (const node of workflow.nodes) {
    const r = registry.resolve(node.type);
    const i = registry.lookup(node.type);
    if (!r || !i) throw new Error(`Step "${node.id}" uses the unknown step type "${node.type}".`);
    resolved.set(node.id, r);
    info.set(node.id, i);
  }
  const trigger = workflow.nodes.find((n) => resolved.get(n.id)?.kind === 'trigger');
  if (!trigger) throw new Error('The workflow has no trigger.');

  const edges = workflow.edges.filter((e) => !isLoopBackEdge(workflow, e, info));
  const incoming = new Map<string, WorkflowEdge[]>(workflow.nodes.map((n) => [n.id, []]));
  for (const e of edges) incoming.get(e.to)?.push(e);

  // The owner of a node is the innermost loop whose body contains it (nested bodies are smaller).
  const bodies = workflow.nodes.filter((n) => info.get(n.id)?.loop).map((n) => ({ id: n.id, body: reachableVia(workflow, n.id, 'each') }));
  const owner = new Map<string, string>();
  for (const node of workflow.nodes) {
    let best: { id: string; size: number } | undefined;
    for (const loop of bodies) {
      if (loop.body.has(node.id) && (!best || loop.body.size < best.size)) best = { id: loop.id, size: loop.body.size };
    }
    owner.set(node.id, best?.id ?? '');
  }

  const scopes = new Map<string, string[]>([['', []]]);
  for (const loop of bodies) scopes.set(loop.id, []);
  for (const id of topologicalOrder(workflow, edges)) scopes.get(owner.get(id) ?? '')?.push(id);

  const plan: ExecutionPlan = { workflow, triggerId: trigger.id, nodes, resolved, incoming, scopes };
  plans.set(workflow, plan);
  return plan;
}

/** Kahn's algorithm, ties broken by document order so runs are deterministic (resume relies on it). */
function topologicalOrder(workflow: Workflow, edges: WorkflowEdge[]): string[] {
  const indegree = new Map(workflow.nodes.map((n) => [n.id, 0]));
  for (const e of edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const order: string[] = [];
  const ready = workflow.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const position = new Map(workflow.nodes.map((n, i) => [n.id, i]));
  while (ready.length) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const id = ready.shift() as string;
    order.push(id);
    for (const e of edges) {
      if (e.from !== id) continue;
      const left = (indegree.get(e.to) ?? 0) - 1;
      indegree.set(e.to, left);
      if (left === 0) ready.push(e.to);
    }
  }
  return order;
}
