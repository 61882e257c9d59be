import type { JsonSchema } from '../../src-main/shared/catalog.ts';
import type { Issue } from '../../src-main/shared/contract.ts';
import { deref, type EditorCatalog, properties } from './catalog.ts';
import type { Doc } from './doc.ts';

/**
 * The engine names steps by id (`Step "create_task"`, `"Add task" (create_task)`); operators know
 * them by the name on the canvas. Rewrites the ids in a message to those names.
 */
export function friendlyMessage(message: string, doc: Doc, catalog: EditorCatalog | null): string {
  const names = new Map(doc.nodes.map((n) => [n.id, n.name || catalog?.byType.get(n.type)?.label || n.id]));
  return message
    .replace(/"([^"]+)" \(([A-Za-z][\w-]*)\)/g, (all, name: string, id: string) => (names.has(id) ? `“${name}”` : all))
    .replace(/"([A-Za-z][\w-]*)"/g, (all, id: string) => (names.has(id) ? `“${names.get(id)}”` : all));
}

/** Also names a step's field by its label: `field "title"` → “Task”. */
export function friendlyIssues(issues: readonly Issue[], doc: Doc, catalog: EditorCatalog | null): Issue[] {
  return issues.map((issue) => {
    let message = friendlyMessage(issue.message, doc, catalog);
    const node = issue.nodeId ? doc.nodes.find((n) => n.id === issue.nodeId) : undefined;
    const input = node ? catalog?.byType.get(node.type)?.input : undefined;
    if (input) {
      message = message.replace(/field "([^"]+)"/g, (all, path: string) => {
        const title = fieldTitleOf(input, path);
        return title ? `“${title}”` : all;
      });
    }
    return { ...issue, message };
  });
}

function fieldTitleOf(input: JsonSchema, path: string): string | undefined {
  const [top, ...rest] = path.split('.');
  const prop = properties(input)[top ?? ''] ?? unionProperty(input, top ?? '');
  const title = prop ? deref(prop, input).title : undefined;
  if (typeof title !== 'string') return undefined;
  return rest.length ? `${title} (${rest.filter((p) => !/^\d+$/.test(p)).join(' ')})`.replace(' ()', '') : title;
}

function unionProperty(input: JsonSchema, key: string): JsonSchema | undefined {
  for (const option of (input.oneOf ?? input.anyOf ?? []) as JsonSchema[]) {
    const found = properties(option)[key];
    if (found) return found;
  }
  return undefined;
}
