import * as Popover from '@radix-ui/react-popover';
import { Command } from 'cmdk';
import { Plus } from 'lucide-react';
import { createContext, type ReactNode, useContext, useState } from 'react';
import type { DataSource } from './data-sources.ts';
import { AppIcon } from './icons.tsx';
import type { Labeller } from './templates.ts';

/** The data of earlier steps, for the step being edited. */
export interface PickerData {
  nodeId: string;
  sources: DataSource[];
  labeller: Labeller;
}

export const PickerContext = createContext<PickerData>({
  nodeId: '',
  sources: [],
  labeller: { stepName: () => undefined, triggerName: () => undefined, outputSchema: () => undefined },
});

export function usePicker(): PickerData {
  return useContext(PickerContext);
}

/** A searchable list of the fields of every earlier step; picking one calls `onPick(path)`. */
export function DataPicker(props: { onPick(path: string): void; children?: ReactNode; label?: string; listsOnly?: boolean }) {
  const { sources } = usePicker();
  const [open, setOpen] = useState(false);
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        {props.children ?? (
          <button
            type="button"
            className="pw-ed-data-button"
            aria-label={props.label ?? 'Insert data from an earlier step'}
            title="Insert data from an earlier step"
          >
            <Plus size={12} aria-hidden="true" /> Data
          </button>
        )}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          data-testid="data-picker"
          className="pw-ed-popover pw-ed-picker"
          side="bottom"
          align="end"
          sideOffset={6}
          collisionPadding={12}
        >
          <Command label="Data from earlier steps" loop filter={matchWords}>
            <Command.Input className="pw-ed-picker__search" placeholder="Search data from earlier steps…" autoFocus />
            <Command.List className="pw-ed-picker__list">
              <Command.Empty className="pw-ed-picker__empty">
                {sources.length <= 1 ? 'Connect this step to earlier steps to use their data.' : 'No field matches. Try another word.'}
              </Command.Empty>
              {sources.map((source) => (
                <Command.Group
                  key={source.key}
                  heading={
                    <span className="pw-ed-picker__heading">
                      {source.type && (
                        <span className="pw-ed-picker__icon">
                          <AppIcon app={source.app} type={source.type} size={13} />
                        </span>
                      )}
                      <span className="pw-ed-picker__source">{source.name}</span>
                      {source.type && (
                        <span className="pw-ed-picker__origin">
                          {source.fromRun ? 'from the last test' : source.fromCrm ? 'from your CRM' : 'example data'}
                        </span>
                      )}
                    </span>
                  }
                >
                  {source.fields
                    .filter((f) => !props.listsOnly || f.isList)
                    .map((field) => (
                      <Command.Item
                        key={field.path}
                        value={`${source.key}:${field.path}`}
                        keywords={[source.name, field.label]}
                        className="pw-ed-picker__item"
                        onSelect={() => {
                          props.onPick(field.path);
                          setOpen(false);
                        }}
                      >
                        <span className="pw-ed-picker__label">{field.label}</span>
                        <span className="pw-ed-picker__preview">{field.preview}</span>
                      </Command.Item>
                    ))}
                </Command.Group>
              ))}
            </Command.List>
          </Command>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

/** Every typed word must appear in the step's name or the field's label (paths mean nothing to operators). */
function matchWords(_value: string, search: string, keywords?: string[]): number {
  const text = (keywords ?? []).join(' ').toLowerCase();
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((w) => text.includes(w)) ? 1 : 0;
}
