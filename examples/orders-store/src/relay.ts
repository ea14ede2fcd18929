import { type Logger, type RabbitClient, silentLogger } from 'retry-kit';
import { markSent, type OutboxRow, type Store, unsent } from './db.js';

export const ORDERS_EXCHANGE = 'orders';
const BATCH = 100;

export interface RelayOptions {
  /** How often to look for rows nobody woke the relay for (other processes' orders, failed rounds). */
  pollMs?: number;
  log?: Logger;
}

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
export function startRelay(
  db: Store,
  rabbit: RabbitClient,
  { pollMs = 1_000, log = silentLogger }: RelayOptions = {},
): Relay {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let away = false; // said once per outage, not once per round

  const publish = (row: OutboxRow) =>
    rabbit.publish(ORDERS_EXCHANGE, 'order.placed', JSON.parse(row.payload), {
      messageId: `order-${row.order_id}`,
      type: 'order.placed',
      timeoutMs: 5_000,
    });

  const drain = async () => {
    let full: boolean;
    do {
      again = false;
      const rows = unsent(db, BATCH);
      full = rows.length === BATCH;
      // The whole batch in flight at once: one confirm round trip, not one per order.
      const results = await Promise.allSettled(rows.map(publish));
      markSent(
        db,
        rows.filter((_, n) => results[n]!.status === 'fulfilled').map((row) => row.id),
      );
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) {
        // Those rows stay unsent; the next round tries again.
        if (!away) log.warn(`orders wait in the outbox: ${(failure.reason as Error).message}`);
        away = true;
        return;
      }
      if (away && rows.length > 0) log.info('publishing the orders that waited in the outbox');
      away = false;
    } while ((full || again) && !stopped);
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
