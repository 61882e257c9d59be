import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src-main/connectors/index.ts';
import { loadTemplate, parseTemplate, TemplateError, templateFromDocument } from '../../src-main/templates/load.ts';
import { tempDir } from '../helpers.ts';

/** Loading templates: a template with any problem is refused whole, with every reason in plain words. */

const registry = new ConnectorRegistry();

function template(change: (doc: Record<string, unknown> & { nodes: Record<string, unknown>[] }) => void = () => {}) {
  const doc = structuredClone(loadTemplate('kanvo-lead-follow-up', registry).workflow) as unknown as Record<string, unknown> & {
    nodes: Record<string, unknown>[];
  };
  change(doc);
  return doc;
}

function problemsOf(doc: unknown): string[] {
  try {
    parseTemplate(doc, registry, 'The template "test"');
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as TemplateError).problems;
  }
  throw new Error('the template was accepted');
}

describe('loading a template', () => {
  it('loads a bundled template by name, and a template file by path', () => {
    const bundled = loadTemplate('kanvo-lead-follow-up', registry);
    expect(bundled).toMatchObject({ name: 'kanvo-lead-follow-up', origin: 'bundled', workflow: { id: 'kanvo-lead-follow-up' } });

    const file = join(tempDir(), 'mine.json');
    writeFileSync(file, JSON.stringify(template((d) => (d.name = 'My copy'))));
    expect(loadTemplate(file, registry)).toMatchObject({ name: 'mine.json', origin: 'file', workflow: { name: 'My copy' } });
    expect(templateFromDocument(template(), registry, 'upload.json')).toMatchObject({ name: 'upload.json', origin: 'document' });
  });

  it.each([
    ['a missing name', (d: ReturnType<typeof template>) => delete d.name, /^name: /],
    [
      'a setting of the wrong kind',
      (d: ReturnType<typeof template>) => ((d.nodes[1] as { params: Record<string, unknown> }).params.due_date = 'next week'),
      /^Step "Add a call task" \(task\): field "due_date" .*"next week" is not a date/,
    ],
    [
      'a required setting left out',
      (d: ReturnType<typeof template>) => delete (d.nodes[1] as { params: Record<string, unknown> }).params.title,
      /^Step "Add a call task" \(task\): field "title" is required\.$/,
    ],
    ['a step without an id', (d: ReturnType<typeof template>) => delete d.nodes[2]?.id, /^Step #3: id /],
  ])('refuses %s, naming the field', (_what, change, message) => {
    expect(problemsOf(template(change))).toEqual([expect.stringMatching(message)]);
  });

  it('refuses unknown step types', () => {
    const problems = problemsOf(template((d) => ((d.nodes[1] as { type: string }).type = 'kanvo.teleportLead')));
    expect(problems).toEqual(['Step "Add a call task" (task) uses the unknown step type "kanvo.teleportLead".']);
  });

  it('refuses a template made for a newer format, saying to update Pipewright', () => {
    expect(problemsOf(template((d) => (d.format = 'pipewright.workflow/2')))).toEqual([
      'it was made with a newer Pipewright (format version 2; this Pipewright reads version 1). Update Pipewright to use it.',
    ]);
    expect(() =>
      parseTemplate(
        template((d) => (d.format = 'pipewright.workflow/7')),
        registry,
        'The template "x"',
      ),
    ).toThrow(/^The template "x" cannot be used: it was made with a newer Pipewright \(format version 7/);
  });

  it('refuses a step written for a newer version of its step type', () => {
    const problems = problemsOf(template((d) => ((d.nodes[1] as { version: number }).version = 3)));
    expect(problems).toEqual([
      'Step "task" uses version 3 of "Create Kanvo task"; this Pipewright has version 1. Update Pipewright to use it.',
    ]);
  });

  it('refuses what is not a Pipewright template at all', () => {
    expect(problemsOf([1, 2])).toEqual(['it is not a JSON object.']);
    expect(problemsOf({ name: 'x' })).toEqual([expect.stringMatching(/has no "format" field/)]);
    expect(problemsOf({ format: 'zapier/1' })).toEqual([expect.stringMatching(/its format is "zapier\/1"/)]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(
      template((d) => {
        (d.nodes[1] as { type: string }).type = 'kanvo.nope';
        (d.nodes[2] as { params: Record<string, unknown> }).params = {};
        d.edges = [...(d.edges as unknown[]), { from: 'contacted', to: 'ghost' }];
      }),
    );
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.join('\n')).toMatch(/unknown step type "kanvo.nope"/);
    expect(problems.join('\n')).toMatch(/missing step "ghost"/);
  });

  it('explains files that cannot be read or parsed', () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "format": ');
    expect(() => loadTemplate(broken, registry)).toThrow(/^broken\.json cannot be used: it is not valid JSON/);
    expect(() => loadTemplate(join(dir, 'missing.json'), registry)).toThrow(/there is no bundled template of that name and no such file/);
    expect(() => loadTemplate('no-such-template', registry)).toThrow(/"no-such-template" cannot be used/);
  });
});
