import type { ConnectionInfo } from '../store/connections.ts';
import type { ConnectionNeed } from './requirements.ts';

/**
 * Which of the account's connections each of a template's connection aliases uses: the one the
 * operator chose, else the only connection of that app. Anything else is a problem to report.
 */

export interface BindingChoice {
  alias: string;
  app: string;
  appName: string;
  /** The connection chosen (or picked because it is the only one of the app). */
  connection?: string;
  /** True when picked because it is the only connection of the app. */
  automatic?: boolean;
  /** Why no connection could be chosen. */
  problem?: string;
  /** The connections of the app, for a picker. */
  candidates: string[];
}

export interface ConnectionDirectory {
  list(app?: string): ConnectionInfo[];
  get(name: string): ConnectionInfo | undefined;
}

export function chooseConnections(
  directory: ConnectionDirectory,
  needs: readonly ConnectionNeed[],
  chosen: Record<string, string> = {},
  appName: (app: string) => string = (app) => app,
): { choices: BindingChoice[]; unknownAliases: string[] } {
  const choices = needs.map((need): BindingChoice => {
    const candidates = directory.list(need.app).map((c) => c.name);
    const base = { alias: need.alias, app: need.app, appName: need.appName, candidates };
    const name = chosen[need.alias];
    if (name !== undefined) {
      const info = directory.get(name);
      if (!info) return { ...base, problem: `There is no connection named "${name}".` };
      if (info.app !== need.app) {
        return {
          ...base,
          problem: `"${name}" is a ${appName(info.app)} connection, but "${need.alias}" needs a ${need.appName} connection.`,
        };
      }
      return { ...base, connection: name };
    }
    if (candidates.length === 1) return { ...base, connection: candidates[0], automatic: true };
    if (candidates.length === 0) return { ...base, problem: `No ${need.appName} connection is set up yet; add one first.` };
    return { ...base, problem: `Choose which ${need.appName} connection to use: ${candidates.join(', ')}.` };
  });
  const unknownAliases = Object.keys(chosen).filter((alias) => !needs.some((n) => n.alias === alias));
  return { choices, unknownAliases };
}
