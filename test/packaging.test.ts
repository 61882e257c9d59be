import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm run dist` needs the Electron download, so it cannot run here; instead the builder
 * configuration is loaded and validated by electron-builder itself, and what matters is checked.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
// app-builder-lib is electron-builder's own; resolve it from there rather than depend on hoisting.
const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder'));

interface FileSet {
  filter?: string[];
}
interface TargetList {
  target?: (string | { target: string })[];
  icon?: string;
  entitlements?: string;
}
interface BuilderConfig {
  appId?: string;
  productName?: string;
  npmRebuild?: boolean;
  asarUnpack?: string | string[];
  files?: (string | FileSet)[];
  extraResources?: { from: string; to: string }[];
  directories?: { buildResources?: string; output?: string };
  linux?: TargetList;
  mac?: TargetList;
  win?: TargetList;
}

async function loadConfig(): Promise<BuilderConfig> {
  const { getConfig } = builderRequire('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  };
  return getConfig(root, null, null);
}

const targets = (list?: TargetList) => (list?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));
const filters = (config: BuilderConfig) => (config.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));

describe('electron-builder configuration', () => {
  it('is accepted by electron-builder’s own schema', async () => {
    const { validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(await loadConfig(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app and builds AppImage + deb, dmg and nsis', async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('com.pipewright.app');
    expect(config.productName).toBe('Pipewright');
    expect(targets(config.linux).sort()).toEqual(['AppImage', 'deb']);
    expect(targets(config.mac)).toEqual(['dmg']);
    expect(targets(config.win)).toEqual(['nsis']);
  });

  it('packs the built app from out/ and keeps better-sqlite3’s addon outside the asar, rebuilt for Electron', async () => {
    const config = await loadConfig();
    const files = filters(config);
    for (const dir of ['out/main/**', 'out/preload/**', 'out/renderer/**']) expect(files).toContain(dir);
    expect(files.some((f) => /^(src-|test|e2e)/.test(f))).toBe(false);
    const unpack = [config.asarUnpack ?? []].flat();
    expect(unpack.some((p) => p.includes('better-sqlite3') && p.endsWith('.node'))).toBe(true);
    expect(config.npmRebuild).toBe(true);
  });

  it('points at the main bundle electron-vite writes', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('out/main/index.js');
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder');
  });

  it('has its icons and entitlements in build/', async () => {
    const config = await loadConfig();
    expect(config.directories?.buildResources).toBe('build');
    const icon = join(root, 'build', 'icon.png');
    expect(existsSync(icon), 'build/icon.png is missing: run `node scripts/make-icon.js`').toBe(true);
    const png = readFileSync(icon);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    // IHDR: width and height, big-endian, right after the chunk header.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    for (const platform of [config.linux, config.mac, config.win]) expect(platform?.icon).toBe('build/icon.png');
    expect(config.extraResources).toContainEqual({ from: 'build/icon.png', to: 'icon.png' });
    const entitlements = config.mac?.entitlements as string;
    expect(existsSync(join(root, entitlements))).toBe(true);
    expect(readFileSync(join(root, entitlements), 'utf8')).toContain('com.apple.security.cs.allow-jit');
  });
});
