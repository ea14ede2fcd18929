import { ConnectError } from '../src/index.js';
import { redactText } from '../src/tooling.js';
import { deadCommand } from './dead.js';
import { CommandError, UsageError } from './errors.js';
import { inspectCommand } from './inspect.js';
import { topologyCommand } from './topology-command.js';
import { EXIT } from './usage.js';
import { workerCommand } from './worker.js';

export const USAGE = `usage: retry-kit <command> [options]

commands:
  worker     consume a queue with the handlers and retry policy of a module
  inspect    ready, unacked, waiting to retry and dead, per work queue
  dead       list, replay or purge dead letters
  topology   print what the kit declares for a queue and policy

Run "retry-kit <command> --help" for its options. Exit codes: 0 done,
1 failed (broker unreachable, queue missing...), 2 wrong usage.`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  worker: workerCommand,
  inspect: inspectCommand,
  dead: deadCommand,
  topology: topologyCommand,
};

/** Runs one command line; resolves with its exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    console.error(`${name === undefined ? 'retry-kit needs a command' : `unknown command "${name}"`}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`retry-kit ${name}: ${error.message}\nRun "retry-kit ${name} --help" for usage.`);
      return EXIT.usage;
    }
    const urls = [process.env.AMQP_URL ?? '', args[args.indexOf('--url') + 1] ?? ''].filter(Boolean);
    const known = error instanceof ConnectError || error instanceof CommandError;
    console.error(redactText(known ? (error as Error).message : `retry-kit ${name} failed: ${String(error)}`, urls));
    return EXIT.failed;
  }
}
