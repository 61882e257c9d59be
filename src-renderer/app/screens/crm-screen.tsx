import * as Tabs from '@radix-ui/react-tabs';
import { CheckCircle2, Circle, ClipboardList, Database, ListChecks, Plus, Users } from 'lucide-react';
import { useMemo } from 'react';
import type { MethodOutput } from '../../../src-main/shared/contract.ts';
import {
  Banner,
  Button,
  columnHelper,
  DataTable,
  EmptyState,
  formatDateTime,
  formatDay,
  formatRelative,
  formatValue,
  humanize,
  LoadingBlock,
  PageHeader,
  plural,
  SearchInput,
  SelectField,
  todayLocal,
} from '../../components/index.ts';
import { setQuery } from '../router.ts';
import { useRpc } from '../use-rpc.ts';
import { NewRecordDialog } from './new-record-dialog.tsx';

export type CrmSchema = MethodOutput<'crm.schema'>;

export interface RecordRow {
  id: string;
  title: string;
  object_type: string;
  pipeline: string | null;
  stage: string | null;
  data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

interface ContactRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  tags: string[];
  updated_at: string;
}

interface TaskRow {
  id: string;
  title: string;
  record_id: string | null;
  due_date: string | null;
  completed: boolean;
  completed_at: string | null;
  updated_at: string;
}

const TABS = ['records', 'contacts', 'tasks'] as const;
type Tab = (typeof TABS)[number];

/** Data fields worth a column: the most common ones for this type, in an order operators expect. */
const PREFERRED_FIELDS = ['email', 'phone', 'value', 'source', 'crew', 'address', 'since'];

function keyFields(rows: readonly RecordRow[], max = 3): string[] {
  const counts = new Map<string, number>();
  for (const row of rows)
    for (const [k, v] of Object.entries(row.data ?? {}))
      if (v !== null && v !== '' && typeof v !== 'object') counts.set(k, (counts.get(k) ?? 0) + 1);
  const rank = (k: string) => {
    const i = PREFERRED_FIELDS.indexOf(k);
    return i === -1 ? PREFERRED_FIELDS.length : i;
  };
  return [...counts.entries()]
    .filter(([, n]) => n >= Math.max(1, rows.length / 3))
    .sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1])
    .slice(0, max)
    .map(([k]) => k);
}

/** Closed stages read at a glance: won in green, lost in red, everything open in blue. */
function stageTone(stage: string): string {
  if (/\b(won|done|completed?|closed won)\b/i.test(stage)) return 'pw-badge--success';
  if (/\b(lost|closed lost|cancell?ed)\b/i.test(stage)) return 'pw-badge--danger';
  return 'pw-badge--info';
}

const recordCol = columnHelper<RecordRow>();

function recordColumns(fields: string[]) {
  return [
    recordCol.accessor('title', {
      header: 'Title',
      sortFn: 'text',
      cell: ({ getValue }) => (
        <span className="pw-cell-title" style={{ display: 'inline-block', minWidth: 200 }}>
          {getValue()}
        </span>
      ),
    }),
    recordCol.accessor((r) => r.stage ?? '', {
      id: 'stage',
      header: 'Stage',
      sortFn: 'text',
      cell: ({ row }) =>
        row.original.stage ? (
          <span
            className={`pw-badge ${stageTone(row.original.stage)}`}
            title={row.original.pipeline ? `Pipeline: ${row.original.pipeline}` : undefined}
          >
            {row.original.stage}
          </span>
        ) : (
          <span className="pw-zero">No stage</span>
        ),
    }),
    ...fields.map((field) =>
      recordCol.accessor((r) => formatValue(r.data?.[field]), {
        id: `data.${field}`,
        header: humanize(field),
        sortFn: 'alphanumeric',
        cell: ({ row }) => {
          const value = row.original.data?.[field];
          const text = formatValue(value);
          return (
            <span className={typeof value === 'number' || text.length <= 24 ? 'pw-nowrap' : 'pw-clamp-2'} title={text}>
              {text}
            </span>
          );
        },
      }),
    ),
    recordCol.accessor('updated_at', {
      header: 'Updated',
      sortFn: 'text',
      cell: ({ getValue }) => (
        <span className="pw-muted pw-nowrap" title={formatDateTime(getValue())}>
          {formatRelative(getValue())}
        </span>
      ),
    }),
  ];
}

function RecordsTab({ schema, type, search }: { schema: CrmSchema; type: string; search: string }) {
  const records = useRpc(
    'crm.records',
    { type, limit: 500, ...(search ? { search } : {}) },
    { refreshOn: ['crm.changed'], keepPrevious: true },
  );
  const rows = (records.data?.rows ?? []) as unknown as RecordRow[];
  const fieldsKey = keyFields(rows).join(',');
  const columns = useMemo(() => recordColumns(fieldsKey ? fieldsKey.split(',') : []), [fieldsKey]);
  const typeInfo = schema.objectTypes.find((t) => t.slug === type);
  const typeName = typeInfo?.name ?? humanize(type);

  return (
    <>
      <div className="pw-toolbar">
        <SelectField
          label="Object type"
          value={type}
          onChange={(e) => setQuery({ type: e.target.value, q: null })}
          options={schema.objectTypes.map((t) => ({ value: t.slug, label: t.name }))}
        />
        <SearchInput
          label={`Search ${typeName.toLowerCase()} records`}
          placeholder="Search by title"
          value={search}
          onChange={(q) => setQuery({ q })}
        />
        <div className="pw-toolbar-spacer" />
        {records.data && (
          <span className="pw-muted" style={{ paddingBottom: 8 }}>
            {plural(records.data.total, `${typeName.toLowerCase()} record`)}
          </span>
        )}
      </div>
      {records.error && (
        <Banner tone="danger" title="The records could not be loaded">
          {records.error}
        </Banner>
      )}
      {records.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading records…" />
        </div>
      ) : (
        <DataTable
          label={`${typeName} records`}
          data={rows}
          columns={columns}
          getRowId={(r) => r.id}
          initialSorting={[{ id: 'updated_at', desc: true }]}
          empty={
            <EmptyState
              compact
              icon={<Database size={24} />}
              title={search ? `No ${typeName.toLowerCase()} records match "${search}"` : `No ${typeName.toLowerCase()} records yet`}
              description={
                search ? 'Check the spelling or clear the search.' : 'Records you add, and records your workflows create, appear here.'
              }
            />
          }
        />
      )}
    </>
  );
}

const contactCol = columnHelper<ContactRow>();
const contactColumns = [
  contactCol.accessor('name', {
    header: 'Name',
    sortFn: 'text',
    cell: ({ getValue }) => <span className="pw-cell-title">{getValue() || 'Unnamed contact'}</span>,
  }),
  contactCol.accessor((c) => c.email ?? '', {
    id: 'email',
    header: 'Email',
    sortFn: 'text',
    cell: ({ getValue }) => (getValue() ? <span className="pw-clamp">{getValue()}</span> : <span className="pw-zero">—</span>),
  }),
  contactCol.accessor((c) => c.phone ?? '', {
    id: 'phone',
    header: 'Phone',
    cell: ({ getValue }) => (getValue() ? <span className="pw-nowrap">{getValue()}</span> : <span className="pw-zero">—</span>),
    meta: { width: '140px' },
  }),
  contactCol.accessor((c) => c.tags.join(', '), {
    id: 'tags',
    header: 'Tags',
    sortFn: 'text',
    cell: ({ row }) =>
      row.original.tags.length ? (
        <ul className="pw-chips" aria-label="Tags" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {row.original.tags.map((tag) => (
            <li key={tag} className="pw-chip">
              {tag}
            </li>
          ))}
        </ul>
      ) : (
        <span className="pw-zero">No tags</span>
      ),
  }),
];

function ContactsTab({ search, tag, tags }: { search: string; tag: string; tags: string[] }) {
  const contacts = useRpc(
    'crm.contacts',
    { limit: 500, ...(search ? { search } : {}), ...(tag ? { tag } : {}) },
    { refreshOn: ['crm.changed'], keepPrevious: true },
  );
  const rows = (contacts.data?.rows ?? []) as unknown as ContactRow[];
  return (
    <>
      <div className="pw-toolbar">
        <SelectField
          label="Tag"
          value={tag}
          onChange={(e) => setQuery({ tag: e.target.value })}
          options={tags.map((t) => ({ value: t, label: t }))}
          placeholder="Any tag"
        />
        <SearchInput label="Search contacts" placeholder="Search by name or email" value={search} onChange={(q) => setQuery({ q })} />
        <div className="pw-toolbar-spacer" />
        {contacts.data && (
          <span className="pw-muted" style={{ paddingBottom: 8 }}>
            {plural(rows.length, 'contact')}
          </span>
        )}
      </div>
      {contacts.error && (
        <Banner tone="danger" title="The contacts could not be loaded">
          {contacts.error}
        </Banner>
      )}
      {contacts.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading contacts…" />
        </div>
      ) : (
        <DataTable
          label="Contacts"
          data={rows}
          columns={contactColumns}
          getRowId={(c) => c.id}
          initialSorting={[{ id: 'name', desc: false }]}
          empty={
            <EmptyState
              compact
              icon={<Users size={24} />}
              title={search || tag ? 'No contacts match' : 'No contacts yet'}
              description={search || tag ? 'Try another search or tag.' : 'Contacts your workflows create or tag appear here.'}
            />
          }
        />
      )}
    </>
  );
}

const taskCol = columnHelper<TaskRow & { recordTitle: string | null; overdue: boolean }>();
const taskColumns = [
  taskCol.accessor('title', {
    header: 'Task',
    sortFn: 'text',
    cell: ({ row }) => <span className={row.original.completed ? 'pw-done' : 'pw-cell-title'}>{row.original.title}</span>,
  }),
  taskCol.accessor((t) => t.due_date ?? '9999', {
    id: 'due',
    header: 'Due',
    sortFn: 'text',
    cell: ({ row }) => {
      const t = row.original;
      if (!t.due_date) return <span className="pw-zero">No due date</span>;
      return (
        <span className={t.overdue ? 'pw-overdue pw-nowrap' : 'pw-nowrap'} title={t.overdue ? 'Overdue' : undefined}>
          {formatDay(t.due_date)}
          {t.overdue && <span className="pw-sr-only"> (overdue)</span>}
        </span>
      );
    },
    meta: { width: '150px' },
  }),
  taskCol.accessor((t) => t.recordTitle ?? '', {
    id: 'record',
    header: 'Linked record',
    sortFn: 'text',
    cell: ({ row }) =>
      row.original.recordTitle ? (
        <span className="pw-clamp-2" title={row.original.recordTitle}>
          {row.original.recordTitle}
        </span>
      ) : (
        <span className="pw-zero">—</span>
      ),
  }),
  taskCol.accessor('completed', {
    header: 'Done',
    cell: ({ row }) =>
      row.original.completed ? (
        <span className="pw-with-icon pw-checkmark" style={{ gap: 6 }}>
          <CheckCircle2 size={16} aria-hidden="true" /> Done
        </span>
      ) : (
        <span className="pw-with-icon pw-muted" style={{ gap: 6 }}>
          <Circle size={16} aria-hidden="true" /> Open
        </span>
      ),
    meta: { width: '110px' },
  }),
];

function TasksTab({ show }: { show: string }) {
  const completed = show === 'done' ? true : show === 'all' ? undefined : false;
  const tasks = useRpc('crm.tasks', completed === undefined ? {} : { completed }, { refreshOn: ['crm.changed'], keepPrevious: true });
  const records = useRpc('crm.records', { limit: 500 }, { refreshOn: ['crm.changed'] });
  const rows = useMemo(() => {
    const titles = new Map(((records.data?.rows ?? []) as unknown as RecordRow[]).map((r) => [r.id, r.title]));
    const today = todayLocal();
    return ((tasks.data?.rows ?? []) as unknown as TaskRow[]).map((t) => ({
      ...t,
      recordTitle: t.record_id ? (titles.get(t.record_id) ?? null) : null,
      overdue: !t.completed && t.due_date !== null && t.due_date.slice(0, 10) < today,
    }));
  }, [tasks.data, records.data]);
  const overdue = rows.filter((t) => t.overdue).length;
  return (
    <>
      <div className="pw-toolbar">
        <SelectField
          label="Show"
          value={show || 'open'}
          onChange={(e) => setQuery({ show: e.target.value === 'open' ? null : e.target.value })}
          options={[
            { value: 'open', label: 'Open tasks' },
            { value: 'done', label: 'Done tasks' },
            { value: 'all', label: 'All tasks' },
          ]}
        />
        <div className="pw-toolbar-spacer" />
        {tasks.data && (
          <span className="pw-muted" style={{ paddingBottom: 8 }}>
            {plural(rows.length, 'task')}
            {overdue > 0 && <span className="pw-overdue"> · {overdue} overdue</span>}
          </span>
        )}
      </div>
      {tasks.error && (
        <Banner tone="danger" title="The tasks could not be loaded">
          {tasks.error}
        </Banner>
      )}
      {tasks.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading tasks…" />
        </div>
      ) : (
        <DataTable
          label="Tasks"
          data={rows}
          columns={taskColumns}
          getRowId={(t) => t.id}
          initialSorting={[{ id: 'due', desc: false }]}
          empty={
            <EmptyState
              compact
              icon={<ListChecks size={24} />}
              title={show === 'done' ? 'No finished tasks yet' : 'No open tasks'}
              description="Tasks your workflows add, like follow-up calls, appear here."
            />
          }
        />
      )}
    </>
  );
}

export function CrmScreen({ query }: { query: URLSearchParams }) {
  const schema = useRpc('crm.schema', {}, { refreshOn: ['crm.changed'], keepPrevious: true });
  const tabParam = query.get('tab');
  const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'records';
  const search = query.get('q') ?? '';
  const type = query.get('type') ?? schema.data?.objectTypes[0]?.slug ?? '';
  const newOpen = query.get('new') === 'record';

  return (
    <div className="pw-page">
      <PageHeader
        title="CRM"
        description="The local CRM your workflows read and change: records by type, contacts and tasks. Check here what an automation did."
        actions={
          <Button variant="primary" icon={<Plus size={16} />} onClick={() => setQuery({ new: 'record' })} disabled={!schema.data}>
            New record
          </Button>
        }
      />

      {schema.error && !schema.data && (
        <Banner tone="danger" title="The CRM could not be loaded">
          {schema.error}
        </Banner>
      )}

      {schema.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading the CRM…" />
        </div>
      ) : schema.data ? (
        <Tabs.Root
          value={tab}
          onValueChange={(value) => setQuery({ tab: value === 'records' ? null : value, q: null, tag: null, show: null })}
        >
          <Tabs.List className="pw-tabs-list" aria-label="CRM data">
            <Tabs.Trigger className="pw-tab" value="records">
              <ClipboardList size={16} aria-hidden="true" /> Records
            </Tabs.Trigger>
            <Tabs.Trigger className="pw-tab" value="contacts">
              <Users size={16} aria-hidden="true" /> Contacts
            </Tabs.Trigger>
            <Tabs.Trigger className="pw-tab" value="tasks">
              <ListChecks size={16} aria-hidden="true" /> Tasks
            </Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content className="pw-tab-panel" value="records">
            {schema.data.objectTypes.length === 0 ? (
              <div className="pw-card">
                <EmptyState
                  icon={<Database size={24} />}
                  title="No object types yet"
                  description="Object types (like Lead or Job) organise your records."
                />
              </div>
            ) : (
              <RecordsTab schema={schema.data} type={type} search={search} />
            )}
          </Tabs.Content>
          <Tabs.Content className="pw-tab-panel" value="contacts">
            <ContactsTab search={search} tag={query.get('tag') ?? ''} tags={schema.data.tags} />
          </Tabs.Content>
          <Tabs.Content className="pw-tab-panel" value="tasks">
            <TasksTab show={query.get('show') ?? ''} />
          </Tabs.Content>
        </Tabs.Root>
      ) : null}

      {schema.data && (
        <NewRecordDialog
          open={newOpen}
          onOpenChange={(open) => setQuery({ new: open ? 'record' : null })}
          schema={schema.data}
          defaultType={type}
          onCreated={(record) => setQuery({ new: null, tab: null, type: record.object_type, q: null })}
        />
      )}
    </div>
  );
}
