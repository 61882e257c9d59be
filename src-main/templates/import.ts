import type { App } from '../app.ts';
import type { TriggerEvent } from '../connectors/define.ts';
import type { RunResult } from '../shared/runs.ts';
import type { Workflow } from '../shared/workflow.ts';
import { type BindingChoice, chooseConnections } from './bindings.ts';
import { type CheckItem, type CheckReport, checkRequirements } from './check.ts';
import { applyInputs } from './inputs.ts';
import type { LoadedTemplate } from './load.ts';
import { applyMappings, type TemplateMappings } from './mappings.ts';
import { displayName } from './names.ts';
import { type TemplateRequirements, templateRequirements } from './requirements.ts';

/**
 * Importing a template into an account: fill in its values, map its names onto the account's,
 * choose a connection for each alias, check what it needs, optionally create what the local CRM
 * lacks, and save it as a draft (never live) bound to those connections, ready for a test run.
 */

export interface ImportOptions {
  /** The new workflow's id (default: the template's, made unique). */
  id?: string;
  /** Connection alias → connection name. An alias left out uses the only connection of its app. */
  bindings?: Record<string, string>;
  mappings?: TemplateMappings;
  /** Values for the template's placeholders, by `step.field` (see `templateInputs`). */
  values?: Record<string, unknown>;
  /** Create missing object types, pipelines and stages in the local CRM. */
  createMissing?: boolean;
  /** After importing, test the draft with its sample event as a dry run. */
  test?: boolean;
  signal?: AbortSignal;
}

/** Everything an import would do, worked out without changing anything (the UI's "check" step). */
export interface ImportPlan {
  /** The template with values filled in and names mapped. */
  workflow: Workflow;
  requirements: TemplateRequirements;
  bindings: BindingChoice[];
  report: CheckReport;
  /** Mappings applied, e.g. `Stage "qualified" → "Contacted"`. */
  mapped: string[];
  warnings: string[];
  /** Problems besides the report's missing items (unknown aliases or fields given). */
  problems: string[];
}

export interface ImportResult {
  workflowId: string;
  version: number;
  name: string;
  /** Alias → the connection it is bound to. */
  bindings: Record<string, string>;
  /** What was created in the local CRM, in plain words. */
  created: string[];
  mapped: string[];
  warnings: string[];
  report: CheckReport;
  /** The event a test run starts with. */
  sample: TriggerEvent | null;
  /** The dry run, when asked for. */
  test?: RunResult;
}

export class TemplateImportError extends Error {
  constructor(
    readonly template: string,
    readonly plan: ImportPlan,
  ) {
    const lines = [...plan.problems, ...blocking(plan.report).map((i) => i.message)];
    super(`The template ${template} cannot be imported yet:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
    this.name = 'TemplateImportError';
  }
}

const blocking = (report: CheckReport) => report.items.filter((i) => i.status === 'missing');
const appNameOf = (app: App) => (id: string) => app.registry.connectors.find((c) => c.id === id)?.name ?? id;

export async function planImport(app: App, template: LoadedTemplate, options: ImportOptions = {}): Promise<ImportPlan> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const filled = applyInputs(template.workflow, options.values ?? {});
  for (const key of filled.unknown) problems.push(`The template has no value to fill in at "${key}".`);
  const mapping = applyMappings(filled.workflow, app.registry, options.mappings ?? {});
  for (const unused of mapping.unused) warnings.push(`${unused} is not used by this template, so mapping it changed nothing.`);
  const workflow = mapping.workflow;
  const requirements = templateRequirements(workflow, app.registry);
  const { choices, unknownAliases } = chooseConnections(app.connections, requirements.connections, options.bindings, appNameOf(app));
  for (const alias of unknownAliases) {
    const aliases = requirements.connections.map((c) => c.alias);
    problems.push(`The template has no connection "${alias}"${aliases.length ? ` (it has: ${aliases.join(', ')})` : ' (it needs none)'}.`);
  }
  const report = await checkRequirements(requirements, {
    crm: app.crm,
    bindings: choices,
    resolveConnection: (name) => app.connections.resolve(name),
    signal: options.signal,
  });
  return { workflow, requirements, bindings: choices, report, mapped: mapping.applied, warnings, problems };
}

/** Creates what the local CRM lacks (object types, pipelines with their stages, stages); returns what was done. */
function createMissing(app: App, items: CheckItem[]): string[] {
  const created: string[] = [];
  for (const item of items) {
    if (item.status !== 'missing' || !item.canCreate || item.place?.alias !== null) continue;
    if (item.kind === 'objectType') {
      const type = app.crm.createObjectType({ name: displayName(item.name), slug: item.name });
      created.push(`Created the object type "${type.name}".`);
    }
  }
  const pipelines = items.filter((i) => i.status === 'missing' && i.canCreate && i.kind === 'pipeline');
  for (const item of pipelines) created.push(...createPipeline(app, item));
  for (const item of items) {
    if (item.status !== 'missing' || !item.canCreate || item.kind !== 'stage') continue;
    const pipeline = item.pipeline ?? (app.crm.listPipelines()[0]?.slug as string);
    const stage = app.crm.addStage(pipeline, displayName(item.name));
    created.push(`Added the stage "${stage.name}" to the pipeline "${app.crm.getPipeline(pipeline)?.name ?? pipeline}".`);
  }
  return created;
}

function createPipeline(app: App, item: CheckItem): string[] {
  const stages = item.stages ?? [];
  const pipeline = app.crm.createPipeline({
    name: displayName(item.name),
    slug: item.name,
    stages: stages.length ? stages.map(displayName) : ['New'],
  });
  return [`Created the pipeline "${pipeline.name}" with the stages ${pipeline.stages.map((s) => s.name).join(', ')}.`];
}

function uniqueId(app: App, wanted: string): string {
  if (!app.workflows.get(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = `${wanted.slice(0, 64 - suffix.length)}${suffix}`;
    if (!app.workflows.get(id)) return id;
  }
}

export async function importTemplate(app: App, template: LoadedTemplate, options: ImportOptions = {}): Promise<ImportResult> {
  const label = `"${template.name}"`;
  let plan = await planImport(app, template, options);
  const creatable = (i: CheckItem) => options.createMissing === true && i.canCreate === true;
  if (plan.problems.length || blocking(plan.report).some((i) => !creatable(i))) throw new TemplateImportError(label, plan);
  if (options.id !== undefined && app.workflows.get(options.id)) {
    plan.problems.push(`A workflow with the id "${options.id}" already exists; choose another id.`);
    throw new TemplateImportError(label, plan);
  }

  let created: string[] = [];
  if (blocking(plan.report).length) {
    created = app.crm.transaction(() => createMissing(app, plan.report.items));
    plan = await planImport(app, template, options);
    if (!plan.report.ok) throw new TemplateImportError(label, plan);
  }

  const id = options.id ?? uniqueId(app, plan.workflow.id);
  const { row, workflow } = app.save({ ...plan.workflow, id }, `Imported from template ${template.name}`);
  const bindings: Record<string, string> = {};
  for (const choice of plan.bindings) {
    if (!choice.connection) continue;
    // Pinned even when it was the only choice, so a second connection added later changes nothing.
    app.connections.bind(id, choice.alias, choice.connection);
    bindings[choice.alias] = choice.connection;
  }
  let sample: TriggerEvent | null = null;
  try {
    sample = app.sampleEvent(workflow);
  } catch {
    sample = null;
  }
  const result: ImportResult = {
    workflowId: id,
    version: row.version,
    name: workflow.name,
    bindings,
    created,
    mapped: plan.mapped,
    warnings: plan.warnings,
    report: plan.report,
    sample,
  };
  if (options.test) result.test = await app.run(id, { dryRun: true });
  return result;
}
