import { homedir } from 'node:os';
import { join } from 'node:path';

/** The data directory: `PIPEWRIGHT_DATA_DIR`, else the OS's per-user app-data folder (as Electron's userData). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PIPEWRIGHT_DATA_DIR) return env.PIPEWRIGHT_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Pipewright');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Pipewright');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Pipewright');
}
