import type { JsonSchema } from '../../src-main/shared/catalog.ts';
import { deref, properties } from './catalog.ts';

/**
 * Reading Liquid for people who never see it: `{{ steps.task.output.due_date | date: '%b %d' }}`
 * becomes "Add task › Due date". Parsing here is for display only; the engine renders templates.
 */

export type Segment = { kind: 'text'; text: string } | { kind: 'template'; text: string; expr: string };

const TEMPLATE = /\{\{[\s\S]*?\}\}/g;

export function hasTemplate(value: unknown): boolean {
  return typeof value === 'string' && value.includes('{{');
}

export function splitTemplate(value: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of value.matchAll(TEMPLATE)) {
    const at = match.index ?? 0;
    if (at > last) out.push({ kind: 'text', text: value.slice(last, at) });
    out.push({ kind: 'template', text: match[0], expr: match[0].slice(2, -2).trim() });
    last = at + match[0].length;
  }
  if (last < value.length) out.push({ kind: 'text', text: value.slice(last) });
  return out;
}

export function toTemplate(path: string): string {
  return `{{ ${path} }}`;
}

/** What a labeller knows: step names and the shape of their outputs. */
export interface Labeller {
  stepName(id: string): string | undefined;
  triggerName(): string | undefined;
  /** The output schema of a step, or the trigger's event schema. */
  outputSchema(source: { kind: 'trigger' } | { kind: 'step'; id: string }): JsonSchema | undefined;
}

export function humanize(key: string): string {
  const words = key
    .replace(/\[(\d+)\]/g, ' $1')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  if (words === 'id') return 'ID';
  const fixed = words.replace(/\bid\b/g, 'ID').replace(/\burl\b/g, 'URL');
  return fixed.charAt(0).toUpperCase() + fixed.slice(1);
}

/** The title of the field at `path` in an output schema, else a readable form of its name. */
export function fieldTitle(schema: JsonSchema | undefined, path: string[]): string {
  const titles: string[] = [];
  let current: JsonSchema | undefined = schema;
  for (const key of path) {
    let next: JsonSchema | undefined;
    if (current) {
      const here = deref(current, schema ?? {});
      if (/^\d+$/.test(key) || key === 'first' || key === 'last') {
        next = here.items ? deref(here.items as JsonSchema, schema ?? {}) : undefined;
        titles.push(key === 'first' ? 'First' : key === 'last' ? 'Last' : `#${Number(key) + 1}`);
        current = next;
        continue;
      }
      next = properties(here)[key];
    }
    titles.push(typeof next?.title === 'string' ? next.title : humanize(key));
    current = next;
  }
  return titles.join(' › ');
}

function splitFilters(expr: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let current = '';
  for (const ch of expr) {
    if (quote) {
      if (ch === quote) quote = null;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '|') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(['"]).*\1$/.test(t) ? t.slice(1, -1) : t;
}

function pathParts(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
}

/** A short label for a data path (no braces): "New lead › Title". */
export function describePath(path: string, labeller?: Labeller): string {
  const parts = pathParts(path.trim());
  const [root, ...rest] = parts;
  if (root === 'trigger') {
    const source = labeller?.triggerName() ?? 'Trigger';
    const schema = labeller?.outputSchema({ kind: 'trigger' });
    if (rest.length === 0) return source;
    if (rest[0] === 'timestamp') return `${source} › Happened at`;
    if (rest[0] === 'data') {
      const dataSchema = schema ? properties(deref(schema, schema)).data : undefined;
      return rest.length === 1 ? source : `${source} › ${fieldTitle(dataSchema && { ...dataSchema, $defs: schema?.$defs }, rest.slice(1))}`;
    }
    return `${source} › ${fieldTitle(schema, rest)}`;
  }
  if (root === 'steps' && rest[0]) {
    const id = rest[0];
    const source = labeller?.stepName(id) ?? humanize(id);
    const fields = rest[1] === 'output' ? rest.slice(2) : rest.slice(1);
    if (fields.length === 0) return source;
    return `${source} › ${fieldTitle(labeller?.outputSchema({ kind: 'step', id }), fields)}`;
  }
  if (root === 'run') {
    if (rest[0] === 'startedAt') return 'When the run started';
    if (rest[0] === 'id') return 'Run ID';
    return `Run › ${rest.map(humanize).join(' › ')}`;
  }
  if (root === 'loop') {
    if (rest[0] === 'item') return rest.length > 1 ? `Current item › ${rest.slice(1).map(humanize).join(' › ')}` : 'Current item';
    if (rest[0] === 'index') return 'Item number';
    return `Loop › ${rest.map(humanize).join(' › ')}`;
  }
  if (root === 'workflow') return `Workflow › ${rest.map(humanize).join(' › ')}`;
  return parts.map(humanize).join(' › ') || path;
}

/** A readable label for the inside of one `{{ … }}`. */
export function describeExpression(expr: string, labeller?: Labeller): string {
  const [base = '', ...filters] = splitFilters(expr);
  let label: string;
  const literal = /^(['"]).*\1$/.test(base);
  if (literal) label = unquote(base) === 'now' || unquote(base) === 'today' ? 'Now' : `“${unquote(base)}”`;
  else label = describePath(base, labeller);
  const notes: string[] = [];
  for (const filter of filters) {
    const [name = '', args = ''] = filter.split(/:(.*)/s).map((s) => s.trim());
    const argList = args ? args.split(',').map(unquote) : [];
    switch (name) {
      case 'date_add': {
        const amount = Number(argList[0] ?? 0);
        const unit = argList[1] ?? 'days';
        const n = Math.abs(amount);
        const u = n === 1 ? unit.replace(/s$/, '') : unit.endsWith('s') ? unit : `${unit}s`;
        if (base === 'run.startedAt' || unquote(base) === 'now') label = `${n} ${u} ${amount < 0 ? 'before' : 'after'} the run starts`;
        else notes.push(`${amount < 0 ? '−' : '+'} ${n} ${u}`);
        break;
      }
      case 'date':
        break;
      case 'default':
        notes.push(`or “${argList[0] ?? ''}”`);
        break;
      case 'upcase':
        notes.push('in capitals');
        break;
      case 'downcase':
        notes.push('in lower case');
        break;
      case 'capitalize':
        notes.push('capitalised');
        break;
      case 'strip':
        break;
      case 'size':
        notes.push('count');
        break;
      default:
        if (name) notes.push(humanize(name).toLowerCase());
    }
  }
  return notes.length ? `${label} (${notes.join(', ')})` : label;
}
