import { describe, expect, it } from 'vitest';
import { ConditionError, evaluateGroup, evaluateRow } from '../../src-main/engine/conditions.ts';
import type { Operator } from '../../src-main/shared/conditions.ts';

const scope = {
  trigger: {
    data: { email: 'dana@example.com', value: 1200, stage: 'New', tags: ['vip', 'customer'], phone: null, created: '2026-06-17T14:20:00Z' },
  },
};

describe('condition rows', () => {
  it.each<[string, Operator, unknown, boolean]>([
    ['trigger.data.stage', 'eq', 'New', true],
    ['trigger.data.stage', 'eq', 'new', false],
    ['trigger.data.value', 'eq', '1200', true],
    ['trigger.data.stage', 'ne', 'Won', true],
    ['trigger.data.email', 'contains', 'EXAMPLE', true],
    ['trigger.data.tags', 'contains', 'vip', true],
    ['trigger.data.tags', 'contains', 'lost', false],
    ['trigger.data.email', 'startswith', 'dana', true],
    ['trigger.data.email', 'endswith', '.org', false],
    ['trigger.data.value', 'gt', 1000, true],
    ['trigger.data.value', 'gte', '1200', true],
    ['trigger.data.value', 'lt', 1200, false],
    ['trigger.data.value', 'lte', 1200, true],
    ['trigger.data.created', 'gt', '2026-01-01', true],
    ['trigger.data.stage', 'in', 'New, Contacted', true],
    ['trigger.data.stage', 'in', ['Won', 'Lost'], false],
    ['trigger.data.stage', 'nin', ['Won', 'Lost'], true],
    ['trigger.data.phone', 'isnull', undefined, true],
    ['trigger.data.missing', 'isnull', undefined, true],
    ['trigger.data.email', 'isnotnull', undefined, true],
    ['{{ trigger.data.email | upcase }}', 'eq', 'DANA@EXAMPLE.COM', true],
  ])('%s %s %j → %s', (field, operator, value, expected) => {
    expect(evaluateRow({ field, operator, value }, scope)).toBe(expected);
  });

  it('compares against templated values', () => {
    expect(evaluateRow({ field: 'trigger.data.value', operator: 'eq', value: '{{ trigger.data.value }}' }, scope)).toBe(true);
  });

  it('names a missing field instead of silently failing', () => {
    expect(() => evaluateRow({ field: 'trigger.data.budget', operator: 'gt', value: 5 }, scope)).toThrow(ConditionError);
    expect(() => evaluateRow({ field: 'trigger.data.budget', operator: 'gt', value: 5 }, scope)).toThrow(
      /"trigger\.data\.budget", which is not in the data/,
    );
  });

  it('does not read inherited properties', () => {
    expect(() => evaluateRow({ field: 'trigger.constructor', operator: 'eq', value: 'x' }, scope)).toThrow(ConditionError);
  });
});

describe('condition groups', () => {
  const yes = { field: 'trigger.data.stage', operator: 'eq' as const, value: 'New' };
  const no = { field: 'trigger.data.stage', operator: 'eq' as const, value: 'Won' };
  it.each([
    ['all true', { match: 'all' as const, conditions: [yes, yes] }, true],
    ['all with one false', { match: 'all' as const, conditions: [yes, no] }, false],
    ['any with one true', { match: 'any' as const, conditions: [no, yes] }, true],
    ['nested', { match: 'all' as const, conditions: [yes, { match: 'any' as const, conditions: [no, yes] }] }, true],
  ])('%s', (_name, group, expected) => {
    expect(evaluateGroup(group, scope)).toBe(expected);
  });
});
