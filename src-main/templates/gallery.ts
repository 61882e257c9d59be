import { readdirSync } from 'node:fs';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Workflow } from '../shared/workflow.ts';
import { BUNDLED_TEMPLATES_DIR, loadTemplate } from './load.ts';
import { appOf } from './node-fields.ts';

/** The gallery of bundled templates: what each one does, for whom, and which apps it needs. */

export interface TemplateSummary {
  /** The name to import it by (its file name without .json, also its workflow id). */
  id: string;
  name: string;
  description: string;
  category: string;
  /** Apps whose steps it uses (the local CRM included), in the order they first appear. */
  apps: { id: string; name: string }[];
  nodeCount: number;
  /** The label of its trigger, e.g. "Kanvo stage changed". */
  trigger: string;
}

/** Logic steps (conditions, waits, schedules) belong to no app an operator connects. */
const NOT_AN_APP = new Set(['logic']);

export function summarizeTemplate(id: string, workflow: Workflow, registry: ConnectorRegistry): TemplateSummary {
  const apps: { id: string; name: string }[] = [];
  for (const node of workflow.nodes) {
    const app = workflow.connections[node.connection ?? '']?.app ?? appOf(node);
    if (NOT_AN_APP.has(app) || apps.some((a) => a.id === app)) continue;
    apps.push({ id: app, name: registry.connectors.find((c) => c.id === app)?.name ?? app });
  }
  const trigger = workflow.nodes.map((n) => registry.resolve(n.type)).find((r) => r?.kind === 'trigger');
  return {
    id,
    name: workflow.name,
    description: workflow.description ?? '',
    category: workflow.category ?? 'Other',
    apps,
    nodeCount: workflow.nodes.length,
    trigger: trigger?.kind === 'trigger' ? trigger.trigger.label : '',
  };
}

/** Every bundled template, by category then name. A template that does not load is left out (a test keeps them valid). */
export function bundledTemplates(registry: ConnectorRegistry, dir = BUNDLED_TEMPLATES_DIR): TemplateSummary[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const summaries: TemplateSummary[] = [];
  for (const file of files) {
    const id = file.slice(0, -'.json'.length);
    try {
      summaries.push(summarizeTemplate(id, loadTemplate(id, registry, { dir }).workflow, registry));
    } catch {
      // Not listed: it cannot be imported either, and loading it by name says why.
    }
  }
  return summaries.sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
}
