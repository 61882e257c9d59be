import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import { createApp } from '../src-main/app.ts';
import { ensureRenderer } from '../src-main/server/renderer-build.ts';
import type { WorkflowInput } from '../src-main/shared/workflow.ts';
import type { BenchResult } from './results.ts';

/**
 * The canvas figures: a 500-step workflow opened in the editor of the browser edition (Debian's
 * Chromium through Playwright), then panned and dragged while frames are counted.
 */

/** The checkout: found from this file upwards, as it also runs bundled into out/bench. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'pipewright.js'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

const ROOT = projectRoot();
const CHROMIUM = process.env.PIPEWRIGHT_CHROMIUM ?? '/usr/bin/chromium';
const WORKFLOW_ID = 'bench-canvas-500';
const ROWS = 25;
const PER_ROW = 20;

/** 25 rows of 20 steps, each row a chain with an if/else every fifth step, all fanning out from one trigger. */
export function fiveHundredSteps(): WorkflowInput {
  const nodes: WorkflowInput['nodes'] = [
    {
      id: 'trigger',
      type: 'local.recordCreated',
      name: 'New lead',
      params: { objectType: 'lead' },
      position: { x: 0, y: ((ROWS - 1) * 170) / 2 },
    },
  ];
  const edges: NonNullable<WorkflowInput['edges']> = [];
  const kinds = [
    (id: string) => ({
      id,
      type: 'local.createTask',
      params: { title: 'Call {{ trigger.data.title }}', record_id: '{{ trigger.data.id }}' },
    }),
    (id: string) => ({ id, type: 'local.tagContact', params: { contact_id: '{{ trigger.data.data.email }}', tags: ['bench'] } }),
    (id: string) => ({
      id,
      type: 'local.moveStage',
      params: { record_id: '{{ trigger.data.id }}', pipeline: 'main-sales', stage: 'contacted' },
    }),
    (id: string) => ({ id, type: 'logic.set', params: { fields: { title: '{{ trigger.data.title | upcase }}' } } }),
    (id: string) => ({
      id,
      type: 'logic.if',
      params: { conditions: { match: 'all', conditions: [{ field: 'trigger.data.data.value', operator: 'gt', value: '100' }] } },
    }),
  ];
  for (let r = 0; r < ROWS; r++) {
    let previous = 'trigger';
    let port: string | undefined;
    for (let c = 0; c < PER_ROW && nodes.length < 500; c++) {
      const id = `s${r}_${c}`;
      const kind = kinds[(r + c) % kinds.length] as (id: string) => Omit<WorkflowInput['nodes'][number], 'position'>;
      nodes.push({ ...kind(id), position: { x: 320 + c * 300, y: r * 170 } });
      edges.push({ from: previous, to: id, ...(port ? { port } : {}) });
      previous = id;
      port = nodes.at(-1)?.type === 'logic.if' ? 'true' : undefined;
    }
  }
  return { format: 'pipewright.workflow/1', id: WORKFLOW_ID, name: 'Bench: 500 steps', nodes, edges };
}

async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/pipewright.js', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pipewright serve did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Pipewright is running at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pipewright serve exited with ${code}:\n${output}`));
    });
  });
  return { url, child };
}

// In-page code is given as text: functions would be serialised with the helpers a TypeScript
// loader adds (tsx's `__name`), which do not exist in the page.

/** Resolves, in the page, once the editor shows the steps and React Flow has measured them (they become visible). */
const CANVAS_SHOWN = `new Promise((resolve) => {
  const check = () => {
    const nodes = Array.from(document.querySelectorAll('.react-flow__node-step'));
    if (nodes.length > 0 && nodes.every((n) => n.style.visibility !== 'hidden')) {
      requestAnimationFrame(() => resolve(performance.now()));
    } else requestAnimationFrame(check);
  };
  check();
})`;

function waitForCanvas(page: Page): Promise<number> {
  return page.evaluate(CANVAS_SHOWN) as Promise<number>;
}

const START_COUNTING = `(() => {
  window.__frames = 0;
  window.__counting = true;
  const tick = () => {
    if (!window.__counting) return;
    window.__frames += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

const STOP_COUNTING = `(() => { window.__counting = false; return window.__frames; })()`;

/** Counts animation frames while `act` runs: the frame rate an operator sees. */
async function measureFps(page: Page, act: () => Promise<void>): Promise<number> {
  await page.evaluate(START_COUNTING);
  const started = Date.now();
  await act();
  const seconds = (Date.now() - started) / 1000;
  const frames = (await page.evaluate(STOP_COUNTING)) as number;
  return frames / seconds;
}

/** Moves the mouse in ~60 steps a second for `ms`, as a hand would. */
async function sweep(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, ms: number): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  const steps = Math.round(ms / 16);
  const t0 = Date.now();
  for (let i = 1; i <= steps; i++) {
    const f = i / steps;
    await page.mouse.move(from.x + (to.x - from.x) * f, from.y + (to.y - from.y) * f);
    const due = t0 + i * 16 - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
  }
  await page.mouse.up();
}

async function warmUp(url: string): Promise<void> {
  const { origin, searchParams } = new URL(url);
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${searchParams.get('token')}` };
  for (const method of ['catalog.get', 'crm.schema', 'workflows.list']) {
    const response = await fetch(`${origin}/rpc/${method}`, { method: 'POST', headers, body: '{}' });
    if (!response.ok) throw new Error(`${method} answered ${response.status}`);
  }
}

export async function benchCanvas(): Promise<BenchResult[]> {
  await ensureRenderer({ root: ROOT });
  const dataDir = mkdtempSync(join(tmpdir(), 'pipewright-bench-canvas-'));
  const app = createApp({ dataDir });
  try {
    app.save(fiveHundredSteps(), 'Bench import');
  } finally {
    await app.close();
  }
  const { url, child } = await startServer(dataDir);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });

    // The server builds its catalog on the first request (about half a second, once per start);
    // an operator reaches a workflow after the list has loaded, so the browser, not the server, is cold.
    await warmUp(url);

    // A fresh page loads straight into the editor.
    const opens: number[] = [];
    await page.goto(`${url}#/workflows/${WORKFLOW_ID}`);
    const cold = await waitForCanvas(page);

    // Warm, as an operator opens it from the list: from the hash change to the steps on screen.
    for (let i = 0; i < 5; i++) {
      await page.evaluate(`window.location.hash = '#/workflows'`);
      await page.waitForSelector('.react-flow', { state: 'detached' });
      await page.waitForTimeout(300);
      const started = (await page.evaluate(
        `(() => { const t = performance.now(); window.location.hash = ${JSON.stringify(`#/workflows/${WORKFLOW_ID}`)}; return t; })()`,
      )) as number;
      const shown = await waitForCanvas(page);
      opens.push(shown - started);
    }
    opens.sort((a, b) => a - b);
    await page.waitForTimeout(1500);

    const pane = await page.locator('.react-flow__pane').boundingBox();
    if (!pane) throw new Error('The canvas did not appear.');
    const mid = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };

    // Zoom in to working size, where people pan and drag.
    await page.mouse.move(mid.x, mid.y);
    for (let i = 0; i < 6; i++) {
      await page.mouse.wheel(0, -240);
      await page.waitForTimeout(60);
    }
    await page.waitForTimeout(500);
    const panFps = await measureFps(page, async () => {
      await sweep(page, { x: mid.x - 250, y: mid.y }, { x: mid.x + 250, y: mid.y - 120 }, 1200);
      await sweep(page, { x: mid.x + 250, y: mid.y - 120 }, { x: mid.x - 250, y: mid.y + 80 }, 1200);
    });

    // Fit everything (the whole graph on screen) and pan again: the heaviest view.
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    await page.waitForTimeout(600);
    const panAllFps = await measureFps(page, async () => {
      await sweep(page, { x: pane.x + 40, y: pane.y + 40 }, { x: pane.x + 240, y: pane.y + 140 }, 1200);
      await sweep(page, { x: pane.x + 240, y: pane.y + 140 }, { x: pane.x + 40, y: pane.y + 40 }, 1200);
    });

    // Drag a step around.
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    await page.waitForTimeout(400);
    const target = page.locator('.react-flow__node[data-id="s12_5"]');
    await target.scrollIntoViewIfNeeded();
    const box = await target.boundingBox();
    if (!box) throw new Error('The step to drag is not on screen.');
    const grab = { x: box.x + box.width / 2, y: box.y + 6 };
    const dragFps = await measureFps(page, async () => {
      await sweep(page, grab, { x: grab.x + 220, y: grab.y + 160 }, 1200);
      await sweep(page, { x: grab.x + 220, y: grab.y + 160 }, grab, 1200);
    });

    const median = opens[Math.floor(opens.length / 2)] ?? Number.NaN;
    return [
      { name: 'canvas: open a 500-step workflow (from the list, median)', value: median, unit: 'ms', target: 1500, better: 'lower' },
      { name: 'canvas: open a 500-step workflow (fresh page load)', value: cold, unit: 'ms', target: 1500, better: 'lower' },
      { name: 'canvas: pan 500 steps at working zoom', value: panFps, unit: 'fps', target: 50, better: 'higher' },
      { name: 'canvas: pan 500 steps, all on screen', value: panAllFps, unit: 'fps', target: 50, better: 'higher' },
      { name: 'canvas: drag a step among 500', value: dragFps, unit: 'fps', target: 50, better: 'higher' },
    ];
  } finally {
    await browser?.close();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
