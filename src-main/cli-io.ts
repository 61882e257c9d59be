/** What the `pipewright` subcommands share: where they write, and how their errors become exit codes. */

/** Where a command writes (tests pass their own). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const asLine = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

export const stdio: CliIo = {
  out: (text) => process.stdout.write(asLine(text)),
  err: (text) => process.stderr.write(asLine(text)),
};

/** A mistake in what was typed: printed without a stack trace, exit code 2. */
export class CliUsageError extends Error {}

/** Something named that does not exist, or cannot be done: printed, exit code 1. */
export class CliRefusal extends Error {}

/**
 * Runs a subcommand and turns its errors into exit codes: usage mistakes 2, refusals (and the
 * errors `refused` recognises, e.g. a connection or template error) 1; anything else is thrown.
 */
export async function runSubcommand(
  io: CliIo,
  command: () => number | Promise<number>,
  refused: (err: unknown) => string | undefined = () => undefined,
): Promise<number> {
  try {
    return await command();
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.err(e.message);
      return 2;
    }
    const message = e instanceof CliRefusal ? e.message : refused(e);
    if (message === undefined) throw e;
    io.err(message);
    return 1;
  }
}
