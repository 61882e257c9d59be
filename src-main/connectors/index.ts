import { z } from 'zod';
import type { Catalog, CatalogNode, JsonSchema } from '../shared/catalog.ts';
import type { NodeTypeInfo, NodeTypeLookup } from '../shared/workflow.ts';
import { crmHttpConnector } from './crm-http.ts';
import { type ActionDefinition, actionPorts, type ConnectorDefinition, type TriggerDefinition } from './define.ts';
import { ghlConnector } from './ghl-contacts.ts';
import { httpConnector } from './http-request.ts';
import { kanbertConnector } from './kanbert.ts';
import { kanvoConnector } from './kanvo.ts';
import { konvoxConnector } from './konvox.ts';
import { localCrm } from './local-crm.ts';
import { logic } from './logic.ts';
import { webhookConnector } from './webhook.ts';

export const builtInConnectors: readonly ConnectorDefinition[] = [
  localCrm,
  logic,
  kanvoConnector,
  kanbertConnector,
  konvoxConnector,
  crmHttpConnector,
  ghlConnector,
  httpConnector,
  webhookConnector,
];

export type ResolvedNode =
  | { kind: 'action'; type: string; connector: ConnectorDefinition; action: ActionDefinition }
  | { kind: 'trigger'; type: string; connector: ConnectorDefinition; trigger: TriggerDefinition };

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return {};
  }
}

/** Every node type by its `<app>.<key>`, and the catalog the UI builds its palette and forms from. */
export class ConnectorRegistry {
  private readonly nodes = new Map<string, ResolvedNode>();
  private catalogCache: Catalog | undefined;

  constructor(readonly connectors: readonly ConnectorDefinition[] = builtInConnectors) {
    for (const connector of connectors) {
      for (const action of connector.actions) {
        this.nodes.set(`${connector.id}.${action.key}`, { kind: 'action', type: `${connector.id}.${action.key}`, connector, action });
      }
      for (const trigger of connector.triggers) {
        this.nodes.set(`${connector.id}.${trigger.key}`, { kind: 'trigger', type: `${connector.id}.${trigger.key}`, connector, trigger });
      }
    }
  }

  resolve(type: string): ResolvedNode | undefined {
    return this.nodes.get(type);
  }

  private readonly byEvent = new Map<string, string[]>();

  /** Trigger types that listen to this event name. */
  triggersFor(event: string): string[] {
    let types = this.byEvent.get(event);
    if (!types) {
      types = [];
      for (const node of this.nodes.values()) {
        if (node.kind === 'trigger' && node.trigger.events?.includes(event)) types.push(node.type);
      }
      this.byEvent.set(event, types);
    }
    return types;
  }

  readonly lookup: NodeTypeLookup = (type) => {
    const node = this.nodes.get(type);
    if (!node) return undefined;
    const info: NodeTypeInfo =
      node.kind === 'trigger'
        ? { kind: 'trigger', loop: false, needsConnection: node.connector.needsConnection, ports: () => ['main'] }
        : {
            kind: 'action',
            loop: node.action.flow === 'loop',
            needsConnection: node.connector.needsConnection,
            ports: (params) => actionPorts(node.action, params),
          };
    return info;
  };

  catalog(): Catalog {
    if (this.catalogCache) return this.catalogCache;
    const nodes: CatalogNode[] = [];
    for (const node of this.nodes.values()) {
      const base = { type: node.type, app: node.connector.id, needsConnection: node.connector.needsConnection };
      if (node.kind === 'trigger') {
        const t = node.trigger;
        nodes.push({
          ...base,
          key: t.key,
          version: t.version,
          kind: 'trigger',
          label: t.label,
          description: t.description,
          source: t.source,
          ...(t.events ? { events: [...t.events] } : {}),
          ports: ['main'],
          input: toJsonSchema(t.params, 'input'),
          output: toJsonSchema(t.output, 'output'),
          sample: t.sample,
        });
      } else {
        const a = node.action;
        nodes.push({
          ...base,
          key: a.key,
          version: a.version,
          kind: node.connector.id === 'logic' ? 'logic' : 'action',
          label: a.label,
          description: a.description,
          effect: a.effect,
          ...(a.flow ? { flow: a.flow } : {}),
          ports: typeof a.ports === 'function' ? null : actionPorts(a, {}),
          input: toJsonSchema(a.input, 'input'),
          output: toJsonSchema(a.output, 'output'),
          sample: a.sample,
        });
      }
    }
    this.catalogCache = {
      apps: this.connectors.map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        icon: c.icon,
        needsConnection: c.needsConnection,
      })),
      nodes,
    };
    return this.catalogCache;
  }
}
