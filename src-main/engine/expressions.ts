import { Context, Liquid, type Template, toValueSync, Value } from 'liquidjs';

/**
 * Data mapping with Liquid. A value that is exactly one `{{ … }}` keeps its type (number, object,
 * list); anything else renders to a string. Templates are parsed once and cached.
 *
 * Safety: Liquid cannot call functions; `ownPropertyOnly` hides prototypes (`constructor`,
 * `__proto__`), there is no file system (include/render/layout find nothing), and render time and
 * memory are bounded.
 */

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly template: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** What templates can read: `trigger`, `steps.<id>.output`, `run`, `workflow`, `loop`. */
export type Scope = Record<string, unknown>;

/**
 * `path`/`parts` are fast forms of the commonest templates (`{{ a.b.c }}`, and text around such
 * outputs): they read own properties of plain objects directly and fall back to Liquid for anything
 * else (a missing key, arrays, drops, `size`/`first`/`last`), so results are Liquid's own.
 */
type Compiled =
  | { kind: 'value'; value: Value; path?: readonly string[] }
  | { kind: 'text'; templates: Template[]; parts?: readonly (string | readonly string[])[] }
  | { kind: 'plain' };

const DATE_UNITS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

function createLiquid(timezone: string): Liquid {
  const liquid = new Liquid({
    ownPropertyOnly: true,
    strictFilters: true,
    templates: {},
    timezoneOffset: timezone,
    renderLimit: 1000,
    memoryLimit: 16_000_000,
    parseLimit: 200_000,
  });
  liquid.registerFilter('date_add', (input: unknown, amount: unknown, unit: unknown = 'days') => {
    const date = toDate(input);
    if (!date) return input;
    const n = Number(amount);
    const u = String(unit).toLowerCase().replace(/s$/, '');
    if (u === 'month' || u === 'year') {
      const d = new Date(date);
      d.setUTCMonth(d.getUTCMonth() + (u === 'year' ? 12 * n : n));
      return d.toISOString();
    }
    const ms = DATE_UNITS[u];
    if (ms === undefined || !Number.isFinite(n))
      throw new Error(`date_add: unknown unit "${unit}" (use minutes, hours, days, weeks, months or years)`);
    return new Date(date.getTime() + n * ms).toISOString();
  });
  liquid.registerFilter('slugify', (input: unknown) =>
    String(input ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, ''),
  );
  return liquid;
}

function toDate(input: unknown): Date | undefined {
  if (input instanceof Date) return input;
  if (input === 'now' || input === 'today') return new Date();
  if (typeof input === 'string' || typeof input === 'number') {
    const d = new Date(input);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

const engines = new Map<string, Liquid>();
function liquidFor(timezone: string): Liquid {
  let liquid = engines.get(timezone);
  if (!liquid) {
    liquid = createLiquid(timezone);
    engines.set(timezone, liquid);
  }
  return liquid;
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;
// Compilation does not depend on the timezone; only rendering does.
const parser = createLiquid('UTC');

// Dotted identifiers only; Liquid's literals and its computed properties are left to Liquid.
const SIMPLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NOT_SIMPLE = new Set(['true', 'false', 'nil', 'null', 'empty', 'blank', 'size', 'first', 'last']);

function simplePath(expr: string): readonly string[] | undefined {
  if (!SIMPLE_PATH.test(expr)) return undefined;
  const path = expr.split('.');
  return path.some((key) => NOT_SIMPLE.has(key)) ? undefined : path;
}

/** Literal text and `{{ path }}` outputs, or undefined when the template is anything more. */
function simpleParts(source: string): (string | readonly string[])[] | undefined {
  if (source.includes('{%')) return undefined;
  const parts: (string | readonly string[])[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push(source.slice(at));
      break;
    }
    const close = source.indexOf('}}', open + 2);
    if (close < 0) return undefined;
    const literal = source.slice(at, open);
    if (literal.includes('}}')) return undefined;
    if (literal) parts.push(literal);
    const path = simplePath(source.slice(open + 2, close).trim());
    // Whitespace control ({{- -}}) and filters are Liquid's business.
    if (!path) return undefined;
    parts.push(path);
    at = close + 2;
  }
  return parts;
}

const FALLBACK = Symbol('fallback');
const hasOwn = Object.prototype.hasOwnProperty;

/** Reads a path the way Liquid does for plain data; FALLBACK when Liquid might do anything else. */
function readSimple(scope: Scope, path: readonly string[]): unknown {
  let current: unknown = scope;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return FALLBACK;
    const proto = Object.getPrototypeOf(current);
    if (proto !== Object.prototype && proto !== null) return FALLBACK;
    if (!hasOwn.call(current, key) || typeof (current as { toLiquid?: unknown }).toLiquid === 'function') return FALLBACK;
    current = (current as Record<string, unknown>)[key];
    if (typeof current === 'function') return FALLBACK;
  }
  return current;
}

/** Liquid's output of a value: text as is, nothing for nil, lists joined. */
function outputText(value: unknown): string | typeof FALLBACK {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return FALLBACK;
}

function isSingleExpression(source: string): string | undefined {
  const s = source.trim();
  if (!s.startsWith('{{') || !s.endsWith('}}')) return undefined;
  const inner = s.slice(2, -2);
  if (inner.includes('{{') || inner.includes('}}') || inner.includes('{%')) return undefined;
  return inner.replace(/^-/, '').replace(/-$/, '').trim();
}

export function hasTemplate(source: string): boolean {
  return source.includes('{{') || source.includes('{%');
}

export function compile(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  let compiled: Compiled;
  try {
    if (!hasTemplate(source)) compiled = { kind: 'plain' };
    else {
      const expr = isSingleExpression(source);
      if (expr !== undefined) {
        const path = simplePath(expr);
        compiled = { kind: 'value', value: new Value(expr, parser), ...(path ? { path } : {}) };
      } else {
        const parts = simpleParts(source);
        compiled = { kind: 'text', templates: parser.parse(source), ...(parts ? { parts } : {}) };
      }
    }
  } catch (err) {
    throw new TemplateError(`Template error in "${source}": ${cleanMessage(err)}`, source);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

function cleanMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]?.replace(/, line:\d+, col:\d+$/, '') ?? message;
}

export function renderString(source: string, scope: Scope, timezone = 'UTC'): unknown {
  const compiled = compile(source);
  if (compiled.kind === 'plain') return source;
  if (compiled.kind === 'value' && compiled.path) {
    const value = readSimple(scope, compiled.path);
    if (value !== FALLBACK) return value;
  } else if (compiled.kind === 'text' && compiled.parts) {
    const text = renderParts(compiled.parts, scope);
    if (text !== FALLBACK) return text;
  }
  const liquid = liquidFor(timezone);
  try {
    if (compiled.kind === 'value') {
      const ctx = new Context(scope, liquid.options, { sync: true }, { liquid });
      return toValueSync(compiled.value.value(ctx));
    }
    return liquid.renderSync(compiled.templates, scope);
  } catch (err) {
    throw new TemplateError(`Could not fill in "${source}": ${cleanMessage(err)}`, source);
  }
}

function renderParts(parts: readonly (string | readonly string[])[], scope: Scope): string | typeof FALLBACK {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = readSimple(scope, part);
    const text = value === FALLBACK ? FALLBACK : outputText(value);
    if (text === FALLBACK) return FALLBACK;
    out += text;
  }
  return out;
}

/** Renders every string inside `value` (objects and lists are walked). */
export function renderDeep(value: unknown, scope: Scope, timezone = 'UTC'): unknown {
  if (typeof value === 'string') return renderString(value, scope, timezone);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope, timezone));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, scope, timezone);
    return out;
  }
  return value;
}

/** Syntax errors of every template inside `value`, with the path of each. */
export function templateErrors(value: unknown, path = ''): { path: string; message: string }[] {
  if (typeof value === 'string') {
    try {
      compile(value);
      return [];
    } catch (err) {
      return [{ path, message: (err as Error).message }];
    }
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => templateErrors(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => templateErrors(v, path ? `${path}.${k}` : k));
  }
  return [];
}
