/** Shared UI building blocks. Styles live in ../styles.css (variables documented at its top). */
export { Banner, type BannerProps } from './banner.tsx';
export { Button, type ButtonProps, type ButtonVariant, IconButton, type IconButtonProps } from './button.tsx';
export {
  type ConnectionApp,
  ConnectionForm,
  type ConnectionFormProps,
  ConnectionTestButton,
  type EditableConnection,
  type SavedConnection,
} from './connection-form.tsx';
export { CopyButton, type CopyButtonProps, copyText } from './copy-button.tsx';
export { columnHelper, DataTable, type DataTableProps, type TableColumns } from './data-table.tsx';
export { ConfirmDialog, type ConfirmDialogProps, Dialog, type DialogProps } from './dialog.tsx';
export { EmptyState, type EmptyStateProps } from './empty-state.tsx';
export { EventStatusBadge, type EventStatusBadgeProps, eventStatusHint, eventStatusLabel } from './event-status-badge.tsx';
export { SelectField, type SelectFieldProps, type SelectOption, TextField, type TextFieldProps } from './field.tsx';
export * from './format.ts';
export { JsonView, type JsonViewProps } from './json-view.tsx';
export { ActionMenu, type ActionMenuProps, type MenuItem } from './menu.tsx';
export { PageHeader, type PageHeaderProps } from './page-header.tsx';
export { RecordDiffView, type RecordDiffViewProps } from './record-diff-view.tsx';
export { SearchInput, type SearchInputProps } from './search-input.tsx';
export { LoadingBlock, Spinner, type SpinnerProps } from './spinner.tsx';
export { StatusBadge, type StatusBadgeProps, statusLabel, TestRunBadge } from './status-badge.tsx';
export { Toaster, toast } from './toast.tsx';
export { Tooltip, type TooltipProps, TooltipProvider } from './tooltip.tsx';
export { needsPublicAddress, triggerProblem } from './trigger-problem.ts';
