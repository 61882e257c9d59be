import { writeFileSync } from 'node:fs';
import type { App } from './app.ts';
import { formatRun, formatTable } from './cli-format.ts';
import { type CliIo, CliUsageError, runSubcommand, stdio } from './cli-io.ts';
import { catalogLabels, diffWorkflows } from './shared/workflow-diff.ts';
import type { CheckItem } from './templates/check.ts';
import { exportTemplate } from './templates/export.ts';
import { bundledTemplates, summarizeTemplate } from './templates/gallery.ts';
import { importTemplate, TemplateImportError } from './templates/import.ts';
import { type LoadedTemplate, loadTemplate, TemplateError } from './templates/load.ts';
import type { TemplateMappings } from './templates/mappings.ts';
import { stepName } from './templates/node-fields.ts';
import { templateRequirements } from './templates/requirements.ts';

/**
 * `pipewright templates …` (list, show, import, export) and `pipewright diff`: thin wrappers that
 * parse what was typed, call `src-main/templates/` and print the answer.
 */

export const TEMPLATES_USAGE = `  templates [list] [--json]            List the bundled templates
  templates show NAME|FILE             What a template does and what it needs
  templates import NAME|FILE [--bind ALIAS=CONNECTION …] [--map-stage FROM=TO …]
                   [--map-type FROM=TO …] [--map-pipeline FROM=TO …] [--set STEP.FIELD=VALUE …]
                   [--id ID] [--create-missing] [--dry-run]
                                       Import a template as a draft; --dry-run then tests it
                                       with its sample event (nothing is changed)
  templates export ID [--out FILE]     Write a saved workflow as a template to share`;

export const DIFF_USAGE = `  diff ID [--from V] [--to V]          What changed between two versions (default: the latest change)`;

export interface TemplatesOptions {
  json?: boolean;
  out?: string;
  bind?: string[];
  'map-stage'?: string[];
  'map-type'?: string[];
  'map-pipeline'?: string[];
  set?: string[];
  id?: string;
  'create-missing'?: boolean;
  'dry-run'?: boolean;
  from?: string;
  to?: string;
}

export type TemplatesIo = CliIo;

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliUsageError(`Missing ${what}. See "pipewright --help".`);
  return value;
}

/** `["crm=kanvo-main"]` → `{ crm: "kanvo-main" }`. */
function pairs(values: string[] | undefined, flag: string, example: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new CliUsageError(`${flag} "${pair}" must look like ${example}.`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

export async function templatesCommand(app: App, args: string[], options: TemplatesOptions, io: TemplatesIo = stdio): Promise<number> {
  const [sub, ...rest] = args;
  return runSubcommand(
    io,
    async () => {
      switch (sub) {
        case undefined:
        case 'list':
          return list(app, options, io);
        case 'show':
          return show(app, rest, options, io);
        case 'import':
          return await importCommand(app, rest, options, io);
        case 'export':
          return exportCommand(app, rest, options, io);
        default:
          io.err(`Unknown templates command "${sub}".\n\n${TEMPLATES_USAGE}`);
          return 2;
      }
    },
    (e) => (e instanceof TemplateError ? e.message : undefined),
  );
}

function list(app: App, options: TemplatesOptions, io: TemplatesIo): number {
  const templates = bundledTemplates(app.registry);
  if (options.json) {
    io.out(JSON.stringify(templates, null, 2));
    return 0;
  }
  if (templates.length === 0) {
    io.out('No bundled templates were found.');
    return 0;
  }
  io.out(
    formatTable(
      ['NAME', 'CATEGORY', 'APPS', 'STEPS', 'WHAT IT DOES'],
      templates.map((t) => [t.id, t.category, t.apps.map((a) => a.name).join(', '), String(t.nodeCount), t.name]),
    ),
  );
  io.out('\nSee one with "pipewright templates show NAME"; import it with "pipewright templates import NAME".');
  return 0;
}

function load(app: App, ref: string): LoadedTemplate {
  return loadTemplate(ref, app.registry);
}

function show(app: App, args: string[], options: TemplatesOptions, io: TemplatesIo): number {
  const template = load(app, need(args[0], 'the template name or file'));
  const { workflow } = template;
  const requirements = templateRequirements(workflow, app.registry);
  if (options.json) {
    io.out(JSON.stringify({ template: workflow, requirements }, null, 2));
    return 0;
  }
  const summary = summarizeTemplate(template.name, workflow, app.registry);
  const lines = [`${workflow.name} (${template.name})`, `Category: ${summary.category}`, '', workflow.description ?? '', ''];
  lines.push(`Apps: ${summary.apps.map((a) => a.name).join(', ') || 'none'}`, `Starts with: ${summary.trigger}`, '');
  lines.push(`Steps (${workflow.nodes.length}):`);
  workflow.nodes.forEach((node, i) => {
    const resolved = app.registry.resolve(node.type);
    const label = resolved?.kind === 'action' ? resolved.action.label : resolved?.kind === 'trigger' ? resolved.trigger.label : node.type;
    lines.push(`  ${i + 1}. ${stepName(node)} (${label}${node.connection ? `, connection "${node.connection}"` : ''})`);
  });
  lines.push('', 'Needs:');
  const needs: string[] = [];
  for (const c of requirements.connections) {
    needs.push(
      `a ${c.appName} connection "${c.alias}" (${c.access === 'write' ? 'reads and writes' : 'reads'}${c.scopes.length ? `; scopes ${c.scopes.join(', ')}` : ''})`,
    );
  }
  for (const o of requirements.objectTypes) needs.push(`the object type "${o.name}" in ${o.place.appName}`);
  for (const p of requirements.pipelines) {
    const stages = p.stages.length ? ` with the stage${p.stages.length === 1 ? '' : 's'} ${p.stages.map((s) => `"${s}"`).join(', ')}` : '';
    needs.push(
      p.pipeline === null
        ? `the stage(s) ${p.stages.map((s) => `"${s}"`).join(', ')} in ${p.place.appName}`
        : `the pipeline "${p.pipeline}"${stages} in ${p.place.appName}`,
    );
  }
  for (const c of requirements.customFields) needs.push(`the custom fields ${c.fields.join(', ')} (${c.on}) in ${c.place.appName}`);
  for (const input of requirements.inputs)
    needs.push(`a value for "${input.field}" of step "${input.step}": ${input.hint} (--set ${input.key}=VALUE)`);
  lines.push(...(needs.length ? needs.map((n) => `  - ${n}`) : ['  - nothing but the local CRM']));
  if (requirements.tags.length) lines.push(`Tags it uses (created when first used): ${requirements.tags.join(', ')}`);
  const binds = requirements.connections.map((c) => ` --bind ${c.alias}=CONNECTION`).join('');
  lines.push(
    '',
    `Import it with: pipewright templates import ${template.origin === 'bundled' ? template.name : (template.path ?? template.name)}${binds}`,
  );
  io.out(lines.join('\n'));
  return 0;
}

function mappingsOf(options: TemplatesOptions): TemplateMappings {
  return {
    stages: pairs(options['map-stage'], '--map-stage', 'TEMPLATE_STAGE=STAGE, e.g. --map-stage qualified=Contacted'),
    objectTypes: pairs(options['map-type'], '--map-type', 'TEMPLATE_TYPE=TYPE, e.g. --map-type job=project'),
    pipelines: pairs(options['map-pipeline'], '--map-pipeline', 'TEMPLATE_PIPELINE=PIPELINE, e.g. --map-pipeline main-sales=sales'),
  };
}

/** How to fix one missing thing, in flags. */
function fixFor(item: CheckItem): string | undefined {
  const orCreate = item.canCreate ? ', or add --create-missing to create it in the local CRM' : '';
  const quoted = (text: string) => (/\s/.test(text) ? `"${text}"` : text);
  const mapTo = (flag: string) => `${flag} ${quoted(item.name)}=${item.candidate ? quoted(item.candidate) : 'NAME'}`;
  switch (item.kind) {
    case 'connection': {
      const existing = item.existing ?? [];
      if (existing.length) return `choose one with --bind ${item.name}=CONNECTION (${existing.join(', ')})`;
      return `add one with "pipewright connections add NAME --app ${item.place?.app ?? 'APP'} --base-url URL --api-key KEY", then --bind ${item.name}=NAME`;
    }
    case 'objectType':
      return `map it to one you have with ${mapTo('--map-type')}${orCreate}`;
    case 'pipeline':
      return `map it to one you have with ${mapTo('--map-pipeline')}${orCreate}`;
    case 'stage':
      return `map it to one you have with ${mapTo('--map-stage')}${orCreate}`;
    case 'input':
      return `give it with --set ${item.name}=VALUE`;
    default:
      return undefined;
  }
}

async function importCommand(app: App, args: string[], options: TemplatesOptions, io: TemplatesIo): Promise<number> {
  const template = load(app, need(args[0], 'the template name or file to import'));
  const values = pairs(options.set, '--set', 'STEP.FIELD=VALUE, e.g. --set add-to-list.listId=9fc6ad7d-…');
  try {
    const result = await importTemplate(app, template, {
      id: options.id,
      bindings: pairs(options.bind, '--bind', 'ALIAS=CONNECTION, e.g. --bind crm=kanvo-main'),
      mappings: mappingsOf(options),
      values,
      createMissing: options['create-missing'] ?? false,
      test: options['dry-run'] ?? false,
    });
    if (options.json) {
      io.out(JSON.stringify(result, null, 2));
      return result.test && result.test.status !== 'succeeded' ? 1 : 0;
    }
    const lines = [
      `Imported "${result.name}" from template ${template.name} as the draft "${result.workflowId}" (version ${result.version}).`,
    ];
    for (const [alias, connection] of Object.entries(result.bindings)) lines.push(`  connection "${alias}" → ${connection}`);
    for (const line of result.mapped) lines.push(`  mapped: ${line}`);
    for (const line of result.created) lines.push(`  ${line}`);
    for (const item of result.report.items.filter((i) => i.status === 'unchecked')) lines.push(`  note: ${item.message}`);
    for (const line of result.warnings) lines.push(`  warning: ${line}`);
    if (result.test) lines.push('', formatRun(result.test));
    lines.push(
      '',
      result.test ? '' : `Test it: pipewright run ${result.workflowId} --sample --dry-run`,
      `Turn it on: pipewright activate ${result.workflowId}`,
    );
    io.out(lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n'));
    return result.test && result.test.status !== 'succeeded' ? 1 : 0;
  } catch (e) {
    if (!(e instanceof TemplateImportError)) throw e;
    const lines = [`Cannot import the template ${template.name} yet. What is missing, and how to fix it:`];
    for (const problem of e.plan.problems) lines.push(`  ✗ ${problem}`);
    for (const item of e.plan.report.items.filter((i) => i.status === 'missing')) {
      lines.push(`  ✗ ${item.message}`);
      const fix = fixFor(item);
      if (fix) lines.push(`      → ${fix}`);
    }
    for (const line of e.plan.warnings) lines.push(`  warning: ${line}`);
    io.err(lines.join('\n'));
    return 1;
  }
}

function exportCommand(app: App, args: string[], options: TemplatesOptions, io: TemplatesIo): number {
  const id = need(args[0], 'the id of the workflow to export');
  if (!app.workflows.get(id)) throw new CliUsageError(`There is no workflow "${id}". See "pipewright list".`);
  const { template, removedSecrets } = exportTemplate(app, id);
  const text = `${JSON.stringify(template, null, 2)}\n`;
  if (options.out) {
    writeFileSync(options.out, text);
    io.out(`Wrote the template "${template.name}" to ${options.out}.`);
  } else io.out(text);
  if (removedSecrets.length) {
    io.err(`Removed what looked like credentials from: ${removedSecrets.join(', ')}. Whoever imports it fills them in with --set.`);
  }
  return 0;
}

function version(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliUsageError(`${flag} must be a version number (1, 2, …), not "${text}".`);
  return Number(text);
}

/** `pipewright diff ID [--from V] [--to V]`. */
export function diffCommand(app: App, args: string[], options: TemplatesOptions, io: TemplatesIo = stdio): Promise<number> {
  return runSubcommand(io, () => {
    const id = need(args[0], 'the id of the workflow');
    const row = app.workflows.get(id);
    if (!row) throw new CliUsageError(`There is no workflow "${id}". See "pipewright list".`);
    const to = version(options.to, '--to') ?? row.version;
    const from = version(options.from, '--from') ?? to - 1;
    if (from < 1) {
      io.out(`Version ${to} of "${row.name}" is its first version; there is nothing before it to compare with.`);
      return 0;
    }
    const before = app.workflows.document(id, from);
    const after = app.workflows.document(id, to);
    const missing = [before ? undefined : from, after ? undefined : to].filter((v) => v !== undefined);
    if (missing.length)
      throw new CliUsageError(`"${row.name}" has no version ${missing.join(' or ')}; it has versions 1 to ${row.version}.`);
    const changes = diffWorkflows(
      before as NonNullable<typeof before>,
      after as NonNullable<typeof after>,
      catalogLabels(app.registry.catalog()),
    );
    if (options.json) {
      io.out(JSON.stringify(changes, null, 2));
      return 0;
    }
    const note = app.workflows.versions(id).find((v) => v.version === to)?.note;
    io.out(`"${row.name}", version ${from} → ${to}${note ? ` (${note})` : ''}:`);
    io.out(changes.length ? changes.map((c) => `  - ${c.text}`).join('\n') : '  No changes.');
    return 0;
  });
}
