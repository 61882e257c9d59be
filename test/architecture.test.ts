import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The layering rules of DESIGN.md §2, checked on the source itself. */

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const importsOf = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/(?:from\s+|import\(|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);

describe('architecture', () => {
  it('only src-main/electron imports electron', () => {
    const offenders = [...sources('src-main'), ...sources('src-renderer')].filter(
      (f) => !f.startsWith('src-main/electron/') && importsOf(f).some((i) => i === 'electron' || i.startsWith('electron/')),
    );
    expect(offenders).toEqual([]);
  });

  it('src-main/shared is isomorphic: no Node built-ins, no electron, no main-side modules', () => {
    const offenders = sources('src-main/shared').flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('node:') || i === 'electron' || /^\.\.\/(engine|store|connectors|server|electron)\//.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the renderer imports only itself and src-main/shared', () => {
    const offenders = sources('src-renderer').flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('.') && i.includes('src-main/') && !i.includes('src-main/shared/'))
        .map((i) => `${f} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no eval, new Function or vm anywhere in the product', () => {
    const offenders = [...sources('src-main'), ...sources('src-renderer')].filter((f) => {
      const text = readFileSync(join(root, f), 'utf8');
      return /\beval\(|new Function\(|\bvm2\b/.test(text) || importsOf(f).some((i) => i === 'vm' || i === 'node:vm');
    });
    expect(offenders).toEqual([]);
  });
});
