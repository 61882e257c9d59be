import { expect, test } from './fixtures.ts';

/** The browser edition as a user first meets it: the printed link works, anything else is refused. */

test('the page opens from the printed link and keeps the token out of the address bar', async ({ page, pipewright }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });

  const response = await page.goto(pipewright.url);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page).toHaveTitle(/Pipewright/);
  await expect(page.locator('#root')).not.toBeEmpty();

  // The page's own calls carry the token it moved to sessionStorage.
  await expect.poll(() => page.evaluate(() => sessionStorage.getItem('pipewright.token'))).toBe(pipewright.token);
  expect(page.url()).not.toContain(pipewright.token);
  const info = await page.evaluate(async (token) => {
    const res = await fetch('/rpc/app.info', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{}' });
    return res.json();
  }, pipewright.token);
  expect(info).toMatchObject({ edition: 'browser', dataDir: pipewright.dataDir });

  await page.screenshot({ path: test.info().outputPath('home.png'), fullPage: true });
  expect(problems).toEqual([]);
});

test('without the token the RPC is refused and the page says how to open it', async ({ page, pipewright }) => {
  const refused = await page.request.post(`${pipewright.origin}/rpc/app.info`, { data: {} });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error).toContain('pipewright serve');

  await page.goto(`${pipewright.origin}/`);
  await expect(page.getByRole('alert')).toContainText('pipewright serve');
  await page.screenshot({ path: test.info().outputPath('no-token.png') });
});

test('a foreign page cannot call the RPC, even holding the token', async ({ page, pipewright }) => {
  const foreign = await page.request.post(`${pipewright.origin}/rpc/app.info`, {
    data: {},
    headers: { Authorization: `Bearer ${pipewright.token}`, Origin: 'https://evil.example' },
  });
  expect(foreign.status()).toBe(403);
});

test('live updates reach the page as server-sent events', async ({ page, pipewright }) => {
  await page.goto(pipewright.url);
  await page.evaluate((token) => {
    const w = window as unknown as { seen: unknown[] };
    w.seen = [];
    const source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
    source.addEventListener('run.updated', (e) => w.seen.push(JSON.parse((e as MessageEvent<string>).data)));
    return new Promise((resolve) => source.addEventListener('open', resolve, { once: true }));
  }, pipewright.token);

  const document = {
    format: 'pipewright.workflow/1',
    id: 'e2e-smoke',
    name: 'Smoke',
    nodes: [
      { id: 'start', type: 'logic.manual', params: {}, position: { x: 0, y: 0 } },
      { id: 'note', type: 'logic.set', params: { fields: { hello: 'world' } }, position: { x: 280, y: 0 } },
    ],
    edges: [{ from: 'start', to: 'note' }],
  };
  const started = await pipewright.call('runs.start', { document });
  expect(started.ok).toBe(true);
  const runId = started.ok ? started.run.runId : '';
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { seen: { runId: string }[] }).seen.map((e) => e.runId)))
    .toContain(runId);
});
