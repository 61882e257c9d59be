import { benchCanvas } from './canvas.ts';
import { benchDryRun, benchEngine } from './engine.ts';
import { printTable, record } from './results.ts';

/** `npm run bench`: prints a table and writes bench/results.json. `--engine` skips the browser figures. */
const engineOnly = process.argv.includes('--engine');
const results = [...(await benchEngine()), ...(await benchDryRun()), ...(engineOnly ? [] : await benchCanvas())];
printTable(results);
record(results);
