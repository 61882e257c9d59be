import { KeyRound } from 'lucide-react';
import { useEffect } from 'react';
import { Button, EmptyState, Toaster, TooltipProvider } from '../components/index.ts';
import { EditorScreen } from '../editor/editor-screen.tsx';
import { rpc } from '../rpc.ts';
import { ErrorBoundary } from './error-boundary.tsx';
import { Nav } from './nav.tsx';
import { type Location, navigate, useLocation } from './router.ts';
import { ConnectionsScreen } from './screens/connections-screen.tsx';
import { CrmScreen } from './screens/crm-screen.tsx';
import { EventsScreen, readEventsFilters } from './screens/events-screen.tsx';
import { RunDetailScreen } from './screens/run-detail-screen.tsx';
import { RunsScreen, readRunsFilters } from './screens/runs-screen.tsx';
import { SettingsScreen } from './screens/settings-screen.tsx';
import { TemplateDetailScreen, TemplatesScreen } from './screens/templates-screen.tsx';
import { ImportWizardHost, TemplateDropZone } from './screens/templates-wizard.tsx';
import { WorkflowsScreen } from './screens/workflows-screen.tsx';
import { errorMessage, useAppStore } from './store.ts';

function Screen({ location }: { location: Location }) {
  const { route, query } = location;
  switch (route.name) {
    case 'workflows':
      return <WorkflowsScreen search={query.get('q') ?? ''} />;
    case 'editor':
      return <EditorScreen key={route.workflowId ?? 'new'} workflowId={route.workflowId} onExit={() => navigate('#/workflows')} />;
    case 'runs':
      return <RunsScreen filters={readRunsFilters(query)} />;
    case 'run':
      return <RunDetailScreen runId={route.runId} />;
    case 'events':
      return <EventsScreen filters={readEventsFilters(query)} />;
    case 'crm':
      return <CrmScreen query={query} />;
    case 'connections':
      return <ConnectionsScreen />;
    case 'templates':
      return <TemplatesScreen query={query} />;
    case 'template':
      return <TemplateDetailScreen key={route.templateId} templateId={route.templateId} />;
    case 'settings':
      return <SettingsScreen />;
    case 'notFound':
      return (
        <div className="pw-page">
          <div className="pw-card">
            <EmptyState
              title="This page does not exist"
              description={`There is nothing at "${route.path}". It may have been a link to something that was removed.`}
              actions={
                <Button variant="primary" onClick={() => navigate('#/workflows')}>
                  Go to workflows
                </Button>
              }
            />
          </div>
        </div>
      );
  }
}

/** Shown when the server refused the session token (opened without the printed link, or after a restart). */
function Unauthorized() {
  return (
    <div className="pw-fullpage">
      <div className="pw-fullpage-card" role="alert">
        <div className="pw-empty-icon">
          <KeyRound size={24} aria-hidden="true" />
        </div>
        <h1>Open Pipewright from its link</h1>
        <p>
          Open Pipewright from the link printed by <code>pipewright serve</code>. For your security, this page only works with that link: it
          carries a key for this session.
        </p>
        <p>Copy the link from the terminal where Pipewright is running and open it here. If you restarted Pipewright, use the new link.</p>
      </div>
    </div>
  );
}

export function App() {
  const location = useLocation();
  const unauthorized = useAppStore((s) => s.unauthorized);
  const setAppInfo = useAppStore((s) => s.setAppInfo);

  useEffect(() => {
    if (!window.location.hash || window.location.hash === '#' || window.location.hash === '#/') navigate('#/workflows', { replace: true });
  }, []);

  useEffect(() => {
    rpc
      .call('app.info', {})
      .then(setAppInfo)
      .catch((err: unknown) => {
        // Also flags a refused token, which switches to the Unauthorized page.
        console.warn('app.info failed:', errorMessage(err));
      });
  }, [setAppInfo]);

  if (unauthorized) return <Unauthorized />;

  const fullBleed = location.route.name === 'editor';
  return (
    <TooltipProvider delayDuration={400}>
      <div className="pw-shell">
        <Nav route={location.route} />
        <main className={fullBleed ? 'pw-main pw-main--full' : 'pw-main'} id="main">
          <ErrorBoundary resetKey={window.location.hash.split('?')[0]}>
            <Screen location={location} />
          </ErrorBoundary>
        </main>
      </div>
      <ImportWizardHost />
      <TemplateDropZone />
      <Toaster />
    </TooltipProvider>
  );
}
