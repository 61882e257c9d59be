#!/usr/bin/env node
// The `pipewright` command. The CLI is TypeScript, run through tsx so the command, the tests and
// the browser edition share the very same engine sources.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });

let code;
try {
  const { main } = await import('../src-main/cli.ts');
  code = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pipewright: ${message}\n`);
  if (process.env.PIPEWRIGHT_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  code = 1;
}

// Exit explicitly (open handles such as keep-alive sockets must not keep a finished command
// alive), but only after buffered output has been flushed.
const exitCode = Number.isInteger(code) ? code : 0;
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
