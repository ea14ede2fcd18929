import { once } from 'node:events';
import { connect, silentLogger } from 'retry-kit';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { ORDERS_EXCHANGE } from '../src/fan-out.js';
import { createOrder, startRelay } from '../src/outbox.js';
import { openStore, unsent } from '../src/plumbing/store.js';

const broker = await useTestVhost('orders-relay');

async function setup() {
  const rabbit = await connect({ url: broker.amqpUrl, logger: silentLogger });
  const queue = broker.name('orders-seen');
  await rabbit.declare({
    exchanges: [{ name: ORDERS_EXCHANGE, type: 'fanout' }],
    queues: [{ name: queue }],
    bindings: [{ source: ORDERS_EXCHANGE, queue }],
  });
  const seen: { id: number; customer_name: string }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  await rabbit.consume<{ id: number; customer_name: string }>(queue, (order) => {
    seen.push(order);
    for (const waiter of waiters) if (seen.length >= waiter.count) waiter.resolve();
  });
  /** Resolves once `count` orders have arrived, including those that arrived before the call. */
  const seenAtLeast = (count: number) =>
    new Promise<void>((resolve) => {
      if (seen.length >= count) resolve();
      else waiters.push({ count, resolve });
    });
  return { rabbit, seen, seenAtLeast };
}

describe('the outbox relay', () => {
  it('publishes every stored order, confirmed, and marks it sent', async () => {
    const { rabbit, seen, seenAtLeast } = await setup();
    const db = openStore(':memory:');
    const relay = startRelay(db, rabbit, { pollMs: 50 });
    createOrder(db, { customer_name: 'Ada', product_ids: [1] });
    createOrder(db, { customer_name: 'Grace', product_ids: [2, 3] });
    relay.wake();

    await seenAtLeast(2);
    await relay.stop();
    expect(seen.map((order) => order.customer_name)).toEqual(['Ada', 'Grace']);
    expect(unsent(db, 10)).toEqual([]);
    await rabbit.close();
  });

  it.skipIf(!broker.faults)('an order accepted while RabbitMQ is down is published when it is back', async () => {
    const { rabbit, seen, seenAtLeast } = await setup();
    const db = openStore(':memory:');
    const relay = startRelay(db, rabbit, { pollMs: 100 });
    const down = once(rabbit, 'disconnected');
    await broker.faults!.stop();
    await down;

    createOrder(db, { customer_name: 'Offline', product_ids: [9] });
    relay.wake();
    expect(unsent(db, 10)).toHaveLength(1);

    await broker.faults!.start();
    await seenAtLeast(1);
    await relay.stop();
    expect(seen.map((order) => order.customer_name)).toEqual(['Offline']);
    expect(unsent(db, 10)).toEqual([]);
    await rabbit.close();
  });
});
