import type { CatalogNode } from '../../src-main/shared/catalog.ts';
import { type ConditionGroup, type ConditionRow, isGroup, OPERATORS, UNARY_OPERATORS } from '../../src-main/shared/conditions.ts';
import type { WorkflowNode } from '../../src-main/shared/workflow.ts';
import type { CrmSchema } from './store.ts';
import { describeExpression, describePath, hasTemplate, type Labeller, splitTemplate } from './templates.ts';

/** One line that says what a step does with its settings, e.g. "Stage → Contacted". */

function short(label: string): string {
  const parts = label.split(' › ');
  return parts.length > 1 ? parts.slice(1).join(' › ') : label;
}

/** Summaries name fields by title (no step names: a step's line must not change when another step is renamed). */
let labeller: Labeller | undefined;

/** A value as short readable text: templates become their field names in brackets. */
export function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return value;
    return splitTemplate(value)
      .map((s) => (s.kind === 'text' ? s.text : `[${short(describeExpression(s.expr, labeller))}]`))
      .join('')
      .replace(/\s+/g, ' ')
      .trim();
  }
  if (Array.isArray(value)) return value.map(text).join(', ');
  if (typeof value === 'object') return '';
  return String(value);
}

function quoted(value: unknown): string {
  const t = text(value);
  return hasTemplate(value) && typeof value === 'string' && splitTemplate(value.trim()).length === 1 ? t : `“${t}”`;
}

function objectTypeName(crm: CrmSchema | null, slug: unknown): string {
  if (typeof slug !== 'string' || !slug) return 'record';
  if (hasTemplate(slug)) return text(slug);
  const found = crm?.objectTypes.find((t) => t.slug === slug || t.id === slug || t.name.toLowerCase() === slug.toLowerCase());
  return found?.name ?? slug;
}

function pipelineName(crm: CrmSchema | null, slug: unknown): string {
  if (typeof slug !== 'string' || !slug) return '';
  if (hasTemplate(slug)) return text(slug);
  const found = crm?.pipelines.find((p) => p.slug === slug || p.id === slug || p.name.toLowerCase() === slug.toLowerCase());
  return found?.name ?? slug;
}

export function stageName(crm: CrmSchema | null, stage: unknown, pipeline?: unknown): string {
  if (typeof stage !== 'string' || !stage) return '';
  if (hasTemplate(stage)) return text(stage);
  const pipelines = crm?.pipelines ?? [];
  const ordered =
    typeof pipeline === 'string' ? [...pipelines].sort((a) => (a.slug === pipeline || a.id === pipeline ? -1 : 1)) : pipelines;
  for (const p of ordered) {
    const found = p.stages.find((s) => s.slug === stage || s.id === stage || s.name.toLowerCase() === stage.toLowerCase());
    if (found) return found.name;
  }
  return stage;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

export function conditionText(group: unknown): string {
  const g = group as ConditionGroup | undefined;
  if (!g || !Array.isArray(g.conditions) || g.conditions.length === 0) return '';
  const first = g.conditions[0] as ConditionRow | ConditionGroup;
  let line: string;
  if (isGroup(first)) line = `(${conditionText(first)})`;
  else if (!first.field) return '';
  else {
    const field = hasTemplate(first.field) ? text(first.field) : short(describePath(first.field, labeller));
    const op = OPERATORS[first.operator] ?? first.operator;
    line = UNARY_OPERATORS.has(first.operator) ? `${field} ${op}` : `${field} ${op} ${quoted(first.value)}`;
  }
  const more = g.conditions.length - 1;
  return more > 0 ? `${line} ${g.match === 'any' ? 'or' : 'and'} ${more} more` : line;
}

const CRM_NAMED = new Set([
  'local.recordCreated',
  'local.recordUpdated',
  'local.recordDeleted',
  'local.stageChanged',
  'local.moveStage',
  'local.createRecord',
  'local.updateRecord',
  'local.findRecords',
]);

/** Whether a step's summary names object types, pipelines or stages (and so changes with the CRM's schema). */
export function usesCrmNames(type: string): boolean {
  return CRM_NAMED.has(type);
}

export function summarize(node: WorkflowNode, type: CatalogNode | undefined, crm: CrmSchema | null, fields?: Labeller): string {
  labeller = fields;
  if (!type) return 'This step type is not available in this version.';
  const p = node.params;
  const where = (pipeline: unknown, stage: unknown) => {
    const parts = [pipelineName(crm, pipeline), stageName(crm, stage, pipeline)].filter(Boolean);
    return parts.length ? ` in ${parts.join(' › ')}` : '';
  };
  switch (type.type) {
    case 'local.recordCreated':
      return `When ${article(objectTypeName(crm, p.objectType))} is created${where(p.pipeline, p.stage)}`;
    case 'local.recordUpdated':
      return `When ${article(objectTypeName(crm, p.objectType))} changes`;
    case 'local.recordDeleted':
      return `When ${article(objectTypeName(crm, p.objectType))} is deleted`;
    case 'local.stageChanged': {
      const to = stageName(crm, p.toStage, p.pipeline);
      return `When ${article(objectTypeName(crm, p.objectType))} moves${to ? ` to ${to}` : ' stage'}`;
    }
    case 'local.contactCreated':
    case 'local.contactUpdated':
    case 'local.contactTagged': {
      const verb = type.key === 'contactCreated' ? 'is created' : type.key === 'contactUpdated' ? 'changes' : 'is tagged';
      return `When a contact ${verb}${p.tag ? ` with “${text(p.tag)}”` : ''}`;
    }
    case 'local.formSubmitted':
      return p.form ? `When “${text(p.form)}” is submitted` : 'When any form is submitted';
    case 'logic.schedule':
      return p.cron ? `On the schedule ${text(p.cron)}` : 'Choose when it runs';
    case 'logic.manual':
      return 'When you start it by hand';
    case 'local.moveStage':
      return p.stage ? `Stage → ${stageName(crm, p.stage, p.pipeline)}` : 'Choose the stage';
    case 'local.createTask': {
      if (!p.title) return 'Describe the task';
      const due = text(p.due_date);
      return `${quoted(p.title)}${due ? ` · due ${due}` : ''}`;
    }
    case 'local.tagContact':
      return p.tags ? `Add tag${Array.isArray(p.tags) && p.tags.length === 1 ? '' : 's'}: ${text(p.tags)}` : 'Choose the tags';
    case 'local.untagContact':
      return p.tags ? `Remove: ${text(p.tags)}` : 'Choose the tags';
    case 'local.createRecord':
      return `New ${objectTypeName(crm, p.type)}${p.title ? ` ${quoted(p.title)}` : ''}${where(p.pipeline, p.stage)}`;
    case 'local.updateRecord': {
      const n = p.data && typeof p.data === 'object' ? Object.keys(p.data).length : 0;
      const parts = [p.title ? `Title → ${quoted(p.title)}` : '', p.stage ? `Stage → ${stageName(crm, p.stage, p.pipeline)}` : ''];
      if (n) parts.push(`${n} field${n === 1 ? '' : 's'}`);
      return parts.filter(Boolean).join(' · ') || 'Choose what to change';
    }
    case 'local.findRecords':
      return `Find ${objectTypeName(crm, p.type)}s${p.search ? ` matching ${quoted(p.search)}` : ''}`;
    case 'logic.if':
    case 'logic.filter':
      return conditionText(p.conditions) || 'Set the conditions';
    case 'logic.switch': {
      const n = Array.isArray(p.cases) ? p.cases.length : 0;
      return `${n} case${n === 1 ? '' : 's'}, else otherwise`;
    }
    case 'logic.wait':
      if (p.mode === 'until') return p.time ? `Wait until ${text(p.time)}` : 'Choose the time';
      return p.amount
        ? `Wait ${text(p.amount)} ${Number(p.amount) === 1 ? String(p.unit ?? 'days').replace(/s$/, '') : (p.unit ?? 'days')}`
        : 'Choose how long';
    case 'logic.forEach':
      return p.items ? `Each of ${text(p.items)}` : 'Choose the list';
    case 'logic.set': {
      const keys = p.fields && typeof p.fields === 'object' ? Object.keys(p.fields) : [];
      return keys.length ? `Set ${keys.join(', ')}` : 'Add fields';
    }
    case 'logic.stopWithError':
      return p.message ? `Stop: ${quoted(p.message)}` : 'Write the message';
  }
  return genericSummary(node, type);
}

function genericSummary(node: WorkflowNode, type: CatalogNode): string {
  const props = (type.input.properties ?? {}) as Record<string, { title?: string }>;
  const req = (type.input.required ?? []) as string[];
  const keys = [...req, ...Object.keys(props).filter((k) => !req.includes(k))];
  for (const key of keys) {
    const value = text(node.params[key]);
    if (value) return `${props[key]?.title ?? key}: ${value}`;
  }
  return type.description;
}

const labellers = new Map<string, Labeller>();

/** Field titles from the trigger's event schema (cached per trigger type: every node shares one). */
export function summaryLabeller(triggerOutput: CatalogNode['output'] | undefined, key: string): Labeller {
  let found = labellers.get(key);
  if (!found) {
    found = {
      stepName: () => undefined,
      triggerName: () => undefined,
      outputSchema: (s) => (s.kind === 'trigger' ? triggerOutput : undefined),
    };
    labellers.set(key, found);
  }
  return found;
}
