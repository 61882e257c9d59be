import { type ConditionGroup, type ConditionRow, isGroup, OPERATORS, UNARY_OPERATORS } from '../shared/conditions.ts';
import { hasTemplate, renderDeep, renderString, type Scope } from './expressions.ts';

/** Structured conditions (field, operator, value rows in all/any groups). No code is evaluated. */

export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

const MISSING = Symbol('missing');

// Field paths are split once: conditions are checked on every run.
const paths = new Map<string, string[]>();
const PATHS_LIMIT = 10_000;

/** Reads `a.b[0].c` from own properties only, telling "missing" apart from null. */
export function readPath(scope: unknown, path: string): unknown {
  let parts = paths.get(path);
  if (!parts) {
    parts = path
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .filter((p) => p.length > 0);
    if (paths.size >= PATHS_LIMIT) paths.clear();
    paths.set(path, parts);
  }
  let current: unknown = scope;
  for (const part of parts) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return MISSING;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function fieldValue(row: ConditionRow, scope: Scope): unknown {
  const field = row.field.trim();
  if (hasTemplate(field)) return renderString(field, scope);
  return readPath(scope, field);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function asTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function isEmpty(v: unknown): boolean {
  return v === MISSING || v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function equals(a: unknown, b: unknown): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
  if (a === null || b === null) return a === b;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}

function compare(a: unknown, b: unknown): number {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  const ta = asTime(a);
  const tb = asTime(b);
  if (ta !== undefined && tb !== undefined) return ta - tb;
  return String(a).localeCompare(String(b));
}

function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim());
  return [v];
}

function lower(v: unknown): string {
  return String(v ?? '').toLowerCase();
}

export function evaluateRow(row: ConditionRow, scope: Scope): boolean {
  const actual = fieldValue(row, scope);
  if (row.operator === 'isnull') return isEmpty(actual);
  if (row.operator === 'isnotnull') return !isEmpty(actual);
  if (actual === MISSING) {
    throw new ConditionError(
      `The condition "${row.field} ${OPERATORS[row.operator]} …" uses the field "${row.field}", which is not in the data. Check the field name, or use "is empty" to test for a missing value.`,
    );
  }
  const expected = typeof row.value === 'string' || typeof row.value === 'object' ? renderDeep(row.value, scope) : row.value;
  switch (row.operator) {
    case 'eq':
      return equals(actual, expected);
    case 'ne':
      return !equals(actual, expected);
    case 'contains':
      return Array.isArray(actual) ? actual.some((v) => equals(v, expected)) : lower(actual).includes(lower(expected));
    case 'startswith':
      return lower(actual).startsWith(lower(expected));
    case 'endswith':
      return lower(actual).endsWith(lower(expected));
    case 'gt':
      return compare(actual, expected) > 0;
    case 'gte':
      return compare(actual, expected) >= 0;
    case 'lt':
      return compare(actual, expected) < 0;
    case 'lte':
      return compare(actual, expected) <= 0;
    case 'in':
      return listOf(expected).some((v) => equals(actual, v));
    case 'nin':
      return !listOf(expected).some((v) => equals(actual, v));
  }
}

export function evaluateGroup(group: ConditionGroup, scope: Scope): boolean {
  const test = (c: ConditionRow | ConditionGroup) => (isGroup(c) ? evaluateGroup(c, scope) : evaluateRow(c, scope));
  return group.match === 'any' ? group.conditions.some(test) : group.conditions.every(test);
}

/** True when the row needs no value (used by forms and validation). */
export function isUnary(row: ConditionRow): boolean {
  return UNARY_OPERATORS.has(row.operator);
}
