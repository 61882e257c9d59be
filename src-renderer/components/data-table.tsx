import {
  type ColumnDef,
  createColumnHelper,
  createSortedRowModel,
  type RowData,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  sortFn_basic,
  sortFn_datetime,
  sortFn_text,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';

/** Column options the table reads from `meta`. */
declare module '@tanstack/react-table' {
  interface ColumnMeta<TFeatures, TData extends RowData, TValue> {
    /** Class for the column's header and cells, e.g. `pw-col-actions`, `pw-col-num`. */
    className?: string;
    /** Fixed width (CSS length). */
    width?: string;
  }
}

export const tableFeaturesSet = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text, datetime: sortFn_datetime, basic: sortFn_basic },
});
export type TableFeaturesSet = typeof tableFeaturesSet;

/** Column helper bound to the app's table features: `const col = columnHelper<Row>()`. */
export function columnHelper<T extends RowData>() {
  return createColumnHelper<TableFeaturesSet, T>();
}

// biome-ignore lint/suspicious/noExplicitAny: columns of one table have different value types.
export type TableColumns<T extends RowData> = ColumnDef<TableFeaturesSet, T, any>[];

export interface DataTableProps<T extends RowData> {
  /** Accessible name of the table, e.g. "Workflows". */
  label: string;
  data: readonly T[];
  /** Defined at module scope or memoised: a new array each render rebuilds the table. */
  columns: TableColumns<T>;
  getRowId(row: T): string;
  /** Makes rows clickable (mouse) and openable with Enter (keyboard); keep a real link in a cell too. */
  onRowClick?(row: T): void;
  initialSorting?: SortingState;
  /** Shown in place of rows when `data` is empty. */
  empty?: ReactNode;
  footer?: ReactNode;
}

/** Clicks on buttons, links and inputs inside a row do their own thing, not open the row. */
function fromControl(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('a, button, input, select, textarea, [role="switch"], [role="menuitem"]') !== null;
}

/** A sortable table in the app's style (TanStack Table for the model, our own markup). */
export function DataTable<T extends RowData>({
  label,
  data,
  columns,
  getRowId,
  onRowClick,
  initialSorting,
  empty,
  footer,
}: DataTableProps<T>) {
  const table = useTable({
    features: tableFeaturesSet,
    columns,
    data: data as T[],
    getRowId: (row) => getRowId(row),
    initialState: { sorting: initialSorting ?? [] },
    enableSortingRemoval: false,
  });
  const rows = table.getRowModel().rows;
  const columnCount = table.getAllLeafColumns().length;

  return (
    <div className="pw-table-wrap">
      <table className="pw-table" aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const sorted = header.column.getIsSorted();
                const canSort = header.column.getCanSort() && header.column.columnDef.enableSorting !== false;
                return (
                  <th
                    key={header.id}
                    className={meta?.className}
                    style={meta?.width ? { width: meta.width } : undefined}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {header.isPlaceholder ? null : canSort ? (
                      <button type="button" className="pw-sort-button" onClick={header.column.getToggleSortingHandler()}>
                        <table.FlexRender header={header} />
                        {sorted === 'asc' ? (
                          <ArrowUp size={12} aria-hidden="true" />
                        ) : sorted === 'desc' ? (
                          <ArrowDown size={12} aria-hidden="true" />
                        ) : (
                          <ArrowUpDown size={12} aria-hidden="true" style={{ opacity: 0.4 }} />
                        )}
                      </button>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 && empty ? (
            <tr>
              <td colSpan={columnCount}>{empty}</td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr
                key={row.id}
                className={onRowClick ? 'pw-row-link' : undefined}
                onClick={onRowClick ? (e: MouseEvent) => !fromControl(e.target) && onRowClick(row.original) : undefined}
                onKeyDown={
                  onRowClick
                    ? (e: KeyboardEvent) => {
                        if (e.key === 'Enter' && !fromControl(e.target)) onRowClick(row.original);
                      }
                    : undefined
                }
              >
                {row.getAllCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  return (
                    <td key={cell.id} className={meta?.className}>
                      <table.FlexRender cell={cell} />
                    </td>
                  );
                })}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {footer && <div className="pw-table-footer">{footer}</div>}
    </div>
  );
}
