import { KeyRound, Plug, Plus } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { CatalogApp } from '../../../src-main/shared/catalog.ts';
import type { MethodOutput } from '../../../src-main/shared/contract.ts';
import {
  Banner,
  Button,
  ConnectionForm,
  ConnectionTestButton,
  columnHelper,
  DataTable,
  Dialog,
  EmptyState,
  LoadingBlock,
  PageHeader,
  plural,
  toast,
} from '../../components/index.ts';
import { useRpc } from '../use-rpc.ts';

type Connection = MethodOutput<'connections.list'>[number] & { appName: string };

const AUTH_LABELS: Record<string, string> = { bearer: 'Bearer token', apiKey: 'API key', oauth: 'OAuth' };

const col = columnHelper<Connection>();
const columns = [
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
    meta: { width: '220px' },
  }),
  col.accessor('name', {
    header: 'Name',
    sortFn: 'text',
    cell: ({ getValue }) => <span className="pw-mono">{getValue()}</span>,
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
    meta: { width: '200px' },
  }),
  col.display({
    id: 'test',
    header: () => <span className="pw-sr-only">Test</span>,
    cell: ({ row }) => <ConnectionTestButton name={row.original.name} />,
    meta: { width: '320px' },
  }),
];

export function ConnectionsScreen() {
  const connections = useRpc('connections.list', {});
  const catalog = useRpc('catalog.get', {});
  const apps = useRpc('connections.apps', {});
  const [adding, setAdding] = useState(false);
  const addButton = (
    <Button variant="primary" icon={<Plus size={16} />} onClick={() => setAdding(true)} disabled={!apps.data}>
      Add connection
    </Button>
  );
  const rows = useMemo<Connection[]>(() => {
    const apps = new Map(((catalog.data?.apps ?? []) as CatalogApp[]).map((a) => [a.id, a.name]));
    return (connections.data ?? []).map((c) => ({ ...c, appName: apps.get(c.app) ?? c.app }));
  }, [connections.data, catalog.data]);

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
    </div>
  );
}
