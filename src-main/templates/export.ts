import type { App } from '../app.ts';
import { apiProfiles } from '../connectors/http.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Workflow } from '../shared/workflow.ts';
import { placeholderHint } from './inputs.ts';
import { appOf, isTemplateText } from './node-fields.ts';
import { requiresOf, templateRequirements } from './requirements.ts';

/**
 * A saved workflow as a template to share: each connection it uses is an alias with its app (the
 * account's connections and keys stay behind), anything that looks like a credential typed into a
 * step becomes a value to fill in on import, and `requires` lists what its steps need. Step and
 * workflow ids are kept, so an import and a new export give the same document.
 */

export interface ExportedTemplate {
  template: Workflow;
  /** Fields whose values looked like credentials and were replaced by a value to fill in (`step.field`). */
  removedSecrets: string[];
}

const SECRET_FIELD =
  /^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|token|secret|client[-_]?secret|password)$/i;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/i;

function looksLikeSecret(value: string): boolean {
  if (BEARER.test(value)) return true;
  return apiProfiles().some((profile) =>
    (profile.secretPatterns ?? []).some((pattern) => new RegExp(pattern.source, pattern.flags.replace('g', '')).test(value)),
  );
}

function scrub(value: unknown, path: string[], removed: string[], key?: string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => scrub(item, [...path, String(i)], removed));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, [...path, k], removed, k)]));
  }
  if (typeof value !== 'string' || isTemplateText(value) || placeholderHint(value) !== undefined) return value;
  const namedSecret = key !== undefined && SECRET_FIELD.test(key) && value.trim() !== '';
  if (!namedSecret && !looksLikeSecret(value)) return value;
  removed.push(path.join('.'));
  return `<your ${key && SECRET_FIELD.test(key) ? key : 'API key'} (removed on export)>`;
}

/** The template of a workflow document (pure: the document is not changed). */
export function toTemplate(workflow: Workflow, registry: ConnectorRegistry): ExportedTemplate {
  const template = structuredClone(workflow);
  const removedSecrets: string[] = [];
  for (const node of template.nodes) {
    if (node.connection !== undefined) template.connections[node.connection] ??= { app: appOf(node) };
    node.params = scrub(node.params, [node.id], removedSecrets) as Record<string, unknown>;
  }
  const requires = requiresOf(templateRequirements(template, registry));
  if (Object.keys(requires).length) template.requires = requires;
  else delete template.requires;
  return { template, removedSecrets };
}

/** A saved workflow (its current version, or `version`) as a template. */
export function exportTemplate(app: App, workflowId: string, version?: number): ExportedTemplate {
  const doc = app.workflows.document(workflowId, version);
  if (!doc) {
    throw new Error(
      version === undefined ? `There is no workflow "${workflowId}".` : `The workflow "${workflowId}" has no version ${version}.`,
    );
  }
  return toTemplate(doc, app.registry);
}
