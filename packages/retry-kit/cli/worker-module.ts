import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BreakerOptions, DelayOptions, Handler, HandlersByType, RetryPolicy } from '../src/index.js';
import { CommandError } from './errors.js';

/**
 * What `retry-kit worker --handlers <module>` loads: named exports (or a
 * default export object) of this shape.
 *
 * @example
 * // handlers.ts
 * export const handlers = { 'payment.requested': charge, 'payment.refunded': refund };
 * export const retry = { deadline: 7 * 86_400_000, backoff: { type: 'exponential', initialDelay: 60_000 } };
 */
export interface WorkerModule {
  /** One handler, or one per message type. */
  handlers: Handler<never> | HandlersByType<Record<string, unknown>>;
  retry?: RetryPolicy;
  prefetch?: number;
  delays?: DelayOptions;
  /** A circuit breaker: the worker says in its log when it opens, lets a message through, and closes. */
  breaker?: BreakerOptions;
  /** The crash-loop guard's limit, or false. */
  maxRedeliveries?: number | false;
}

/** Loads a handlers module; paths are relative to where the command was typed (pnpm runs scripts elsewhere). */
export async function loadWorkerModule(file: string): Promise<WorkerModule> {
  const where = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(pathToFileURL(where).href);
  } catch (error) {
    throw new CommandError(`Cannot load the handlers module ${where}: ${(error as Error).message.split('\n')[0]}`);
  }
  const module = (
    loaded.handlers === undefined && typeof loaded.default === 'object' ? loaded.default : loaded
  ) as Partial<WorkerModule>;
  const { handlers } = module;
  const valid =
    typeof handlers === 'function' ||
    (typeof handlers === 'object' &&
      handlers !== null &&
      Object.keys(handlers).length > 0 &&
      Object.values(handlers).every((h) => typeof h === 'function'));
  if (!valid) {
    throw new CommandError(`${where} must export "handlers": a function, or an object of functions by message type`);
  }
  return module as WorkerModule;
}
