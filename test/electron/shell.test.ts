import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES } from '../../src-main/electron/channels.ts';
import { events } from '../../src-main/shared/contract.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('Electron shell', () => {
  it('lets every contract event (and only those) through the preload', () => {
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort());
  });

  it('keeps the sandboxed preload free of runtime imports besides electron', () => {
    const preload = readFileSync(join(root, 'src-main/electron/preload.ts'), 'utf8');
    const runtimeImports = [...preload.matchAll(/^import\s+(?!type\b)[^;]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(runtimeImports.every((spec) => spec === 'electron' || spec === './channels.ts')).toBe(true);
  });
});
