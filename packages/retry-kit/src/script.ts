import type { ConnectOptions, RabbitClient } from './client.js';
import { connect } from './connect.js';
import { ConnectError } from './errors.js';
import { quietLogger } from './logger.js';
import { closeOnSignals } from './shutdown.js';

/** {@link connect}'s options, with `logger` defaulting to {@link quietLogger}. */
export interface ConnectOrExitOptions extends ConnectOptions {
  /** Added to the one-line error when the broker cannot be reached, e.g. how to start one. */
  hint?: string;
  /** Close gracefully on SIGINT and SIGTERM. @default true */
  closeOnSignals?: boolean;
}

/**
 * For programs rather than libraries: connects, or prints why not in one line
 * and exits 1; closes gracefully on Ctrl+C. The whole of a script's plumbing.
 *
 * @example
 * const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
 */
export async function connectOrExit(options: ConnectOrExitOptions = {}): Promise<RabbitClient> {
  const { hint, closeOnSignals: wire = true, ...connectOptions } = options;
  const logger = connectOptions.logger ?? quietLogger;
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
