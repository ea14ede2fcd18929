// The command's own errors; the kit's (ConnectError and the rest) come from its public entry.

/** A command used wrongly: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command that cannot do its job: one line, exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}
