import type { CloseOptions } from './client.js';
import { consoleLogger, type Logger } from './logger.js';

/** What {@link closeOnSignals} closes: a client, or anything with the same `close`. */
export interface Closeable {
  close(options?: CloseOptions): Promise<void>;
}

/** Options of {@link closeOnSignals}. */
export interface CloseOnSignalsOptions extends CloseOptions {
  /** @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[];
  /** @default consoleLogger */
  logger?: Logger;
  /** Exit the process once closed. @default true */
  exit?: boolean;
}

/**
 * Closes `closeable` gracefully on Ctrl+C or SIGTERM, then exits 0. A second
 * signal exits at once. Returns a function that removes the handlers.
 *
 * @example
 * const rabbit = await connect();
 * closeOnSignals(rabbit);
 */
export function closeOnSignals(closeable: Closeable, options: CloseOnSignalsOptions = {}): () => void {
  const { signals = ['SIGINT', 'SIGTERM'], logger = consoleLogger, exit = true, ...closeOptions } = options;
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    closing = true;
    logger.info(`${signal} received: finishing work in hand, then closing`);
    closeable.close(closeOptions).then(
      () => {
        if (exit) process.exit(0);
      },
      (error: Error) => {
        logger.error(`close failed: ${error.message}`);
        if (exit) process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
