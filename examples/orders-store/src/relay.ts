import type Database from 'better-sqlite3';
import type { RabbitClient } from 'retry-kit';
import { markSent, unsent } from './db.js';

export const ORDERS_EXCHANGE = 'orders';

export interface Relay {
  /** Publishes what is waiting now, instead of at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Publishes outbox rows, oldest first, each confirmed by the broker before it
 * is marked sent. A crash between the two publishes it again (consumers are
 * idempotent); a broker that is down just leaves rows for the next round.
 */
export function startRelay(db: Database.Database, rabbit: RabbitClient, pollMs = 1_000): Relay {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const drain = async () => {
    do {
      again = false;
      for (const row of unsent(db, 100)) {
        if (stopped) return;
        try {
          await rabbit.publish(ORDERS_EXCHANGE, 'order.placed', JSON.parse(row.payload), {
            messageId: `order-${row.order_id}`,
            type: 'order.placed',
            timeoutMs: 5_000,
          });
        } catch {
          return; // the broker is away: the row stays unsent, the next round tries again
        }
        markSent(db, row.id);
      }
    } while (again && !stopped);
  };

  const wake = () => {
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(wake, pollMs);
  wake();
  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
