import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target: number;
  better: 'higher' | 'lower';
}

// When bundled (npm run bench) the output file is given at build time; under tsx it is beside this file.
const FILE: string | URL = (import.meta as { BENCH_RESULTS?: string }).BENCH_RESULTS ?? new URL('./results.json', import.meta.url);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function meets(r: BenchResult): boolean {
  return r.better === 'higher' ? r.value >= r.target : r.value <= r.target;
}

/** Replaces this run's figures in bench/results.json, keeping other benchmarks' entries. */
export function record(results: BenchResult[]): void {
  const existing: BenchResult[] = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : [];
  const names = new Set(results.map((r) => r.name));
  writeFileSync(FILE, `${JSON.stringify([...existing.filter((r) => !names.has(r.name)), ...results], null, 2)}\n`);
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${r.value.toFixed(r.value < 100 ? 2 : 0)} ${r.unit}`,
    `${r.better === 'higher' ? '≥' : '≤'} ${r.target} ${r.unit}`,
    meets(r) ? 'ok' : 'MISSED',
  ]);
  const headers = ['benchmark', 'result', 'target', ''];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
