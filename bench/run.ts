import { benchDryRun, benchEngine } from './engine.ts';
import { printTable, record } from './results.ts';

/** `npm run bench`: prints a table and writes bench/results.json. */
const results = [...(await benchEngine()), ...(await benchDryRun())];
printTable(results);
record(results);
