/** The catalog the renderer receives: every node type as JSON Schema plus UI hints. */

export type JsonSchema = Record<string, unknown>;

export interface CatalogApp {
  id: string;
  name: string;
  description: string;
  icon: string;
  needsConnection: boolean;
}

export interface CatalogNode {
  /** `<app>.<key>`, persisted in workflows: never renamed. */
  type: string;
  app: string;
  key: string;
  version: number;
  kind: 'trigger' | 'action' | 'logic';
  label: string;
  description: string;
  /** Actions only. */
  effect?: 'read' | 'write';
  /** Triggers only. */
  source?: string;
  events?: string[];
  flow?: 'branch' | 'loop' | 'wait';
  /** Output ports when they do not depend on params; null when they do (e.g. switch cases). */
  ports: string[] | null;
  input: JsonSchema;
  output: JsonSchema;
  sample: unknown;
  needsConnection: boolean;
}

export interface Catalog {
  apps: CatalogApp[];
  nodes: CatalogNode[];
}
