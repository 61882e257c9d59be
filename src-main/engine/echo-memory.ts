import type { ActionDefinition, ConnectorDefinition } from '../connectors/define.ts';
import type { EchoStore } from '../store/echoes.ts';

/**
 * The connectors, with every remote write remembered after it succeeds (connection, resource,
 * fields written), so the app's webhook that only reports that write back is recognised as an
 * echo instead of starting a two-way sync's runs again. Dry runs send nothing, so remember nothing.
 */
export function rememberingWrites(connectors: readonly ConnectorDefinition[], echoes: EchoStore): ConnectorDefinition[] {
  return connectors.map((connector) => {
    const echoOfWrite = connector.webhooks?.echoOfWrite;
    if (!echoOfWrite) return connector;
    const actions = connector.actions.map((action): ActionDefinition => {
      if (action.effect !== 'write') return action;
      return {
        ...action,
        run: async (ctx) => {
          const output = await action.run(ctx);
          if (!ctx.dryRun && ctx.connection) {
            const echo = echoOfWrite(action.key, output);
            if (echo) echoes.remember(ctx.connection.name, echo.resourceId, echo.fields);
          }
          return output;
        },
      };
    });
    return { ...connector, actions };
  });
}
