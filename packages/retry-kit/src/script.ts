import type { ConnectOptions, RabbitClient } from './client.js';
import { connect } from './connect.js';
import { ConnectError, RetryKitError, TopologyConflictError } from './errors.js';
import { type Logger, quietLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';

/** {@link connect}'s options, with `logger` defaulting to {@link quietLogger}. */
export interface ConnectOrExitOptions extends ConnectOptions {
  /** Added to the one-line error when the broker cannot be reached, e.g. how to start one. */
  hint?: string;
  /** How this project runs rabbitmqctl, in the fix a conflict error names. @default 'rabbitmqctl' */
  rabbitmqctl?: string;
  /** Close gracefully on SIGINT and SIGTERM. @default true */
  closeOnSignals?: boolean;
}

/**
 * For programs rather than libraries: connects, or prints why not in one line
 * and exits 1; closes gracefully on Ctrl+C. A kit error the program does not
 * catch (a queue declared with other settings, say) also ends it with its one
 * line and exit code 1, instead of a stack trace. The whole of a script's plumbing.
 *
 * @example
 * const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
 */
export async function connectOrExit(options: ConnectOrExitOptions = {}): Promise<RabbitClient> {
  const { hint, rabbitmqctl = 'rabbitmqctl', closeOnSignals: wire = true, ...connectOptions } = options;
  const logger = connectOptions.logger ?? quietLogger;
  exitOnUncaughtKitErrors(logger, rabbitmqctl);
  let rabbit: RabbitClient;
  try {
    rabbit = await connect({ ...connectOptions, logger });
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const extra = hint && (error.code === 'CONNECTION_REFUSED' || error.code === 'CONNECT_FAILED') ? ` ${hint}` : '';
    logger.error(`${error.message}${extra}`);
    process.exit(1);
  }
  if (wire) closeOnSignals(rabbit, { logger });
  return rabbit;
}

let exitsOnKitErrors = false;

function exitOnUncaughtKitErrors(logger: Logger, rabbitmqctl: string): void {
  if (exitsOnKitErrors) return; // once per process, however many clients it connects
  exitsOnKitErrors = true;
  // A rejected top-level await reaches this handler too.
  process.on('uncaughtException', (error) => {
    if (!(error instanceof RetryKitError)) {
      console.error(error); // what Node prints without this handler
      process.exit(1);
    }
    logger.error(error instanceof TopologyConflictError ? error.explain(rabbitmqctl) : error.message);
    process.exit(1);
  });
}
