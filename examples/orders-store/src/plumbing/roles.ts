// The parts of the shop, each started the same way whether it runs alone
// (run-api.ts, run-relay.ts, run-consumer.ts) or all together (start.ts).
import type { Logger } from 'pino';
import { closeOnSignals, connectOrExit, type RabbitClient } from 'retry-kit';
import { buildApi } from '../api.js';
import { startDepartment } from '../department.js';
import type { Department } from '../fan-out.js';
import { startStatusFeed } from '../live-status.js';
import { config } from './config.js';
import { createLog } from './log.js';
import { underStart, whenParentGoes } from './role-process.js';
import { openStore, type Store } from './store.js';

export interface Shop {
  db: Store;
  rabbit: RabbitClient;
  log: Logger;
}

/** The API with live status, listening on 127.0.0.1. */
export async function startApi({ db, rabbit, log }: Shop, port: number, onOrder?: (id: number) => void) {
  const feed = await startStatusFeed(rabbit);
  const app = buildApi(db, { feed, log: log.child({ role: 'api' }), ...(onOrder ? { onOrder } : {}) });
  await app.listen({ host: '127.0.0.1', port });
  return app;
}

/** One department's consumer, logging each order's progress. */
export async function startLoggedDepartment(
  department: Department,
  { db, rabbit, log }: Shop,
  places: { salesUrl: string; slipDir: string },
) {
  const out = log.child({ role: department });
  const events = await startDepartment(department, { db, rabbit, ...places });
  events.on('progress', (orderId, { state, attempts, reason }) => {
    if (state === 'done') out.info(`order ${orderId} done`);
    else if (state === 'retrying') out.warn(`order ${orderId} retrying after attempt ${attempts}: ${reason}`);
    else if (state === 'failed') out.error(`order ${orderId} failed: ${reason}`);
  });
  return events;
}

/**
 * Runs a role as a program: connects (or says in one line why not and exits
 * 1), opens the store, starts the role, and on Ctrl+C or SIGTERM (or, under
 * `start`, when `start` asks) stops it, then closes the connection and the store.
 */
export async function launch(start: (shop: Shop) => Promise<() => Promise<void>>): Promise<void> {
  const log = createLog();
  const rabbit = await connectOrExit({
    hint: 'Start one with: pnpm broker',
    logger: log.child({ role: 'rabbitmq' }),
    closeOnSignals: false,
  });
  const db = openStore(config.storeFile);
  const stop = await start({ db, rabbit, log });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= stop().then(async () => {
      await rabbit.close();
      db.close();
    });
    return closing;
  };
  const closeAndExit = () =>
    close().then(
      // 0, or 1 if a role of `start` stopped on its own (see startRoleProcess).
      () => process.exit(),
      (error: Error) => {
        log.error(`close failed: ${error.message}`);
        process.exit(1);
      },
    );
  whenParentGoes(closeAndExit);
  closeOnSignals(
    { close: closeAndExit },
    { logger: log, signals: underStart ? ['SIGTERM'] : ['SIGINT', 'SIGTERM'], exit: false },
  );
}
