import * as Popover from '@radix-ui/react-popover';
import { Command } from 'cmdk';
import { Search } from 'lucide-react';
import { type DragEvent, useMemo } from 'react';
import type { CatalogApp, CatalogNode } from '../../src-main/shared/catalog.ts';
import { AppIcon } from './icons.tsx';
import { addStep, useEditor } from './store.ts';

/** The step catalog as a searchable list: Triggers, Actions (by app) and Logic. */

export const DRAG_MIME = 'application/x-pipewright-step';

interface Group {
  key: string;
  heading: string;
  items: CatalogNode[];
}

function groupsOf(nodes: CatalogNode[], apps: Map<string, CatalogApp>, triggersFirst: boolean, includeTriggers: boolean): Group[] {
  const groups = new Map<string, Group>();
  for (const node of nodes) {
    if (!includeTriggers && node.kind === 'trigger') continue;
    const app = apps.get(node.app);
    const kind = node.kind === 'trigger' ? 'Triggers' : node.kind === 'logic' ? 'Logic' : 'Actions';
    const appName = node.app === 'logic' ? 'Built-in' : (app?.name ?? node.app);
    const key = node.kind === 'logic' ? 'logic' : `${node.kind}:${node.app}`;
    const heading = node.kind === 'logic' ? 'Logic' : `${kind} · ${appName}`;
    const group = groups.get(key) ?? { key, heading, items: [] };
    group.items.push(node);
    groups.set(key, group);
  }
  const rank = (g: Group) => (g.key.startsWith('trigger') ? (triggersFirst ? 0 : 3) : g.key === 'logic' ? 2 : 1);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

export function StepList(props: {
  onPick(type: string): void;
  draggable?: boolean;
  includeTriggers?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
}) {
  const catalog = useEditor((s) => s.catalog);
  const hasTrigger = useEditor((s) => s.doc.nodes.some((n) => s.catalog?.byType.get(n.type)?.kind === 'trigger'));
  const groups = useMemo(
    () => (catalog ? groupsOf(catalog.nodes, catalog.appById, !hasTrigger, props.includeTriggers ?? true) : []),
    [catalog, hasTrigger, props.includeTriggers],
  );
  const onDragStart = (type: string) => (e: DragEvent<HTMLDivElement>) => {
    e.dataTransfer.setData(DRAG_MIME, type);
    e.dataTransfer.setData('text/plain', type);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    // A new (or removed) trigger reorders the groups: start the list afresh at its top.
    <Command key={hasTrigger ? 'with-trigger' : 'no-trigger'} label="Steps" className="pw-ed-steplist" loop>
      <div className="pw-ed-steplist__search">
        <Search size={14} aria-hidden="true" />
        <Command.Input placeholder={props.placeholder ?? 'Search steps…'} autoFocus={props.autoFocus} />
      </div>
      <Command.List className="pw-ed-steplist__list">
        <Command.Empty className="pw-ed-steplist__empty">No step matches. Try “task”, “tag” or “if”.</Command.Empty>
        {groups.map((group) => (
          <Command.Group key={group.key} heading={group.heading} className="pw-ed-steplist__group">
            {group.items.map((node) => {
              const disabled = node.kind === 'trigger' && hasTrigger;
              return (
                <Command.Item
                  key={node.type}
                  value={`${group.heading} ${node.label} ${node.description}`}
                  className={`pw-ed-steplist__item${disabled ? ' is-muted' : ''}`}
                  onSelect={() => props.onPick(node.type)}
                  draggable={props.draggable}
                  onDragStart={props.draggable ? onDragStart(node.type) : undefined}
                  data-step-type={node.type}
                  title={disabled ? 'A workflow has one trigger. Delete the current trigger to use this one.' : node.description}
                >
                  <span className={`pw-ed-steplist__icon pw-ed-steplist__icon--${node.kind}`}>
                    <AppIcon app={catalog?.appById.get(node.app)} type={node} />
                  </span>
                  <span className="pw-ed-steplist__text">
                    <span className="pw-ed-steplist__label">{node.label}</span>
                    <span className="pw-ed-steplist__desc">{node.description}</span>
                  </span>
                </Command.Item>
              );
            })}
          </Command.Group>
        ))}
      </Command.List>
    </Command>
  );
}

export function Palette(props: { onAdd(type: string): void }) {
  return (
    <nav className="pw-ed-palette" aria-label="Steps you can add">
      <div className="pw-ed-palette__head">
        <h2>Add a step</h2>
        <p>Drag a step onto the canvas, or click it to add it after the selected step.</p>
      </div>
      <StepList onPick={props.onAdd} draggable />
    </nav>
  );
}

/** The list that opens from a step's "+": the chosen step is added and connected to that output. */
export function InsertMenu() {
  const insert = useEditor((s) => s.insert);
  const close = () => useEditor.setState({ insert: null });
  const anchor = useMemo(
    () =>
      insert
        ? {
            getBoundingClientRect: () =>
              DOMRect.fromRect({ x: insert.rect.x, y: insert.rect.y, width: insert.rect.width, height: insert.rect.height }),
          }
        : null,
    [insert],
  );
  return (
    <Popover.Root open={insert !== null} onOpenChange={(open) => !open && close()}>
      {anchor && <Popover.Anchor virtualRef={{ current: anchor }} />}
      <Popover.Portal>
        <Popover.Content
          data-testid="insert-menu"
          className="pw-ed-popover pw-ed-insert"
          side="right"
          align="start"
          sideOffset={8}
          collisionPadding={12}
        >
          <StepList
            autoFocus
            includeTriggers={false}
            placeholder="What happens next?"
            onPick={(type) => {
              if (insert) addStep(type, null, { nodeId: insert.nodeId, port: insert.port });
              close();
            }}
          />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
