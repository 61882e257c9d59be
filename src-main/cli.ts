import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type App, createApp, InvalidWorkflowError } from './app.ts';
import { CONNECTIONS_USAGE, connectionsCommand } from './cli-connections.ts';
import { EVENTS_USAGE, eventsCommand } from './cli-events.ts';
import { formatRun, formatRunList, formatTable } from './cli-format.ts';
import { DIFF_USAGE, diffCommand, TEMPLATES_USAGE, templatesCommand } from './cli-templates.ts';
import type { TriggerEvent } from './connectors/define.ts';
import { describeError } from './engine/runner.ts';
import { defaultDataDir } from './paths.ts';
import type { RunMode, RunStatus } from './shared/runs.ts';

const USAGE = `Usage: pipewright <command> [options]

Commands:
  validate FILE…                       Check workflow files; lists every problem found
  import FILE                          Save a workflow (as a new version if it exists)
  export ID [--out FILE]               Print or write a saved workflow as JSON
  list                                 List saved workflows
  activate ID | deactivate ID          Turn a saved workflow on (live) or off
  run FILE|ID [--event FILE | --sample] [--dry-run] [--json]
                                       Run a workflow once and print each step
  runs [--workflow ID] [--status S]    List recent runs
  runs show RUN_ID [--json]            Show one run with its steps
  catalog [--json]                     List every trigger and action
${CONNECTIONS_USAGE}
${EVENTS_USAGE}
${TEMPLATES_USAGE}
${DIFF_USAGE}
  serve [--port 4310] [--hook-port 4311] [--open]
                                       Start the browser edition (webhooks on --hook-port)

Options:
  --data-dir DIR   Where data is kept (default: PIPEWRIGHT_DATA_DIR or the OS app-data folder)
  -h, --help       Show this help
`;

/** A problem with what the user typed or gave: printed without a stack trace. */
class UsageError extends Error {}

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const err = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file.`);
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message}).`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      event: { type: 'string' },
      sample: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      workflow: { type: 'string' },
      status: { type: 'string' },
      mode: { type: 'string' },
      limit: { type: 'string' },
      port: { type: 'string' },
      'hook-port': { type: 'string' },
      open: { type: 'boolean' },
      note: { type: 'string' },
      app: { type: 'string' },
      'base-url': { type: 'string' },
      'api-key': { type: 'string' },
      'entity-id': { type: 'string' },
      auth: { type: 'string' },
      'rate-limit': { type: 'string' },
      extra: { type: 'string', multiple: true },
      'refresh-token': { type: 'string' },
      'expires-at': { type: 'string' },
      bind: { type: 'string', multiple: true },
      'map-stage': { type: 'string', multiple: true },
      'map-type': { type: 'string', multiple: true },
      'map-pipeline': { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
      id: { type: 'string' },
      'create-missing': { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
}

type Parsed = ReturnType<typeof parse>;

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...args] = parsed.positionals;
  if (!command || parsed.values.help || command === 'help') {
    out(USAGE);
    return 0;
  }
  const dataDir = parsed.values['data-dir'] ?? defaultDataDir();
  let app: App | undefined;
  const open = () => {
    app ??= createApp({ dataDir });
    return app;
  };
  try {
    switch (command) {
      case 'validate':
        return validate(open(), args);
      case 'import':
        return importWorkflow(open(), args, parsed);
      case 'export':
        return exportWorkflow(open(), args, parsed);
      case 'list':
        return list(open());
      case 'activate':
      case 'deactivate':
        return activate(open(), args, command === 'activate');
      case 'run':
        return await run(open(), args, parsed);
      case 'runs':
        return runs(open(), args, parsed);
      case 'connections':
        return await connectionsCommand(open(), args, parsed.values);
      case 'events':
        return await eventsCommand(open(), args, parsed.values);
      case 'templates':
        return await templatesCommand(open(), args, parsed.values);
      case 'diff':
        return diffCommand(open(), args, parsed.values);
      case 'catalog':
        return catalog(open(), parsed);
      case 'serve':
        return await serveCommand(dataDir, parsed);
      default:
        err(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InvalidWorkflowError) err(e.message);
    else err(`Error: ${describeError(e)}${process.env.PIPEWRIGHT_DEBUG && e instanceof Error ? `\n${e.stack}` : ''}`);
    return 1;
  } finally {
    await app?.close();
  }
}

async function serveCommand(dataDir: string, parsed: Parsed): Promise<number> {
  const port = portOption('--port', parsed.values.port ?? '4310');
  const hookPort = parsed.values['hook-port'] === undefined ? undefined : portOption('--hook-port', parsed.values['hook-port']);
  // Loaded on demand: the other commands need no HTTP server. The server owns its app while it runs.
  const { serve } = await import('./serve.ts');
  return serve({ dataDir, port, hookPort, open: parsed.values.open ?? false });
}

function portOption(flag: string, text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`${flag} must be a port number (0-65535), not "${text}".`);
  return port;
}

function need(args: string[], what: string): string {
  const value = args[0];
  if (!value) throw new UsageError(`Missing ${what}. See "pipewright --help".`);
  return value;
}

function validate(app: App, files: string[]): number {
  if (files.length === 0) throw new UsageError('Give at least one workflow file to validate.');
  let failed = 0;
  for (const file of files) {
    let doc: unknown;
    try {
      doc = readJsonFile(file);
    } catch (e) {
      err(`✗ ${(e as Error).message}`);
      failed++;
      continue;
    }
    const result = app.validate(doc);
    if (result.ok) out(`✓ ${file}: "${result.workflow.name}" is valid (${result.workflow.nodes.length} steps).`);
    else {
      failed++;
      err(`✗ ${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`);
      for (const issue of result.issues) err(`  - ${issue.message}`);
    }
  }
  return failed ? 1 : 0;
}

function importWorkflow(app: App, args: string[], parsed: Parsed): number {
  const file = need(args, 'the workflow file to import');
  const { row, workflow } = app.save(readJsonFile(file), parsed.values.note ?? `Imported from ${file}`);
  out(`Imported "${workflow.name}" (id ${row.id}) as version ${row.version}; status: ${row.status}.`);
  return 0;
}

function exportWorkflow(app: App, args: string[], parsed: Parsed): number {
  const id = need(args, 'the id of the workflow to export');
  const doc = app.workflows.document(id);
  if (!doc) throw new UsageError(`There is no workflow "${id}". See "pipewright list".`);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (parsed.values.out) {
    writeFileSync(parsed.values.out, text);
    out(`Wrote "${doc.name}" to ${parsed.values.out}.`);
  } else process.stdout.write(text);
  return 0;
}

function list(app: App): number {
  const rows = app.workflows.list();
  if (rows.length === 0) {
    out('No workflows yet. Import one with "pipewright import FILE".');
    return 0;
  }
  out(
    formatTable(
      ['ID', 'NAME', 'STATUS', 'VERSION', 'UPDATED'],
      rows.map((r) => [r.id, r.name, r.status, String(r.version), r.updatedAt]),
    ),
  );
  return 0;
}

async function activate(app: App, args: string[], live: boolean): Promise<number> {
  const row = await app.setLive(need(args, 'the id of the workflow'), live);
  out(`"${row.name}" is now ${row.status}.`);
  for (const hook of app.triggerHooks(row.id)) {
    const how =
      hook.mode === 'poll' ? 'checks for changes on an interval' : hook.registered ? 'receives webhooks (registered)' : 'receives webhooks';
    out(`  Trigger ${hook.nodeId} (${hook.app}) ${how}${hook.url ? ` at ${hook.url}` : ''}.`);
    if (hook.lastError) out(`  Note: ${hook.lastError}`);
  }
  return 0;
}

async function run(app: App, args: string[], parsed: Parsed): Promise<number> {
  const target = need(args, 'a workflow file or id to run');
  if (parsed.values.event && parsed.values.sample) throw new UsageError('Use either --event FILE or --sample, not both.');
  const event = parsed.values.event ? (readJsonFile(parsed.values.event) as TriggerEvent) : undefined;
  const isFile = existsSync(target) || target.endsWith('.json');
  const result = await app.run(isFile ? readJsonFile(target) : target, { event, dryRun: parsed.values['dry-run'] ?? false });
  if (!result.dryRun) await app.settle();
  out(parsed.values.json ? JSON.stringify(result, null, 2) : formatRun(result));
  return result.status === 'failed' || result.status === 'needs_review' ? 1 : 0;
}

function runs(app: App, args: string[], parsed: Parsed): number {
  if (args[0] === 'show') {
    const runId = need(args.slice(1), 'the run id');
    const stored = app.journal.getRun(runId);
    if (!stored) throw new UsageError(`There is no run "${runId}". See "pipewright runs".`);
    const workflow = stored.workflowVersion === null ? stored.document : app.workflows.document(stored.workflowId, stored.workflowVersion);
    const result = app.engine.result(runId, workflow as Parameters<App['engine']['result']>[1]);
    out(parsed.values.json ? JSON.stringify(result, null, 2) : formatRun(result));
    return 0;
  }
  const list = app.journal.list({
    workflowId: parsed.values.workflow,
    status: parsed.values.status as RunStatus | undefined,
    mode: parsed.values.mode as RunMode | undefined,
    limit: parsed.values.limit ? Number(parsed.values.limit) : 50,
  });
  out(parsed.values.json ? JSON.stringify(list, null, 2) : formatRunList(list));
  return 0;
}

function catalog(app: App, parsed: Parsed): number {
  const { nodes } = app.registry.catalog();
  if (parsed.values.json) {
    out(JSON.stringify(nodes, null, 2));
    return 0;
  }
  out(
    formatTable(
      ['TYPE', 'KIND', 'LABEL', 'EFFECT'],
      nodes.map((n) => [n.type, n.kind, n.label, n.effect ?? n.source ?? '']),
    ),
  );
  return 0;
}
