import { z } from 'zod';

/**
 * The workflow document: one JSON file, also the template format. Isomorphic (no Node, no DOM):
 * the renderer validates with the same schema as the engine.
 */

export const WORKFLOW_FORMAT = 'pipewright.workflow/1';

const Id = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/, 'must start with a letter and use only letters, digits, "-" and "_"');

export const NodeType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z][a-zA-Z0-9]*$/, 'must look like "<app>.<camelCaseKey>", e.g. "local.createTask"');

export const Position = z.object({ x: z.number(), y: z.number() });

export const OnError = z.enum(['stop', 'continue', 'errorPort']).meta({
  title: 'When this step fails',
  description: 'Stop the run, continue with the next steps, or follow the "error" output.',
});

export const RetryPolicy = z.object({
  maxAttempts: z.int().min(1).max(10).default(1),
  initialDelayMs: z.int().min(0).max(3_600_000).default(1000),
  maxDelayMs: z.int().min(0).max(86_400_000).default(60_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const WorkflowNode = z.object({
  id: Id,
  type: NodeType,
  version: z.int().min(1).default(1),
  name: z.string().max(120).optional(),
  connection: z.string().optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  position: Position.default({ x: 0, y: 0 }),
  disabled: z.boolean().optional(),
  onError: OnError.optional(),
  retry: RetryPolicy.partial().optional(),
  notes: z.string().optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNode>;

export const WorkflowEdge = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  /** Output port of `from`; omitted means its default output. */
  port: z.string().min(1).optional(),
});
export type WorkflowEdge = z.infer<typeof WorkflowEdge>;

export const StickyNote = z.object({
  id: z.string().min(1),
  text: z.string(),
  position: Position,
  size: z.object({ width: z.number(), height: z.number() }).optional(),
  color: z.string().optional(),
});
export type StickyNote = z.infer<typeof StickyNote>;

export const ConnectionRequirement = z.object({
  app: z.string().min(1),
  scopes: z.array(z.string()).optional(),
  label: z.string().optional(),
});

export const Requirements = z.object({
  objectTypes: z.array(z.string()).optional(),
  /** Pipeline slug (or name) → the stage slugs (or names) the workflow uses. */
  pipelines: z.record(z.string(), z.array(z.string())).optional(),
  customFields: z.record(z.string(), z.array(z.string())).optional(),
  tags: z.array(z.string()).optional(),
});
export type Requirements = z.infer<typeof Requirements>;

export const WorkflowSettings = z.object({
  timezone: z.string().default('UTC'),
  /** Events caused by runs of runs … deeper than this are not run again (loop guard). */
  maxChainDepth: z.int().min(1).max(50).default(5),
  /** Default retry policy for steps that declare none. */
  retry: RetryPolicy.partial().optional(),
});
export type WorkflowSettings = z.infer<typeof WorkflowSettings>;

export const Workflow = z.object({
  format: z.literal(WORKFLOW_FORMAT, {
    error: `must be "${WORKFLOW_FORMAT}" (a newer Pipewright may have written this file)`,
  }),
  id: Id,
  name: z.string().min(1, 'must not be empty').max(200),
  description: z.string().max(4000).optional(),
  category: z.string().optional(),
  connections: z.record(z.string(), ConnectionRequirement).default({}),
  requires: Requirements.optional(),
  // A draft may be empty; the structural checks require a trigger before it can run.
  nodes: z.array(WorkflowNode),
  edges: z.array(WorkflowEdge).default([]),
  notes: z.array(StickyNote).default([]),
  settings: WorkflowSettings.default({ timezone: 'UTC', maxChainDepth: 5 }),
  /** A sample trigger event for test runs (templates ship one). */
  sample: z.record(z.string(), z.unknown()).optional(),
});
export type Workflow = z.infer<typeof Workflow>;
export type WorkflowInput = z.input<typeof Workflow>;

/** One problem found in a workflow, in words an operator understands. */
export interface WorkflowIssue {
  message: string;
  nodeId?: string;
  field?: string;
}

/** What the structural checks need to know about a node type (from the catalog). */
export interface NodeTypeInfo {
  kind: 'trigger' | 'action';
  loop: boolean;
  needsConnection: boolean;
  /** Output ports for these params, not counting "error". */
  ports(params: Record<string, unknown>): string[];
}
export type NodeTypeLookup = (type: string) => NodeTypeInfo | undefined;

export function nodeLabel(node: Pick<WorkflowNode, 'id' | 'name'>): string {
  return node.name ? `"${node.name}" (${node.id})` : `"${node.id}"`;
}

/** Turns zod issues into plain sentences naming the node and field where possible. */
export function describeSchemaIssues(error: z.ZodError, doc: unknown): WorkflowIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path;
    if (path[0] === 'nodes' && typeof path[1] === 'number') {
      const raw = (doc as { nodes?: unknown[] })?.nodes?.[path[1]] as { id?: unknown } | undefined;
      const nodeId = typeof raw?.id === 'string' ? raw.id : undefined;
      const field = path.slice(2).join('.');
      const where = nodeId ? `Step "${nodeId}"` : `Step #${path[1] + 1}`;
      return { nodeId, field, message: `${where}: ${field || 'the step'} ${issue.message}` };
    }
    const field = path.join('.');
    return { field, message: `${field || 'The document'}: ${issue.message}` };
  });
}

/**
 * Parses a document and runs the structural checks an operator needs before a run.
 * Returns the typed workflow, or every problem found.
 */
export function checkWorkflow(
  doc: unknown,
  lookup: NodeTypeLookup,
): { ok: true; workflow: Workflow } | { ok: false; issues: WorkflowIssue[] } {
  const parsed = Workflow.safeParse(doc);
  if (!parsed.success) return { ok: false, issues: describeSchemaIssues(parsed.error, doc) };
  const issues = structuralIssues(parsed.data, lookup);
  return issues.length ? { ok: false, issues } : { ok: true, workflow: parsed.data };
}

export function structuralIssues(wf: Workflow, lookup: NodeTypeLookup): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const byId = new Map<string, WorkflowNode>();
  for (const node of wf.nodes) {
    if (byId.has(node.id)) issues.push({ nodeId: node.id, message: `Two steps share the id "${node.id}"; ids must be unique.` });
    byId.set(node.id, node);
  }

  const info = new Map<string, NodeTypeInfo>();
  for (const node of wf.nodes) {
    const type = lookup(node.type);
    if (!type) {
      issues.push({ nodeId: node.id, field: 'type', message: `Step ${nodeLabel(node)} uses the unknown step type "${node.type}".` });
      continue;
    }
    info.set(node.id, type);
    if (node.connection !== undefined && !(node.connection in wf.connections)) {
      const declared = Object.keys(wf.connections);
      issues.push({
        nodeId: node.id,
        field: 'connection',
        message: `Step ${nodeLabel(node)} uses the connection "${node.connection}", which the workflow does not declare${declared.length ? ` (declared: ${declared.join(', ')})` : ''}.`,
      });
    }
    if (type.needsConnection && node.connection === undefined) {
      issues.push({ nodeId: node.id, field: 'connection', message: `Step ${nodeLabel(node)} needs a connection.` });
    }
  }

  const triggers = wf.nodes.filter((n) => info.get(n.id)?.kind === 'trigger');
  if (triggers.length === 0 && info.size === wf.nodes.length) {
    issues.push({ message: 'The workflow has no trigger: add one step that starts it (e.g. "Record created").' });
  }
  if (triggers.length > 1) {
    issues.push({ message: `The workflow has ${triggers.length} triggers (${triggers.map((t) => t.id).join(', ')}); keep exactly one.` });
  }

  for (const [i, edge] of wf.edges.entries()) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from) issues.push({ field: `edges.${i}`, message: `Connection #${i + 1} starts at the missing step "${edge.from}".` });
    if (!to) issues.push({ field: `edges.${i}`, message: `Connection #${i + 1} leads to the missing step "${edge.to}".` });
    if (!from || !to) continue;
    if (info.get(to.id)?.kind === 'trigger') {
      issues.push({
        nodeId: to.id,
        field: `edges.${i}`,
        message: `Nothing can lead into the trigger ${nodeLabel(to)}; it is always the first step.`,
      });
    }
    const fromInfo = info.get(from.id);
    if (fromInfo) {
      const ports = validPorts(from, fromInfo);
      const port = edge.port ?? 'main';
      if (!ports.includes(port)) {
        issues.push({
          nodeId: from.id,
          field: `edges.${i}`,
          message: `Step ${nodeLabel(from)} has no output "${port}" (outputs: ${ports.join(', ')}).`,
        });
      }
    }
  }
  if (issues.length) return issues;

  const cycle = findCycle(wf, info);
  if (cycle)
    issues.push({
      nodeId: cycle[0],
      message: `The steps ${cycle.map((id) => `"${id}"`).join(' → ')} form a loop; use a "For each" step to repeat work.`,
    });

  const trigger = triggers[0];
  if (trigger && !cycle) {
    const reachable = reachableFrom(wf, trigger.id);
    for (const node of wf.nodes) {
      if (!reachable.has(node.id)) {
        issues.push({ nodeId: node.id, message: `Step ${nodeLabel(node)} is not connected to the trigger, so it would never run.` });
      }
    }
  }
  return issues;
}

export function validPorts(node: WorkflowNode, type: NodeTypeInfo): string[] {
  const ports = type.ports(node.params);
  return node.onError === 'errorPort' ? [...ports, 'error'] : ports;
}

function reachableFrom(wf: Workflow, start: string): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) {
    const id = queue.shift() as string;
    for (const edge of wf.edges) {
      if (edge.from === id && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}

/**
 * A cycle is allowed only as a loop body returning to its "For each" step (edges into a loop node
 * from inside its own body mark the end of an iteration). Returns the first other cycle found.
 */
function findCycle(wf: Workflow, info: Map<string, NodeTypeInfo>): string[] | undefined {
  const edges = wf.edges.filter((e) => !isLoopBackEdge(wf, e, info));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const edge of edges) {
      if (edge.from !== id) continue;
      const s = state.get(edge.to);
      if (s === 'visiting') return [...stack.slice(stack.indexOf(edge.to)), edge.to];
      if (!s) {
        const found = visit(edge.to);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const node of wf.nodes) {
    if (!state.has(node.id)) {
      const found = visit(node.id);
      if (found) return found;
    }
  }
  return undefined;
}

/** An edge from inside a loop's "each" body back to the loop node itself. */
export function isLoopBackEdge(wf: Workflow, edge: WorkflowEdge, info: Map<string, NodeTypeInfo>): boolean {
  if (!info.get(edge.to)?.loop) return false;
  const body = reachableVia(wf, edge.to, 'each');
  return body.has(edge.from);
}

/** Nodes reachable from `nodeId`'s `port`, not passing back through `nodeId`. */
export function reachableVia(wf: Workflow, nodeId: string, port: string): Set<string> {
  const seen = new Set<string>();
  const queue = wf.edges.filter((e) => e.from === nodeId && (e.port ?? 'main') === port).map((e) => e.to);
  while (queue.length) {
    const id = queue.shift() as string;
    if (id === nodeId || seen.has(id)) continue;
    seen.add(id);
    for (const e of wf.edges) if (e.from === id) queue.push(e.to);
  }
  return seen;
}
