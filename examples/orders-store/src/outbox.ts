// Lesson 1, the outbox: the order and the message that announces it are
// written in one transaction; a relay publishes the message, confirmed by the
// broker, and only then marks it sent.
import type { Logger, RabbitClient } from 'retry-kit';
import { DEPARTMENTS, publishOrder } from './fan-out.js';
import type { NewOrder } from './plumbing/order-schema.js';
import { markSent, type Store, statement, unsent } from './plumbing/store.js';

/**
 * Writes the order, its outbox row and one pending row per department in one
 * transaction: either all of it is stored, or none of it.
 */
export function createOrder(db: Store, order: NewOrder): number {
  const write = db.transaction((input: NewOrder) => {
    const { lastInsertRowid } = statement(
      db,
      'INSERT INTO orders (customer_name, product_ids, created_at) VALUES (?, ?, ?)',
    ).run(input.customer_name, JSON.stringify(input.product_ids), new Date().toISOString());
    const id = Number(lastInsertRowid);
    statement(db, 'INSERT INTO outbox (order_id, payload) VALUES (?, ?)').run(id, JSON.stringify({ id, ...input }));
    const pending = statement(db, "INSERT INTO progress (order_id, department, state) VALUES (?, ?, 'pending')");
    for (const department of DEPARTMENTS) pending.run(id, department);
    return id;
  });
  // IMMEDIATE: the write lock first, so two processes never both read, then wait on each other to write.
  return write.immediate(order);
}

const BATCH = 100;

/**
 * Publishes outbox rows, oldest first, each confirmed by the broker before it
 * is marked sent. A crash between the two publishes it again (consumers are
 * idempotent); a broker that is down just leaves rows for the next round.
 * `pollMs`: how often to look for rows nobody woke the relay for (other
 * processes' orders, failed rounds). `wake()` publishes what waits now.
 */
export function startRelay(
  db: Store,
  rabbit: RabbitClient,
  { pollMs = 1_000, log }: { pollMs?: number; log?: Logger } = {},
) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let away = false; // said once per outage, not once per round

  const drain = async () => {
    let full: boolean;
    do {
      again = false;
      const rows = unsent(db, BATCH);
      full = rows.length === BATCH;
      // The whole batch in flight at once: one confirm round trip, not one per order.
      const results = await Promise.allSettled(rows.map((row) => publishOrder(rabbit, JSON.parse(row.payload))));
      const confirmed = rows.filter((_, n) => results[n]!.status === 'fulfilled').map((row) => row.id);
      markSent(db, confirmed);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) {
        // Those rows stay unsent; the next round tries again.
        if (!away) log?.warn(`orders wait in the outbox: ${(failure.reason as Error).message}`);
        away = true;
        return;
      }
      if (away && rows.length > 0) log?.info('publishing the orders that waited in the outbox');
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
