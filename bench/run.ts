import { benchCanvas } from './canvas.ts';
import { benchDryRun, benchEngine } from './engine.ts';
import { printTable, record } from './results.ts';
import { benchWebhooks } from './webhooks.ts';

/**
 * `npm run bench`: prints a table and writes bench/results.json. `--engine` runs only the engine's
 * own figures (no webhooks, no browser); `--webhooks` only the webhook path.
 */
const engineOnly = process.argv.includes('--engine');
const webhooksOnly = process.argv.includes('--webhooks');
const results = webhooksOnly
  ? await benchWebhooks()
  : [
      ...(await benchEngine()),
      ...(await benchDryRun()),
      ...(engineOnly ? [] : await benchWebhooks()),
      ...(engineOnly ? [] : await benchCanvas()),
    ];
printTable(results);
record(results);
