import { KeyRound, Plug } from 'lucide-react';
import { useMemo } from 'react';
import type { CatalogApp } from '../../../src-main/shared/catalog.ts';
import type { MethodOutput } from '../../../src-main/shared/contract.ts';
import { Banner, columnHelper, DataTable, EmptyState, LoadingBlock, PageHeader, plural } from '../../components/index.ts';
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
];

export function ConnectionsScreen() {
  const connections = useRpc('connections.list', {});
  const catalog = useRpc('catalog.get', {});
  const rows = useMemo<Connection[]>(() => {
    const apps = new Map(((catalog.data?.apps ?? []) as CatalogApp[]).map((a) => [a.id, a.name]));
    return (connections.data ?? []).map((c) => ({ ...c, appName: apps.get(c.app) ?? c.app }));
  }, [connections.data, catalog.data]);

  return (
    <div className="pw-page">
      <PageHeader
        title="Connections"
        description="The accounts your workflows use to reach other apps, such as a remote CRM. Keys are stored encrypted and never shown in full."
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
            description="Workflows that only use the local CRM need no connection. To reach another app, add a connection from a terminal for now; adding them here is coming soon."
          >
            <code className="pw-cli">pipewright connections add …</code>
            <p className="pw-field-help">
              Run <code>pipewright --help</code> to see the options. New connections appear here.
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
    </div>
  );
}
