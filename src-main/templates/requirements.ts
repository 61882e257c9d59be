import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Workflow, WorkflowNode } from '../shared/workflow.ts';
import { type TemplateInput, templateInputs } from './inputs.ts';
import { findNamed } from './names.ts';
import { appOf, literal, nodeFields, schemaSettings, stepName } from './node-fields.ts';

/**
 * What a template needs before it can run in an account, worked out from its steps (and from what
 * its `requires` declares): the connections, the object types, pipelines and stages each app (or
 * the local CRM) must have, custom fields, tags, and values to fill in.
 */

/** Where something must exist: the local CRM (alias null) or the app behind a connection alias. */
export interface Place {
  alias: string | null;
  app: string;
  appName: string;
}

export interface ConnectionNeed {
  alias: string;
  app: string;
  appName: string;
  label?: string;
  /** "write" when a step changes data through it, else "read". */
  access: 'read' | 'write';
  /** The scopes the template declares for it (apps name them differently). */
  scopes: string[];
  steps: string[];
}

export interface ObjectTypeNeed {
  place: Place;
  name: string;
  steps: string[];
}

export interface PipelineNeed {
  place: Place;
  /** null: the stages may be in any pipeline (a step names a stage without its pipeline). */
  pipeline: string | null;
  stages: string[];
  /** The form widget the stages come from (`stage`, or `crmStage` for an app with one pipeline). */
  stageWidget: 'stage' | 'crmStage';
  steps: string[];
}

export interface CustomFieldNeed {
  place: Place;
  /** What the fields belong to, e.g. contact. */
  on: string;
  fields: string[];
  steps: string[];
}

export interface TemplateRequirements {
  connections: ConnectionNeed[];
  objectTypes: ObjectTypeNeed[];
  pipelines: PipelineNeed[];
  customFields: CustomFieldNeed[];
  /** Tags the steps use; they are created the first time they are used. */
  tags: string[];
  inputs: TemplateInput[];
}

export const LOCAL_PLACE: Place = { alias: null, app: 'local', appName: 'the local CRM' };

/** Custom field settings of remote apps: their fields must exist there before a write can set them. */
const CUSTOM_FIELD_PARAMS = ['customFields', 'custom_fields'];

const addStep = (steps: string[], node: WorkflowNode) => {
  const name = stepName(node);
  if (!steps.includes(name)) steps.push(name);
};

const samePlace = (a: Place, b: Place) => a.alias === b.alias;

function placeOf(workflow: Workflow, node: WorkflowNode, appName: (app: string) => string): Place | undefined {
  if (appOf(node) === 'local') return LOCAL_PLACE;
  if (node.connection === undefined) return undefined;
  const app = workflow.connections[node.connection]?.app ?? appOf(node);
  return { alias: node.connection, app, appName: appName(app) };
}

/**
 * Declared requirements belong to the local CRM when the template has local steps, else to the app
 * of its first step that uses a connection.
 */
function primaryPlace(workflow: Workflow, appName: (app: string) => string): Place {
  if (workflow.nodes.some((n) => appOf(n) === 'local')) return LOCAL_PLACE;
  for (const node of workflow.nodes) {
    const place = placeOf(workflow, node, appName);
    if (place) return place;
  }
  return LOCAL_PLACE;
}

/** The stage picker an app's steps use (`crmStage` for an app with a single pipeline). */
function stageWidgetOf(registry: ConnectorRegistry, app: string): PipelineNeed['stageWidget'] {
  const types = registry.catalog().nodes.filter((n) => n.app === app);
  return types.some((t) => Object.values(nodeFields(registry, t.type)).some((f) => f.widget === 'crmStage')) ? 'crmStage' : 'stage';
}

export function templateRequirements(workflow: Workflow, registry: ConnectorRegistry): TemplateRequirements {
  const appName = (app: string) => registry.connectors.find((c) => c.id === app)?.name ?? app;
  const result: TemplateRequirements = { connections: [], objectTypes: [], pipelines: [], customFields: [], tags: [], inputs: [] };

  for (const [alias, declared] of Object.entries(workflow.connections)) {
    const steps = workflow.nodes.filter((n) => n.connection === alias);
    const writes = steps.some((n) => {
      const resolved = registry.resolve(n.type);
      return resolved?.kind === 'action' && resolved.action.effect === 'write';
    });
    result.connections.push({
      alias,
      app: declared.app,
      appName: appName(declared.app),
      ...(declared.label ? { label: declared.label } : {}),
      access: writes ? 'write' : 'read',
      scopes: declared.scopes ?? [],
      steps: steps.map(stepName),
    });
  }

  const objectType = (place: Place, name: string, node?: WorkflowNode) => {
    let need = result.objectTypes.find((o) => samePlace(o.place, place) && findNamed(name, [{ name: o.name }]));
    if (!need) {
      need = { place, name, steps: [] };
      result.objectTypes.push(need);
    }
    if (node) addStep(need.steps, node);
  };
  const pipeline = (place: Place, name: string | null, stages: string[], widget: PipelineNeed['stageWidget'], node?: WorkflowNode) => {
    let need = result.pipelines.find(
      (p) =>
        samePlace(p.place, place) && (name === null ? p.pipeline === null : p.pipeline !== null && findNamed(name, [{ name: p.pipeline }])),
    );
    if (!need) {
      need = { place, pipeline: name, stages: [], stageWidget: widget, steps: [] };
      result.pipelines.push(need);
    }
    for (const stage of stages)
      if (
        !findNamed(
          stage,
          need.stages.map((s) => ({ name: s })),
        )
      )
        need.stages.push(stage);
    if (node) addStep(need.steps, node);
  };
  const tag = (text: string) => {
    for (const t of text.split(',').map((s) => s.trim())) if (t && !result.tags.includes(t)) result.tags.push(t);
  };

  for (const node of workflow.nodes) {
    const place = placeOf(workflow, node, appName);
    const fields = nodeFields(registry, node.type);
    for (const [param, info] of Object.entries(fields)) {
      if (info.widget === 'tag') {
        const value = node.params[param];
        for (const item of Array.isArray(value) ? value : [value]) {
          const text = literal(item);
          if (text) tag(text);
        }
      }
      if (place && CUSTOM_FIELD_PARAMS.includes(param) && node.params[param] && typeof node.params[param] === 'object') {
        const names = Object.keys(node.params[param] as object);
        if (names.length) customFields(result, place, 'contact', names, node);
      }
    }
    if (!place) continue;
    const settings = schemaSettings(registry, node);
    const pipelineName = settings.find((s) => s.widget === 'pipeline')?.value ?? null;
    for (const s of settings) {
      if (s.widget === 'objectType') objectType(place, s.value, node);
      if (s.widget === 'stage' || s.widget === 'crmStage')
        pipeline(place, s.widget === 'crmStage' ? null : pipelineName, [s.value], s.widget, node);
    }
    if (pipelineName && !settings.some((s) => s.widget === 'stage')) pipeline(place, pipelineName, [], 'stage', node);
  }

  const declared = workflow.requires;
  if (declared) {
    // What the steps already need somewhere stays there; the rest belongs to the primary place.
    const primary = primaryPlace(workflow, appName);
    const widget = stageWidgetOf(registry, primary.app);
    for (const name of declared.objectTypes ?? []) {
      if (!result.objectTypes.some((o) => findNamed(name, [{ name: o.name }]))) objectType(primary, name);
    }
    for (const [name, stages] of Object.entries(declared.pipelines ?? {})) {
      const known = result.pipelines.find((p) => p.pipeline !== null && findNamed(name, [{ name: p.pipeline }]));
      if (known) pipeline(known.place, known.pipeline, stages, known.stageWidget);
      else pipeline(primary, widget === 'crmStage' ? null : name, stages, widget);
    }
    for (const [on, names] of Object.entries(declared.customFields ?? {})) {
      const known = (field: string) => result.customFields.some((c) => c.on === on && c.fields.includes(field));
      const rest = names.filter((field) => !known(field));
      if (rest.length) customFields(result, primary, on, rest);
    }
    for (const t of declared.tags ?? []) tag(t);
  }

  mergeLooseStages(result);
  result.inputs = templateInputs(workflow, registry);
  return result;
}

function customFields(result: TemplateRequirements, place: Place, on: string, names: string[], node?: WorkflowNode): void {
  let need = result.customFields.find((c) => samePlace(c.place, place) && c.on === on);
  if (!need) {
    need = { place, on, fields: [], steps: [] };
    result.customFields.push(need);
  }
  for (const name of names) if (!need.fields.includes(name)) need.fields.push(name);
  if (node) addStep(need.steps, node);
}

/** A stage named without its pipeline needs no entry of its own when a named pipeline of that app lists it. */
function mergeLooseStages(result: TemplateRequirements): void {
  for (const loose of result.pipelines.filter((p) => p.pipeline === null && p.stageWidget === 'stage')) {
    const named = result.pipelines.filter((p) => p.pipeline !== null && samePlace(p.place, loose.place));
    loose.stages = loose.stages.filter((stage) => {
      const owner = named.find((p) =>
        findNamed(
          stage,
          p.stages.map((s) => ({ name: s })),
        ),
      );
      if (owner) for (const step of loose.steps) if (!owner.steps.includes(step)) owner.steps.push(step);
      return !owner;
    });
  }
  const kept = result.pipelines.filter((p) => p.pipeline !== null || p.stages.length > 0);
  result.pipelines.splice(0, result.pipelines.length, ...kept);
}

/** Requirements in the document's own `requires` shape (object types, pipelines by name with their stages, …). */
export function requiresOf(requirements: TemplateRequirements): NonNullable<Workflow['requires']> {
  const objectTypes = requirements.objectTypes.map((o) => o.name);
  const pipelines = Object.fromEntries(
    requirements.pipelines.filter((p) => p.pipeline !== null).map((p) => [p.pipeline as string, p.stages]),
  );
  const customFields = Object.fromEntries(requirements.customFields.map((c) => [c.on, c.fields]));
  return {
    ...(objectTypes.length ? { objectTypes } : {}),
    ...(Object.keys(pipelines).length ? { pipelines } : {}),
    ...(Object.keys(customFields).length ? { customFields } : {}),
    ...(requirements.tags.length ? { tags: requirements.tags } : {}),
  };
}
