import { benchEngine } from './engine.ts';

process.env.BENCH_SKIP_DRY = '1';
await benchEngine();
