import { Download, Share2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../src-main/shared/contract.ts';
import { Banner, Button, CopyButton, Dialog, LoadingBlock, Tooltip } from '../../components/index.ts';
import { rpc } from '../../rpc.ts';
import { errorMessage } from '../store.ts';

/** "Export as template": a saved workflow as a file to share, without its connections' names or keys. */

type Exported = MethodOutput<'templates.export'>;

export interface ExportTemplateDialogProps {
  workflowId: string;
  name: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  /** The editor has changes that are not saved: the export is the saved version. */
  unsaved?: boolean;
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportTemplateDialog({ workflowId, name, open, onOpenChange, unsaved }: ExportTemplateDialogProps) {
  const [state, setState] = useState<{ exported?: Exported; error?: string }>({});
  useEffect(() => {
    if (!open) return;
    let live = true;
    setState({});
    rpc
      .call('templates.export', { id: workflowId })
      .then((exported) => live && setState({ exported }))
      .catch((err) => live && setState({ error: errorMessage(err) }));
    return () => {
      live = false;
    };
  }, [open, workflowId]);

  const text = state.exported ? `${JSON.stringify(state.exported.template, null, 2)}\n` : '';
  const fileName = `${workflowId}.json`;
  const removed = state.exported?.removedSecrets ?? [];

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Export “${name}” as a template`}
      description="A file anyone can import into their own Pipewright. It names the apps it needs, never your connections or keys."
      width={720}
      footer={
        <>
          <Button variant="ghost" onClick={() => onOpenChange(false)}>
            Close
          </Button>
          <CopyButton text={text} label="Copy to clipboard" size="md" disabled={!state.exported} />
          <Button variant="primary" icon={<Download size={15} />} disabled={!state.exported} onClick={() => download(fileName, text)}>
            Download {fileName}
          </Button>
        </>
      }
    >
      {state.error ? (
        <Banner tone="danger" title="The workflow could not be exported">
          {state.error}
        </Banner>
      ) : !state.exported ? (
        <LoadingBlock label="Preparing the template…" />
      ) : (
        <div className="pw-tpl-section-list" data-testid="export-result">
          {removed.length > 0 ? (
            <Banner
              tone="warning"
              title={`Removed ${removed.length === 1 ? 'a value' : `${removed.length} values`} that looked like credentials`}
            >
              {removed.join(', ')}: whoever imports the template fills {removed.length === 1 ? 'it' : 'them'} in with their own.
            </Banner>
          ) : (
            <Banner tone="success" title="No credentials in this template">
              Connections are exported as the apps they need; keys always stay on this computer.
            </Banner>
          )}
          {unsaved && (
            <Banner tone="info" title="This is the saved version">
              Save the workflow first to include your latest changes.
            </Banner>
          )}
          <pre className="pw-tpl-json" data-testid="template-json">
            {text}
          </pre>
        </div>
      )}
    </Dialog>
  );
}

/** The editor toolbar's "Export as template" button, with its dialog. */
export function ExportTemplateButton({ workflowId, name, unsaved }: { workflowId: string; name: string; unsaved: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Tooltip content="Export as template">
        <button type="button" className="pw-ed-tool" aria-label="Export as template" onClick={() => setOpen(true)}>
          <Share2 size={16} aria-hidden="true" />
        </button>
      </Tooltip>
      <ExportTemplateDialog workflowId={workflowId} name={name} open={open} onOpenChange={setOpen} unsaved={unsaved} />
    </>
  );
}
