import { KeyRound, Pencil, Plug, Plus, Trash2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { CatalogApp } from '../../../src-main/shared/catalog.ts';
import type { ConnectionUser } from '../../../src-main/shared/contract.ts';
import {
  Banner,
  Button,
  ConfirmDialog,
  ConnectionForm,
  ConnectionTestButton,
  columnHelper,
  DataTable,
  Dialog,
  type EditableConnection,
  EmptyState,
  IconButton,
  LoadingBlock,
  PageHeader,
  plural,
  StatusBadge,
  toast,
} from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { workflowHref } from '../router.ts';
import { reportError } from '../store.ts';
import { useRpc } from '../use-rpc.ts';

type Connection = EditableConnection & { appName: string };

const AUTH_LABELS: Record<string, string> = { bearer: 'Bearer token', apiKey: 'API key', oauth: 'OAuth' };

interface Actions {
  edit(connection: Connection): void;
  askRemove(connection: Connection): void;
  /** The connection whose users are being looked up before the remove dialog opens. */
  checking: string | null;
}

/** “A”, “A and B”, “A, B and C”. */
function wordList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const quoted = (users: readonly ConnectionUser[]) => wordList(users.map((u) => `“${u.name}”`));

const col = columnHelper<Connection>();
const buildColumns = (actions: Actions) => [
  col.accessor('appName', {
    header: 'App',
    sortFn: 'text',
    cell: ({ row }) => (
      <span className="pw-with-icon">
        <span className="pw-app-icon" aria-hidden="true">
          {row.original.appName.slice(0, 2)}
        </span>
        <span className="pw-cell-title">{row.original.appName}</span>
      </span>
    ),
    meta: { width: '190px' },
  }),
  col.accessor('name', {
    header: 'Name',
    sortFn: 'text',
    cell: ({ getValue }) => <span className="pw-mono pw-nowrap">{getValue()}</span>,
  }),
  col.accessor((c) => c.baseUrl ?? '', {
    id: 'baseUrl',
    header: 'Base URL',
    sortFn: 'text',
    cell: ({ getValue }) =>
      getValue() ? (
        <span className="pw-clamp pw-mono" style={{ overflowWrap: 'anywhere' }} title={getValue()}>
          {getValue()}
        </span>
      ) : (
        <span className="pw-zero">App default</span>
      ),
  }),
  col.accessor('auth', {
    header: 'Key',
    enableSorting: false,
    cell: ({ row }) => {
      const c = row.original;
      return (
        <div>
          {c.hasSecret ? (
            <span className="pw-with-icon" style={{ gap: 6 }}>
              <KeyRound size={14} aria-hidden="true" className="pw-muted" />
              <span className="pw-mono" aria-hidden="true">
                ••••••{c.secretHint ?? ''}
              </span>
              <span className="pw-sr-only">{c.secretHint ? `Key ending in ${c.secretHint}` : 'Key stored'}</span>
            </span>
          ) : (
            <span className="pw-badge pw-badge--warning">No key stored</span>
          )}
          <div className="pw-cell-sub">{AUTH_LABELS[c.auth] ?? c.auth}</div>
        </div>
      );
    },
    meta: { width: '180px' },
  }),
  col.display({
    id: 'test',
    header: () => <span className="pw-sr-only">Test</span>,
    cell: ({ row }) => <ConnectionTestButton name={row.original.name} />,
    meta: { width: '240px' },
  }),
  col.display({
    id: 'actions',
    header: () => <span className="pw-sr-only">Actions</span>,
    cell: ({ row }) => {
      const c = row.original;
      return (
        <div className="pw-row-actions">
          <Button size="sm" variant="ghost" icon={<Pencil size={14} />} onClick={() => actions.edit(c)} aria-label={`Edit ${c.name}`}>
            Edit
          </Button>
          <IconButton
            size="sm"
            label={`Remove ${c.name}`}
            icon={<Trash2 size={15} />}
            loading={actions.checking === c.name}
            onClick={() => actions.askRemove(c)}
          />
        </div>
      );
    },
    meta: { className: 'pw-col-actions' },
  }),
];

/** Asks before removing; a connection that live workflows use cannot go until they are turned off. */
function RemoveConnectionDialog(props: {
  target: { connection: Connection; users: ConnectionUser[] } | null;
  open: boolean;
  onOpenChange(open: boolean): void;
  onConfirm(): Promise<void>;
}) {
  const { target, open, onOpenChange } = props;
  if (!target) return null;
  const { connection, users } = target;
  const live = users.filter((u) => u.status === 'live');
  if (live.length > 0) {
    const one = live.length === 1;
    return (
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={`“${connection.name}” is in use`}
        description={`Turn off ${quoted(live)} first: ${one ? 'it is' : 'they are'} live and ${one ? 'uses' : 'use'} this connection. Then you can remove it.`}
        width={440}
        footer={
          <Button variant="primary" onClick={() => onOpenChange(false)} autoFocus>
            OK
          </Button>
        }
      >
        <ul className="pw-conn-users" aria-label="Live workflows using it">
          {live.map((w) => (
            <li key={w.id}>
              <a className="pw-cell-title" href={workflowHref(w.id)}>
                {w.name}
              </a>
              <StatusBadge status={w.status} />
            </li>
          ))}
        </ul>
      </Dialog>
    );
  }
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Remove “${connection.name}”?`}
      description={`The ${connection.appName} connection and its stored key are deleted from this computer. This cannot be undone.`}
      confirmLabel="Remove connection"
      onConfirm={props.onConfirm}
    >
      {users.length > 0 && (
        <Banner tone="warning" title="These workflows will need another connection:">
          <ul className="pw-conn-users" aria-label="Workflows using it">
            {users.map((w) => (
              <li key={w.id}>
                <span className="pw-cell-title">{w.name}</span>
                <StatusBadge status={w.status} />
              </li>
            ))}
          </ul>
          <p className="pw-conn-users-note">Their {connection.appName} steps cannot run until you choose another connection for them.</p>
        </Banner>
      )}
    </ConfirmDialog>
  );
}

export function ConnectionsScreen() {
  const connections = useRpc('connections.list', {});
  const catalog = useRpc('catalog.get', {});
  const apps = useRpc('connections.apps', {});
  const [adding, setAdding] = useState(false);
  // Kept while a dialog closes, so its words stay until it is gone; `opened` gives each opening a fresh form.
  const [editing, setEditing] = useState<{ connection: Connection; opened: number } | null>(null);
  const [editOpen, setEditOpen] = useState(false);
  const [removing, setRemoving] = useState<{ connection: Connection; users: ConnectionUser[] } | null>(null);
  const [removeOpen, setRemoveOpen] = useState(false);
  const [checking, setChecking] = useState<string | null>(null);
  const { reload } = connections;
  const addButton = (
    <Button variant="primary" icon={<Plus size={16} />} onClick={() => setAdding(true)} disabled={!apps.data}>
      Add connection
    </Button>
  );
  const rows = useMemo<Connection[]>(() => {
    const apps = new Map(((catalog.data?.apps ?? []) as CatalogApp[]).map((a) => [a.id, a.name]));
    return (connections.data ?? []).map((c) => ({ ...c, appName: apps.get(c.app) ?? c.app }));
  }, [connections.data, catalog.data]);

  const columns = useMemo(
    () =>
      buildColumns({
        checking,
        edit: (connection) => {
          setEditing({ connection, opened: Date.now() });
          setEditOpen(true);
        },
        // Which workflows use it decides what the dialog says, so it is looked up first.
        askRemove: async (connection) => {
          setChecking(connection.name);
          try {
            const users = await rpc.call('connections.usage', { name: connection.name });
            setRemoving({ connection, users });
            setRemoveOpen(true);
          } catch (err) {
            reportError(`Could not check which workflows use “${connection.name}”`, err);
          } finally {
            setChecking(null);
          }
        },
      }),
    [checking],
  );

  const remove = async (connection: Connection) => {
    let removed: ConnectionUser[];
    try {
      removed = (await rpc.call('connections.remove', { name: connection.name })).workflows;
    } catch (err) {
      // E.g. a workflow went live meanwhile: the message names it.
      reportError(`Could not remove “${connection.name}”`, err);
      throw err;
    }
    toast.success(`Connection “${connection.name}” removed`, {
      description: removed.length
        ? `Its stored key was deleted. ${quoted(removed)} ${removed.length === 1 ? 'needs' : 'need'} another ${connection.appName} connection.`
        : 'Its stored key was deleted too.',
    });
    await reload();
  };

  return (
    <div className="pw-page">
      <PageHeader
        title="Connections"
        description="The accounts your workflows use to reach other apps, such as a remote CRM. Keys are stored encrypted and never shown in full."
        actions={addButton}
      />
      {connections.error && (
        <Banner tone="danger" title="The connections could not be loaded">
          {connections.error}
        </Banner>
      )}
      {connections.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading connections…" />
        </div>
      ) : rows.length === 0 ? (
        <div className="pw-card">
          <EmptyState
            icon={<Plug size={26} />}
            title="No connections yet"
            description="Workflows that only use the local CRM need no connection. To reach another app, such as Kanvo or GHL, add a connection with its API key."
            actions={addButton}
          >
            <p className="pw-field-help">
              Or from a terminal: <code className="pw-cli">pipewright connections add …</code>
            </p>
          </EmptyState>
        </div>
      ) : (
        <>
          <span className="pw-muted">{plural(rows.length, 'connection')}</span>
          <DataTable
            label="Connections"
            data={rows}
            columns={columns}
            getRowId={(c) => c.name}
            initialSorting={[{ id: 'appName', desc: false }]}
          />
        </>
      )}
      <Dialog
        open={adding}
        onOpenChange={setAdding}
        title="Add a connection"
        description="Connect an app with its API key. The key is stored encrypted on this computer."
        width={560}
      >
        {apps.data && (
          <ConnectionForm
            apps={apps.data}
            takenNames={rows.map((r) => r.name)}
            onCancel={() => setAdding(false)}
            onSaved={(saved) => {
              setAdding(false);
              toast.success(`Connection “${saved.name}” added`, { description: 'Use “Test connection” to check that the key works.' });
              void connections.reload();
            }}
          />
        )}
      </Dialog>
      <Dialog
        open={editOpen}
        onOpenChange={setEditOpen}
        title="Edit connection"
        description="Workflows that use this connection pick up the changes from their next step on."
        width={560}
      >
        {apps.data && editing && (
          <ConnectionForm
            key={editing.opened}
            apps={apps.data}
            connection={editing.connection}
            onCancel={() => setEditOpen(false)}
            onSaved={(saved) => {
              setEditOpen(false);
              const moved = saved.baseUrl !== editing.connection.baseUrl;
              toast.success(`Connection “${saved.name}” updated`, {
                description: moved && saved.baseUrl ? `It now reaches ${saved.baseUrl}.` : undefined,
              });
              void reload();
            }}
          />
        )}
      </Dialog>
      <RemoveConnectionDialog
        target={removing}
        open={removeOpen}
        onOpenChange={setRemoveOpen}
        onConfirm={() => (removing ? remove(removing.connection) : Promise.resolve())}
      />
    </div>
  );
}
