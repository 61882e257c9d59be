import type { RecordDiff, RunResult, RunSummary, StepResult } from './shared/runs.ts';

/** Plain-text rendering of runs for the terminal. */

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const STATUS_MARK: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '–', waiting: '…', running: '…' };

function short(value: unknown, max = 160): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function formatStep(step: StepResult): string[] {
  const mark = STATUS_MARK[step.status] ?? '?';
  const name = step.name === step.nodeId ? step.nodeId : `${step.name} (${step.key})`;
  const lines = [
    `  ${mark} ${name.padEnd(36)} ${step.status.padEnd(9)} ${step.durationMs.toFixed(1)} ms${step.attempts > 1 ? `, ${step.attempts} attempts` : ''}`,
  ];
  if (step.status === 'skipped') return lines;
  if (step.error) lines.push(`      error: ${step.error}`);
  if (step.output !== undefined && step.status !== 'failed')
    lines.push(`      output: ${short(step.output)}${step.simulated ? '  (simulated)' : ''}`);
  if (step.request)
    lines.push(
      `      would send: ${step.request.method} ${step.request.url}${step.request.body ? ` ${short(step.request.body, 120)}` : ''}`,
    );
  return lines;
}

function label(diff: RecordDiff): string {
  return `${diff.entity} ${diff.id.slice(0, 8)}${diff.label ? ` "${diff.label}"` : ''}`;
}

export function formatDiff(diff: RecordDiff): string[] {
  const sign = diff.op === 'create' ? '+' : diff.op === 'delete' ? '-' : '~';
  const lines = [`  ${sign} ${diff.op} ${label(diff)}`];
  const names = new Set(diff.fields.map((f) => f.field));
  // An id that changed along with its readable name (stage_id with stage) says nothing more.
  const shown = diff.fields.filter(
    (f) => f.field !== 'id' && !(f.field.endsWith('_id') && names.has(f.field.slice(0, -3))) && !(diff.op === 'create' && f.after === null),
  );
  for (const f of shown) {
    if (diff.op === 'create') lines.push(`      ${f.field}: ${short(f.after, 100)}`);
    else lines.push(`      ${f.field}: ${short(f.before, 60)} → ${short(f.after, 60)}`);
  }
  return lines;
}

export function formatRun(run: RunResult): string {
  const lines = [
    `Run ${run.runId} of "${run.workflowName}": ${run.status}${run.dryRun ? ' (dry run)' : ''}`,
    `Started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}${run.resumeAt ? `, resumes at ${run.resumeAt}` : ''}`,
  ];
  if (run.error) lines.push(`Error: ${run.error}`);
  lines.push('', 'Steps:', ...run.steps.flatMap(formatStep));
  if (run.dryRun) {
    lines.push('', 'Nothing was changed: this was a dry run. Planned changes:');
    if (run.changes.length === 0 && run.requests.length === 0) lines.push('  (none)');
    lines.push(...run.changes.flatMap(formatDiff));
    for (const r of run.requests) lines.push(`  → ${r.method} ${r.url}`);
  } else {
    const changes = run.steps.flatMap((s) => s.changes ?? []);
    if (changes.length) lines.push('', 'Changes made:', ...changes.flatMap(formatDiff));
  }
  return lines.join('\n');
}

export function formatRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No runs yet.';
  return formatTable(
    ['RUN', 'WORKFLOW', 'STATUS', 'MODE', 'STARTED', 'ERROR'],
    runs.map((r) => [r.runId, r.workflowName, r.status, r.dryRun ? 'dry run' : r.mode, r.startedAt, (r.error ?? '').slice(0, 60)]),
  );
}
