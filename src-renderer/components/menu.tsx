import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Ellipsis } from 'lucide-react';
import type { ReactNode } from 'react';
import { IconButton } from './button.tsx';

export interface MenuItem {
  label: string;
  icon?: ReactNode;
  onSelect(): void;
  danger?: boolean;
  disabled?: boolean;
  /** Draw a separator above this item. */
  separatorBefore?: boolean;
}

export interface ActionMenuProps {
  /** Accessible name of the trigger, e.g. `More actions for "Lead follow-up"`. */
  label: string;
  items: readonly MenuItem[];
  trigger?: ReactNode;
}

/** A "⋯" button opening a short list of actions. */
export function ActionMenu({ label, items, trigger }: ActionMenuProps) {
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild>{trigger ?? <IconButton label={label} icon={<Ellipsis size={16} />} noTooltip />}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="pw-menu" align="end" sideOffset={4}>
          {items.map((item) => (
            <div key={item.label}>
              {item.separatorBefore && <DropdownMenu.Separator className="pw-menu-separator" />}
              <DropdownMenu.Item
                className={`pw-menu-item${item.danger ? ' pw-menu-item--danger' : ''}`}
                disabled={item.disabled}
                onSelect={() => item.onSelect()}
              >
                {item.icon}
                {item.label}
              </DropdownMenu.Item>
            </div>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
