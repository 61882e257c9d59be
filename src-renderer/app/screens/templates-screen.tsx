import { ArrowRight, Blocks, Database, KeyRound, LayoutTemplate, ListChecks, PenLine, Tag, Zap } from 'lucide-react';
import { useMemo } from 'react';
import type { TemplateRequirements, TemplateSummary } from '../../../src-main/shared/contract.ts';
import type { Workflow } from '../../../src-main/shared/workflow.ts';
import { Banner, Button, EmptyState, LoadingBlock, PageHeader, plural, SearchInput } from '../../components/index.ts';
import { indexCatalog } from '../../editor/catalog.ts';
import { href, navigate, setQuery } from '../router.ts';
import { useRpc } from '../use-rpc.ts';
import { TemplatePreview } from './templates-preview.tsx';
import { ImportTemplateButtons, openImportWizard } from './templates-wizard.tsx';

/** The template gallery (`#/templates`) and one template's page (`#/templates/<id>`). */

export function templateHref(id: string): string {
  return href(`templates/${encodeURIComponent(id)}`);
}

function matches(t: TemplateSummary, needle: string): boolean {
  if (!needle) return true;
  const text = [t.name, t.description, t.category, t.trigger, ...t.apps.map((a) => a.name)].join(' ').toLowerCase();
  return needle
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

/** Local CRM steps need no connection: say so instead of naming an "app". */
function appLabel(app: { id: string; name: string }): string {
  return app.id === 'local' ? 'Local CRM' : app.name;
}

function AppChips({ apps }: { apps: TemplateSummary['apps'] }) {
  if (apps.length === 0) return <span className="pw-chip">No apps</span>;
  return (
    <span className="pw-tpl-apps">
      {apps.map((app) => (
        <span key={app.id} className="pw-tpl-app" title={appLabel(app)}>
          <span className="pw-tpl-app-icon" aria-hidden="true">
            {app.id === 'local' ? <Database size={12} /> : app.name.slice(0, 2)}
          </span>
          {appLabel(app)}
        </span>
      ))}
    </span>
  );
}

export function TemplatesScreen({ query }: { query: URLSearchParams }) {
  const list = useRpc('templates.list', {});
  const search = query.get('q') ?? '';
  const category = query.get('category') ?? '';
  const all = list.data ?? [];
  const categories = useMemo(() => {
    const counts = new Map<string, number>();
    for (const t of all) counts.set(t.category, (counts.get(t.category) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
  }, [all]);
  const shown = all.filter((t) => (!category || t.category === category) && matches(t, search.trim()));

  return (
    <div className="pw-page">
      <PageHeader
        title="Templates"
        description="Ready-made automations. Pick one, connect your apps, and test it before it goes live."
        actions={<ImportTemplateButtons />}
      />
      {list.error && (
        <Banner tone="danger" title="The templates could not be loaded">
          {list.error}
        </Banner>
      )}
      {list.loading ? (
        <div className="pw-card">
          <LoadingBlock label="Loading templates…" />
        </div>
      ) : all.length === 0 && !list.error ? (
        <div className="pw-card">
          <EmptyState
            icon={<LayoutTemplate size={26} />}
            title="No templates here yet"
            description="This installation has no bundled templates. You can still import a template file someone shared with you."
            actions={<ImportTemplateButtons />}
          />
        </div>
      ) : (
        <>
          <div className="pw-toolbar" style={{ alignItems: 'center' }}>
            <SearchInput
              label="Search templates"
              placeholder="Search templates"
              value={search}
              onChange={(value) => setQuery({ q: value })}
            />
            <fieldset className="pw-tpl-filter" aria-label="Category">
              <button type="button" className="pw-tpl-filter-chip" aria-pressed={!category} onClick={() => setQuery({ category: null })}>
                All <span className="pw-tpl-filter-count">{all.length}</span>
              </button>
              {categories.map(([name, count]) => (
                <button
                  key={name}
                  type="button"
                  className="pw-tpl-filter-chip"
                  aria-pressed={category === name}
                  onClick={() => setQuery({ category: category === name ? null : name })}
                >
                  {name} <span className="pw-tpl-filter-count">{count}</span>
                </button>
              ))}
            </fieldset>
            <div className="pw-toolbar-spacer" />
            <span className="pw-muted" aria-live="polite">
              {plural(shown.length, 'template')}
            </span>
          </div>
          {shown.length === 0 ? (
            <div className="pw-card">
              <EmptyState
                compact
                title={search ? `No templates match “${search}”` : 'No templates in this category'}
                description="Check the spelling, or show every template."
                actions={<Button onClick={() => setQuery({ q: null, category: null })}>Show all templates</Button>}
              />
            </div>
          ) : (
            <ul className="pw-tpl-grid" aria-label="Templates">
              {shown.map((t) => (
                <li key={t.id}>
                  <a className="pw-tpl-card" href={templateHref(t.id)} aria-label={t.name}>
                    <span className="pw-tpl-card-category">{t.category}</span>
                    <span className="pw-tpl-card-name">{t.name}</span>
                    <span className="pw-tpl-card-description">{t.description}</span>
                    <span className="pw-tpl-card-footer">
                      <AppChips apps={t.apps} />
                      <span className="pw-tpl-card-meta">{plural(t.nodeCount, 'step')}</span>
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

export function TemplateDetailScreen({ templateId }: { templateId: string }) {
  const got = useRpc('templates.get', { template: templateId });
  const catalog = useRpc('catalog.get', {});
  const indexed = useMemo(
    () => (catalog.data ? indexCatalog(catalog.data as { apps: unknown[]; nodes: unknown[] }) : null),
    [catalog.data],
  );
  const back = { href: '#/templates', label: 'All templates' };

  if (got.loading)
    return (
      <div className="pw-page">
        <PageHeader title="Template" back={back} />
        <div className="pw-card">
          <LoadingBlock label="Opening the template…" />
        </div>
      </div>
    );
  if (!got.data)
    return (
      <div className="pw-page">
        <PageHeader title="Template" back={back} />
        <div className="pw-card">
          <EmptyState
            icon={<LayoutTemplate size={26} />}
            title="This template could not be opened"
            description={got.error}
            actions={<Button onClick={() => navigate('#/templates')}>Back to templates</Button>}
          />
        </div>
      </div>
    );

  const { summary, requirements } = got.data;
  const workflow = got.data.document as Workflow;
  return (
    <div className="pw-page pw-tpl-detail">
      <PageHeader
        title={summary.name}
        back={back}
        badges={<span className="pw-badge pw-badge--info">{summary.category}</span>}
        description={summary.description}
        actions={
          <Button variant="primary" icon={<ArrowRight size={16} />} onClick={() => openImportWizard({ template: templateId })}>
            Use template
          </Button>
        }
      />
      <div className="pw-tpl-detail-grid">
        <section className="pw-card pw-tpl-detail-canvas" aria-label="What it does">
          <div className="pw-card-header">
            <div>
              <h2>What it does</h2>
              <p>
                Starts with <strong>{summary.trigger || 'its trigger'}</strong> · {plural(summary.nodeCount, 'step')}. A read-only preview:
                you can change everything after importing.
              </p>
            </div>
          </div>
          <TemplatePreview workflow={workflow} catalog={indexed} />
        </section>
        <Needs requirements={requirements} apps={summary.apps} />
      </div>
    </div>
  );
}

function Needs({ requirements, apps }: { requirements: TemplateRequirements; apps: TemplateSummary['apps'] }) {
  const local = (place: { alias: string | null; appName: string }) => (place.alias === null ? 'Local CRM' : place.appName);
  return (
    <aside className="pw-card pw-tpl-needs" aria-label="What it needs">
      <div className="pw-card-header">
        <h2>What it needs</h2>
      </div>
      <div className="pw-card-body pw-tpl-needs-body">
        <div>
          <h3>
            <Blocks size={14} aria-hidden="true" /> Apps
          </h3>
          <AppChips apps={apps} />
        </div>
        {requirements.connections.length > 0 && (
          <div>
            <h3>
              <KeyRound size={14} aria-hidden="true" /> Connections
            </h3>
            <ul>
              {requirements.connections.map((c) => (
                <li key={c.alias}>
                  A {c.appName} connection that {c.access === 'write' ? 'reads and changes data' : 'reads data'}
                  {c.scopes.length > 0 && <span className="pw-muted"> (key with {c.scopes.join(', ')})</span>}
                </li>
              ))}
            </ul>
          </div>
        )}
        {(requirements.objectTypes.length > 0 || requirements.pipelines.length > 0) && (
          <div>
            <h3>
              <ListChecks size={14} aria-hidden="true" /> In your CRM
            </h3>
            <ul>
              {requirements.objectTypes.map((o) => (
                <li key={`t:${o.place.alias}:${o.name}`}>
                  The object type “{o.name}” <span className="pw-muted">({local(o.place)})</span>
                </li>
              ))}
              {requirements.pipelines.map((p) => (
                <li key={`p:${p.place.alias}:${p.pipeline}`}>
                  {p.pipeline ? `The pipeline “${p.pipeline}”` : 'Stages'}
                  {p.stages.length > 0 && ` with ${p.stages.map((s) => `“${s}”`).join(', ')}`}{' '}
                  <span className="pw-muted">({local(p.place)})</span>
                </li>
              ))}
            </ul>
            <p className="pw-field-help">Named differently in your account? You can map them when you import.</p>
          </div>
        )}
        {requirements.inputs.length > 0 && (
          <div>
            <h3>
              <PenLine size={14} aria-hidden="true" /> You fill in
            </h3>
            <ul>
              {requirements.inputs.map((i) => (
                <li key={i.key}>
                  {i.field}: {i.hint}
                </li>
              ))}
            </ul>
          </div>
        )}
        {requirements.tags.length > 0 && (
          <div>
            <h3>
              <Tag size={14} aria-hidden="true" /> Tags
            </h3>
            <span className="pw-chips">
              {requirements.tags.map((t) => (
                <span key={t} className="pw-chip">
                  {t}
                </span>
              ))}
            </span>
          </div>
        )}
        <p className="pw-tpl-needs-note">
          <Zap size={14} aria-hidden="true" /> It is imported as a draft and does nothing until you turn it on.
        </p>
      </div>
    </aside>
  );
}
