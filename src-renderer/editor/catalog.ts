import type { Catalog, CatalogApp, CatalogNode, JsonSchema } from '../../src-main/shared/catalog.ts';
import type { NodeTypeLookup, WorkflowNode } from '../../src-main/shared/workflow.ts';

/** The catalog as the editor uses it: indexed by type and app, with the port rules of the engine. */
export interface EditorCatalog {
  apps: CatalogApp[];
  nodes: CatalogNode[];
  byType: Map<string, CatalogNode>;
  appById: Map<string, CatalogApp>;
  lookup: NodeTypeLookup;
}

export function indexCatalog(raw: { apps: unknown[]; nodes: unknown[] }): EditorCatalog {
  const catalog = raw as unknown as Catalog;
  const byType = new Map(catalog.nodes.map((n) => [n.type, n]));
  const appById = new Map(catalog.apps.map((a) => [a.id, a]));
  const lookup: NodeTypeLookup = (type) => {
    const node = byType.get(type);
    if (!node) return undefined;
    return {
      kind: node.kind === 'trigger' ? 'trigger' : 'action',
      loop: node.flow === 'loop',
      needsConnection: node.needsConnection,
      ports: (params) => basePorts(node, params),
    };
  };
  return { apps: catalog.apps, nodes: catalog.nodes, byType, appById, lookup };
}

/** Output ports for these params, not counting "error" (mirrors the engine's rules). */
export function basePorts(type: CatalogNode | undefined, params: Record<string, unknown>): string[] {
  if (!type) return ['main'];
  if (type.ports) return type.ports;
  // Ports that depend on params: switch cases, then "otherwise".
  const cases = Array.isArray(params.cases) ? (params.cases as { port?: unknown }[]) : [];
  return [...cases.map((c) => String(c.port ?? '')).filter(Boolean), 'otherwise'];
}

export function portsOf(node: Pick<WorkflowNode, 'params' | 'onError'>, type: CatalogNode | undefined): string[] {
  const ports = basePorts(type, node.params);
  return node.onError === 'errorPort' ? [...ports, 'error'] : ports;
}

const PORT_LABELS: Record<string, string> = {
  true: 'Yes',
  false: 'No',
  each: 'Each item',
  done: 'When done',
  otherwise: 'Otherwise',
  error: 'If it fails',
};

/** The words shown beside an output handle; the default output has none. */
export function portLabel(port: string, type?: CatalogNode, params?: Record<string, unknown>): string {
  if (port === 'main') return 'Next';
  if (type?.type === 'logic.switch' && Array.isArray(params?.cases)) {
    const match = (params.cases as { port?: string; label?: string }[]).find((c) => c.port === port);
    if (match?.label) return match.label;
  }
  return PORT_LABELS[port] ?? port;
}

/** Resolves `$ref`s against the root schema's `$defs` (zod's JSON Schema uses local refs only). */
export function deref(schema: JsonSchema | undefined, root: JsonSchema): JsonSchema {
  let current = schema ?? {};
  for (let i = 0; i < 8 && typeof current.$ref === 'string'; i++) {
    const ref = current.$ref as string;
    const name = ref.replace(/^#\/\$defs\//, '');
    const target = (root.$defs as Record<string, JsonSchema> | undefined)?.[name];
    if (!target) break;
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

export function schemaType(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  return t as string | undefined;
}

export function properties(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
}

export function required(schema: JsonSchema): string[] {
  return (schema.required as string[] | undefined) ?? [];
}

/** The branches of a discriminated union (e.g. a wait "for a duration" or "until a time"). */
export function unionVariants(schema: JsonSchema): { key: string; variants: { value: string; schema: JsonSchema }[] } | undefined {
  const options = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (!Array.isArray(options) || options.length < 2) return undefined;
  let key: string | undefined;
  const variants: { value: string; schema: JsonSchema }[] = [];
  for (const option of options) {
    const props = properties(option);
    const found = Object.entries(props).find(([, p]) => typeof p.const === 'string');
    if (!found) return undefined;
    if (key && key !== found[0]) return undefined;
    key = found[0];
    variants.push({ value: found[1].const as string, schema: option });
  }
  return key ? { key, variants } : undefined;
}

/** Sensible starting params for a new step: schema defaults, and one empty row where a list must not be empty. */
export function defaultParams(type: CatalogNode): Record<string, unknown> {
  const root = type.input;
  const union = unionVariants(root);
  if (union) {
    const first = union.variants[0];
    if (!first) return {};
    return { ...defaultsFor(first.schema, root), [union.key]: first.value };
  }
  return defaultsFor(root, root);
}

function defaultsFor(schema: JsonSchema, root: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const req = required(schema);
  for (const [key, raw] of Object.entries(properties(schema))) {
    const prop = deref(raw, root);
    if (prop.const !== undefined) continue;
    if (prop.default !== undefined) out[key] = structuredClone(prop.default);
    else if (prop.widget === 'conditions' && req.includes(key)) out[key] = emptyConditions();
    else if (key === 'amount' && schemaType(prop) === 'number') out[key] = 1;
    else if (schemaType(prop) === 'array' && req.includes(key) && schemaType(deref(prop.items as JsonSchema, root)) === 'object') {
      out[key] = [defaultArrayItem(prop, root, 1)];
    }
  }
  return out;
}

export function emptyConditions() {
  return { match: 'all', conditions: [{ field: '', operator: 'eq', value: '' }] };
}

/** A new entry for a list of objects (e.g. a switch case named "case-2"). */
export function defaultArrayItem(arraySchema: JsonSchema, root: JsonSchema, index: number): Record<string, unknown> {
  const item = deref(arraySchema.items as JsonSchema, root);
  const out = defaultsFor(item, root);
  const props = properties(item);
  for (const [key, raw] of Object.entries(props)) {
    const prop = deref(raw, root);
    if (prop.widget === 'conditions' && out[key] === undefined) out[key] = emptyConditions();
    if (key === 'port' && typeof prop.pattern === 'string') out[key] = `case-${index}`;
  }
  return out;
}
