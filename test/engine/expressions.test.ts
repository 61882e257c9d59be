import { describe, expect, it } from 'vitest';
import { renderDeep, renderString, TemplateError, templateErrors } from '../../src-main/engine/expressions.ts';

const scope = {
  trigger: {
    event: 'record.created',
    data: { id: 'r1', title: 'Smith Residence', value: 1200, tags: ['a', 'b'], email: 'DANA@Example.com' },
  },
  steps: { find: { output: { records: [{ id: 'x' }, { id: 'y' }], count: 2 } } },
  run: { id: 'run-1', startedAt: '2026-06-17T14:20:00.000Z' },
};

describe('templates', () => {
  it.each([
    ['a single expression keeps a number', '{{ trigger.data.value }}', 1200],
    ['a single expression keeps a list', '{{ steps.find.output.records }}', [{ id: 'x' }, { id: 'y' }]],
    ['a single expression keeps an object', '{{ trigger.data.tags }}', ['a', 'b']],
    ['text around an expression renders a string', 'Call {{ trigger.data.title }}', 'Call Smith Residence'],
    ['filters apply', '{{ trigger.data.email | downcase }}', 'dana@example.com'],
    ['default fills a missing value', '{{ trigger.data.phone | default: "n/a" }}', 'n/a'],
    ['a missing value renders empty in text', 'x{{ trigger.data.nope }}y', 'xy'],
    ['date_add and date format dates', "{{ run.startedAt | date_add: 2, 'days' | date: '%Y-%m-%d' }}", '2026-06-19'],
    ['date_add takes months', "{{ run.startedAt | date_add: 1, 'month' | date: '%Y-%m-%d' }}", '2026-07-17'],
    ['plain text stays as it is', 'no templates here', 'no templates here'],
  ])('%s', (_name, source, expected) => {
    expect(renderString(source, scope)).toEqual(expected);
  });

  it('renders dates in the workflow time zone', () => {
    expect(renderString("{{ run.startedAt | date: '%H:%M' }}", scope, 'America/New_York')).toBe('10:20');
  });

  it('renders nested params', () => {
    expect(renderDeep({ a: ['{{ trigger.data.id }}'], b: { c: '{{ steps.find.output.count }}' } }, scope)).toEqual({
      a: ['r1'],
      b: { c: 2 },
    });
  });

  it('reports syntax errors with the template and the path', () => {
    expect(() => renderString('Hello {{ trigger.data.title', scope)).toThrow(TemplateError);
    const errors = templateErrors({ title: 'ok', body: { text: '{% if x %}never closed' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('body.text');
    expect(errors[0]?.message).toMatch(/Template error in "\{% if x %\}never closed"/);
  });

  it('rejects unknown filters instead of ignoring them', () => {
    expect(() => renderString('{{ trigger.data.title | shout }}', scope)).toThrow(/shout/);
  });
});

describe('templates cannot escape their data', () => {
  it.each([
    '{{ trigger.constructor }}',
    '{{ trigger.constructor.constructor }}',
    '{{ trigger.__proto__ }}',
    '{{ trigger.data.title.constructor }}',
    '{{ process }}',
    '{{ process.env }}',
    '{{ globalThis }}',
    '{{ trigger.data.tags.constructor.prototype }}',
    '{{ trigger.hasOwnProperty }}',
  ])('%s reads nothing', (source) => {
    const value = renderString(source, scope);
    expect(value === undefined || value === null || value === '').toBe(true);
  });

  it('cannot reach the environment in text either', () => {
    expect(renderString('[{{ trigger.constructor.name }}][{{ process.env.HOME }}]', scope)).toBe('[][]');
  });

  it('has no file system', () => {
    expect(() => renderString("{% include '/etc/passwd' %}", scope)).toThrow(TemplateError);
    expect(() => renderString("{% render 'package.json' %}", scope)).toThrow(TemplateError);
  });

  it('cannot pollute prototypes with assign', () => {
    renderString('{% assign __proto__ = "x" %}{% assign constructor = "y" %}', scope);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.prototype.toString.call({})).toBe('[object Object]');
  });
});
