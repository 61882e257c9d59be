import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorRegistry } from '../connectors/index.ts';
import { validateWorkflow } from '../engine/validate.ts';
import { WORKFLOW_FORMAT, type Workflow } from '../shared/workflow.ts';

/**
 * Reading a template (a bundled one by name, a file, or a document the UI received) and checking it
 * whole before anything else looks at it: the format version, every step type and version, and
 * every setting. A template with any problem is refused with all of them, in plain words.
 */

/** The templates shipped with Pipewright (two folders up from here, as from the bundled main script). */
export const BUNDLED_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const FORMAT_VERSION = Number(WORKFLOW_FORMAT.split('/')[1]);

export class TemplateError extends Error {
  constructor(
    /** What was being loaded, e.g. `"Deal won" (kanvo-won-to-job.json)`. */
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      problems.length === 1
        ? `${source} cannot be used: ${problems[0]}`
        : `${source} cannot be used; it has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'TemplateError';
  }
}

export interface LoadedTemplate {
  workflow: Workflow;
  /** The bundled template's name, or the file's name. */
  name: string;
  origin: 'bundled' | 'file' | 'document';
  path?: string;
}

function formatProblem(doc: Record<string, unknown>): string | undefined {
  const format = doc.format;
  if (format === WORKFLOW_FORMAT) return undefined;
  const version = typeof format === 'string' ? /^pipewright\.workflow\/(\d+)$/.exec(format)?.[1] : undefined;
  if (version && Number(version) > FORMAT_VERSION) {
    return `it was made with a newer Pipewright (format version ${version}; this Pipewright reads version ${FORMAT_VERSION}). Update Pipewright to use it.`;
  }
  if (format === undefined)
    return `it has no "format" field, so it is not a Pipewright workflow or template (expected "${WORKFLOW_FORMAT}").`;
  return `its format is ${JSON.stringify(format)}, not "${WORKFLOW_FORMAT}"; it is not a Pipewright template.`;
}

/** Steps written for a newer version of their step type than this Pipewright has. */
function newerSteps(doc: Record<string, unknown>, registry: ConnectorRegistry): string[] {
  if (!Array.isArray(doc.nodes)) return [];
  return doc.nodes.flatMap((raw) => {
    const node = raw as { id?: unknown; type?: unknown; version?: unknown };
    if (typeof node.type !== 'string' || typeof node.version !== 'number') return [];
    const resolved = registry.resolve(node.type);
    if (!resolved) return [];
    const known = resolved.kind === 'action' ? resolved.action : resolved.trigger;
    if (node.version <= known.version) return [];
    return [
      `Step "${String(node.id)}" uses version ${node.version} of "${known.label}"; this Pipewright has version ${known.version}. Update Pipewright to use it.`,
    ];
  });
}

/** Checks a template document; throws a TemplateError listing every problem. */
export function parseTemplate(doc: unknown, registry: ConnectorRegistry, source = 'The template'): Workflow {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new TemplateError(source, ['it is not a JSON object.']);
  const raw = doc as Record<string, unknown>;
  const format = formatProblem(raw);
  if (format) throw new TemplateError(source, [format]);
  const newer = newerSteps(raw, registry);
  const validation = validateWorkflow(doc, registry);
  const problems = [...newer, ...(validation.ok ? [] : validation.issues.map((i) => i.message))];
  if (problems.length || !validation.ok) throw new TemplateError(source, problems);
  return validation.workflow;
}

export function bundledTemplatePath(name: string, dir = BUNDLED_TEMPLATES_DIR): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(name)) return undefined;
  const file = join(dir, `${name}.json`);
  return existsSync(file) ? file : undefined;
}

function readJson(path: string, source: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TemplateError(source, [`the file could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TemplateError(source, [`it is not valid JSON (${(err as Error).message}).`]);
  }
}

/** Loads a bundled template by name (e.g. `kanvo-lead-follow-up`) or a template file by path. */
export function loadTemplate(ref: string, registry: ConnectorRegistry, options: { dir?: string } = {}): LoadedTemplate {
  const bundled = bundledTemplatePath(ref, options.dir);
  if (bundled) {
    return {
      workflow: parseTemplate(readJson(bundled, `The template "${ref}"`), registry, `The template "${ref}"`),
      name: ref,
      origin: 'bundled',
      path: bundled,
    };
  }
  if (!existsSync(ref)) {
    throw new TemplateError(`"${ref}"`, ['there is no bundled template of that name and no such file.']);
  }
  const source = basename(ref);
  return { workflow: parseTemplate(readJson(ref, source), registry, source), name: source, origin: 'file', path: ref };
}

/** A template document received whole (e.g. uploaded in the UI). */
export function templateFromDocument(doc: unknown, registry: ConnectorRegistry, name = 'The template'): LoadedTemplate {
  const workflow = parseTemplate(doc, registry, name === 'The template' ? name : `The template "${name}"`);
  return { workflow, name: name === 'The template' ? workflow.name : name, origin: 'document' };
}
