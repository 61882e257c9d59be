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

type Compiled = { kind: 'value'; value: Value } | { kind: 'text'; templates: Template[] } | { kind: 'plain' };

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
      compiled = expr !== undefined ? { kind: 'value', value: new Value(expr, parser) } : { kind: 'text', templates: parser.parse(source) };
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
