import { CircleAlert, Copy, Trash2, X } from 'lucide-react';
import { useId, useMemo } from 'react';
import type { Issue } from '../../src-main/shared/contract.ts';
import type { WorkflowNode } from '../../src-main/shared/workflow.ts';
import { PickerContext, type PickerData } from './data-picker.tsx';
import { dataSources, makeLabeller } from './data-sources.ts';
import { updateNode } from './doc.ts';
import { FieldFrame, issuesFor, ObjectFields } from './form-fields.tsx';
import { AppIcon } from './icons.tsx';
import { deleteElements, editDoc, selectOnly, setNodeField, setParam, useEditor, withConnection } from './store.ts';
import { ValueView } from './value-view.tsx';

/** The settings of the selected step: a form generated from its input schema. */

const ON_ERROR = [
  { value: 'stop', label: 'Stop the run' },
  { value: 'continue', label: 'Carry on with the next steps' },
  { value: 'errorPort', label: 'Follow the “If it fails” path' },
] as const;

export function SidePanel(props: { nodeId: string; onDuplicate(): void }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === props.nodeId));
  if (!node) return null;
  return <StepPanel key={node.id} node={node} onDuplicate={props.onDuplicate} />;
}

function StepPanel(props: { node: WorkflowNode; onDuplicate(): void }) {
  const { node } = props;
  const catalog = useEditor((s) => s.catalog);
  const doc = useEditor((s) => s.doc);
  const run = useEditor((s) => s.run);
  const triggerSample = useEditor((s) => s.triggerSample);
  const issues = useEditor((s) => s.issuesByNode[node.id]) ?? [];
  const type = catalog?.byType.get(node.type);
  const app = type ? catalog?.appById.get(type.app) : undefined;
  const nameId = useId();
  const errId = useId();
  const retryId = useId();

  const picker: PickerData = useMemo(
    () => ({ nodeId: node.id, sources: dataSources(doc, catalog, run, node.id, triggerSample), labeller: makeLabeller(doc, catalog) }),
    [doc, catalog, run, node.id, triggerSample],
  );
  const general = issues.filter((i) => !i.field || (i.field !== 'connection' && !isParamIssue(i.field, type?.input)));
  const paramIssues = issues.filter((i) => !general.includes(i));
  const steps = run?.steps.filter((s) => s.nodeId === node.id) ?? [];
  const lastStep = steps[steps.length - 1];

  return (
    <aside className="pw-ed-panel" aria-label="Step settings" data-testid="side-panel">
      <header className="pw-ed-panel__head">
        <span className="pw-ed-panel__icon">
          <AppIcon app={app} type={type} size={18} />
        </span>
        <div className="pw-ed-panel__titles">
          <h2 className="pw-ed-panel__title">{type?.label ?? 'Unknown step'}</h2>
          <p className="pw-ed-panel__subtitle">{type?.description ?? `The step type “${node.type}” is not available in this version.`}</p>
        </div>
        <button
          type="button"
          className="pw-button pw-button--ghost pw-button--sm pw-icon-button"
          aria-label="Close the step settings"
          onClick={() => selectOnly([])}
        >
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      <PickerContext.Provider value={picker}>
        <div className="pw-ed-panel__body">
          {general.length > 0 && (
            <div className="pw-ed-callout pw-ed-callout--error" role="alert">
              <CircleAlert size={16} aria-hidden="true" />
              <ul>
                {general.map((i) => (
                  <li key={i.message}>{i.message}</li>
                ))}
              </ul>
            </div>
          )}
          <FieldFrame id={nameId} label="Step name" help="How this step is called on the canvas and in run history." required issues={[]}>
            <input
              id={nameId}
              className="pw-input"
              value={node.name ?? ''}
              placeholder={type?.label}
              maxLength={120}
              onChange={(e) =>
                setNodeField(
                  node.id,
                  (n) => {
                    const { name: _old, ...rest } = n;
                    return e.target.value ? { ...rest, name: e.target.value } : rest;
                  },
                  `${node.id}:name`,
                )
              }
            />
          </FieldFrame>
          {type?.needsConnection && <ConnectionField node={node} app={type.app} appName={app?.name ?? type.app} issues={issues} />}
          {type && (
            <section className="pw-ed-panel__section" aria-label="Settings">
              <ObjectFields
                schema={type.input}
                root={type.input}
                value={node.params}
                issues={paramIssues}
                path=""
                onChange={(key, value) => setParam(node.id, key, value)}
                replace={(params) => setNodeField(node.id, (n) => ({ ...n, params }))}
              />
            </section>
          )}
          {type && type.kind !== 'trigger' && (
            <section className="pw-ed-panel__section">
              <h3 className="pw-ed-panel__heading">If something goes wrong</h3>
              <FieldFrame
                id={errId}
                label="When this step fails"
                help="Stop the run, carry on, or follow the step's “If it fails” path."
                required
                issues={issuesFor(issues, 'onError')}
              >
                <select
                  id={errId}
                  className="pw-select"
                  value={node.onError ?? 'stop'}
                  onChange={(e) =>
                    setNodeField(node.id, (n) => {
                      const { onError: _old, ...rest } = n;
                      return e.target.value === 'stop' ? rest : { ...rest, onError: e.target.value as WorkflowNode['onError'] };
                    })
                  }
                >
                  {ON_ERROR.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </FieldFrame>
              <FieldFrame
                id={retryId}
                label="Try again"
                help="How many times to try the step before treating it as failed; waits longer between tries."
                required
                issues={issuesFor(issues, 'retry')}
              >
                <select
                  id={retryId}
                  className="pw-select"
                  value={String(node.retry?.maxAttempts ?? 1)}
                  onChange={(e) =>
                    setNodeField(node.id, (n) => {
                      const attempts = Number(e.target.value);
                      const { retry, ...rest } = n;
                      return attempts === 1 ? rest : { ...rest, retry: { ...retry, maxAttempts: attempts } };
                    })
                  }
                >
                  <option value="1">Don't try again</option>
                  {[2, 3, 4, 5].map((n) => (
                    <option key={n} value={n}>
                      Up to {n} tries
                    </option>
                  ))}
                </select>
              </FieldFrame>
              <label className="pw-ed-switch">
                <input
                  type="checkbox"
                  checked={node.disabled === true}
                  onChange={(e) =>
                    setNodeField(node.id, (n) => {
                      const { disabled: _old, ...rest } = n;
                      return e.target.checked ? { ...rest, disabled: true } : rest;
                    })
                  }
                />
                <span>Turn this step off (runs pass it by)</span>
              </label>
            </section>
          )}
          {lastStep && (
            <section className="pw-ed-panel__section" aria-label="Last test">
              <h3 className="pw-ed-panel__heading">In the last test</h3>
              {lastStep.error && <p className="pw-field-error">{lastStep.error}</p>}
              {lastStep.input !== undefined && (
                <details className="pw-ed-details">
                  <summary>What it received</summary>
                  <ValueView value={lastStep.input} />
                </details>
              )}
              {lastStep.output !== undefined && (
                <details className="pw-ed-details" open>
                  <summary>What it produced{lastStep.simulated ? ' (simulated)' : ''}</summary>
                  <ValueView value={lastStep.output} />
                </details>
              )}
            </section>
          )}
        </div>
      </PickerContext.Provider>
      <footer className="pw-ed-panel__foot">
        <button type="button" className="pw-button pw-button--ghost" onClick={props.onDuplicate}>
          <Copy size={14} aria-hidden="true" /> Duplicate
        </button>
        <button type="button" className="pw-button pw-button--ghost pw-ed-danger-text" onClick={() => deleteElements([node.id], [])}>
          <Trash2 size={14} aria-hidden="true" /> Delete step
        </button>
      </footer>
    </aside>
  );
}

/** The account a step of another app uses: chosen from the connections set up for that app. */
function ConnectionField(props: { node: WorkflowNode; app: string; appName: string; issues: Issue[] }) {
  const id = useId();
  const connections = useEditor((s) => s.connections);
  const accounts = (connections ?? []).filter((c) => c.app === props.app);
  const alias = props.node.connection ?? '';
  const known = accounts.some((a) => a.name === alias);
  const none = connections !== null && accounts.length === 0;
  const help = none
    ? `No ${props.appName} account is set up yet. Add one under Connections; this step will use it.`
    : accounts.length > 1 || !known
      ? `Which ${props.appName} account this step uses.`
      : `This step uses your ${props.appName} account “${alias}”.`;
  return (
    <FieldFrame id={id} label="Account" help={help} required issues={issuesFor(props.issues, 'connection')}>
      <select
        id={id}
        className="pw-select"
        value={alias}
        aria-invalid={none || undefined}
        onChange={(e) => {
          const name = e.target.value;
          editDoc((doc) =>
            withConnection(
              updateNode(doc, props.node.id, (n) => ({ ...n, connection: name })),
              name,
              props.app,
            ),
          );
        }}
      >
        {!known && <option value={alias}>{none ? `${props.appName} (not set up yet)` : alias || 'Choose…'}</option>}
        {accounts.map((a) => (
          <option key={a.name} value={a.name}>
            {a.name}
            {a.baseUrl ? ` — ${a.baseUrl}` : ''}
          </option>
        ))}
      </select>
      {none && (
        <a className="pw-ed-link" href="#/connections">
          Set up a {props.appName} connection
        </a>
      )}
    </FieldFrame>
  );
}

/** Whether an issue's field names one of the step's params (the engine reports params by their own name). */
function isParamIssue(field: string, input: Record<string, unknown> | undefined): boolean {
  const top = field.split('.')[0] ?? '';
  const props = (input?.properties ?? {}) as Record<string, unknown>;
  return top in props || ['amount', 'unit', 'time', 'mode'].includes(top);
}
