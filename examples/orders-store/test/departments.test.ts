import { EventEmitter, once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import amqp, { type ConsumeMessage } from 'amqplib';
import { connect, silentLogger } from 'retry-kit';
import { tempDir, useTestVhost } from 'test-broker/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApi } from '../src/api.js';
import { startDepartment } from '../src/department.js';
import { DEPARTMENTS } from '../src/fan-out.js';
import { startRelay } from '../src/outbox.js';
import { startSalesStandIn } from '../src/plumbing/sales-stand-in.js';
import { type DepartmentProgress, type OrderView, openStore } from '../src/plumbing/store.js';

const broker = await useTestVhost('orders-departments');

/** Takes `count` messages from `queue` with plain amqplib (dead-letter queues exist once something failed). */
/** Takes (acks) messages of `queue` until `done` says so. */
async function takeUntil(queue: string, done: (message: ConsumeMessage) => boolean): Promise<void> {
  const connection = await amqp.connect(broker.amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: true });
  await new Promise<void>((resolve) => {
    void channel.consume(queue, (message) => {
      if (!message) return;
      channel.ack(message);
      if (done(message)) resolve();
    });
  });
  await connection.close();
}
// Each test runs its own store on the same queues: stop one before the next starts.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The whole store in this process: API, relay, the three departments, the sales stand-in. */
async function store() {
  const db = openStore(':memory:');
  const rabbit = await connect({
    url: broker.amqpUrl,
    logger: silentLogger,
    delays: { prefix: broker.name('delays') },
  });
  const sales = await startSalesStandIn();
  const slipDir = tempDir('slips-');
  const history: [number, string, DepartmentProgress][] = [];
  const changed = new EventEmitter();
  changed.setMaxListeners(0); // one waiter per order in flight: 500 in the load test
  for (const department of DEPARTMENTS) {
    const events = await startDepartment(department, {
      db,
      rabbit,
      salesUrl: sales.url,
      slipDir,
      retry: { attempts: 4, backoff: { type: 'fixed', delays: [50] } },
      salesBreaker: { failures: 5, coolDown: 100 },
    });
    events.on('progress', (orderId, progress) => {
      history.push([orderId, department, progress]);
      changed.emit(`order ${orderId}`);
    });
  }
  const relay = startRelay(db, rabbit, { pollMs: 50 });
  const api = buildApi(db, { onOrder: relay.wake });
  cleanups.push(async () => {
    await relay.stop();
    await rabbit.close();
    await sales.close();
  });
  const place = async (customer_name: string, product_ids: number[]) =>
    (await api.inject({ method: 'POST', url: '/orders', payload: { customer_name, product_ids } })).json().id as number;
  const view = async (id: number) => (await api.inject({ method: 'GET', url: `/orders/${id}` })).json() as OrderView;
  /** Resolves once the order's overall status is `status`, checked after each of its progress reports. */
  const settled = async (id: number, status: OrderView['status']): Promise<OrderView> => {
    for (;;) {
      const next = once(changed, `order ${id}`);
      const order = await view(id);
      if (order.status === status) return order;
      await next;
    }
  };
  return { db, rabbit, sales, slipDir, history, place, settled };
}

describe('orders-store departments', () => {
  it('an order reaches done in sales, marketing and the warehouse, with one slip and one sale', async () => {
    const { db, sales, slipDir, place, settled } = await store();
    const id = await place('Ada', [1, 2, 3]);

    const order = await settled(id, 'done');
    expect(Object.values(order.departments).map((d) => d.state)).toEqual(['done', 'done', 'done']);
    expect([...sales.sales.keys()]).toEqual([`order-${id}`]);
    expect(readdirSync(slipDir)).toEqual([`order-${id}.pdf`]);
    expect(
      readFileSync(path.join(slipDir, `order-${id}.pdf`))
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(db.prepare('SELECT orders, products FROM customer_stats WHERE customer_name = ?').get('Ada')).toEqual({
      orders: 1,
      products: 3,
    });
  });

  it('the sales system failing 3 times then recovering shows retrying, then done', async () => {
    const { sales, history, place, settled } = await store();
    sales.behave({ failFirst: 3 });
    const id = await place('Grace', [7]);

    await settled(id, 'done');
    const salesStates = history
      .filter(([orderId, department]) => orderId === id && department === 'sales')
      .map(([, , p]) => `${p.state}:${p.attempts}`);
    expect(salesStates).toEqual(['retrying:1', 'retrying:2', 'retrying:3', 'done:3']);
  });

  it('the sales system failing for good ends the order failed, with the dead-letter reason', async () => {
    const { sales, slipDir, place, settled } = await store();
    sales.behave({ failAlways: true });
    const id = await place('Linus', [5]);

    const order = await settled(id, 'failed');
    expect(order.departments.sales).toEqual({
      state: 'failed',
      attempts: 4,
      reason: 'exhausted: sales system answered 503',
    });
    expect(order.departments.warehouse.state).toBe('done');
    expect(existsSync(path.join(slipDir, `order-${id}.pdf`))).toBe(true);
  });

  it('a sales system down for longer than the retries pauses sales (its breaker opens): no order fails, all are done once it is back', async () => {
    const { rabbit, sales, place, settled } = await store();
    sales.behave({ failAlways: true });
    const opened = once(rabbit, 'breaker');
    const ids = [];
    for (let n = 0; n < 8; n++) ids.push(await place('Ada', [1]));
    const [event] = await opened;
    expect(event).toMatchObject({ queue: 'orders.sales', state: 'open' });
    sales.behave({});

    const orders = await Promise.all(ids.map((id) => settled(id, 'done')));
    expect(orders.map((order) => order.departments.sales.state)).toEqual(ids.map(() => 'done'));
  });

  it('500 orders posted at once all reach done', async () => {
    const { place, settled, sales, slipDir } = await store();
    const ids = await Promise.all(Array.from({ length: 500 }, (_, n) => place(`customer ${n % 50}`, [n + 1])));

    const orders = await Promise.all(ids.map((id) => settled(id, 'done')));
    expect(orders).toHaveLength(500);
    expect(sales.sales.size).toBe(500);
    expect(readdirSync(slipDir)).toHaveLength(500);
  }, 120_000);

  it('dead-letters what is not a placed order, or an order this store does not have, saying why', async () => {
    const { db, rabbit } = await store();
    await rabbit.sendToQueue('orders.sales', { id: 'seven', customer_name: 'Mallory' }, { messageId: 'junk-1' });
    const unknownId = Number(db.prepare('SELECT coalesce(max(id), 0) + 1000 AS id FROM orders').get()?.id);
    await rabbit.sendToQueue(
      'orders.sales',
      { id: unknownId, customer_name: 'Elsewhere', product_ids: [1] },
      { messageId: `order-${unknownId}` },
    );

    // Read until both are there: the queue may also hold an earlier test's dead
    // letter, or a duplicate of one of these (at-least-once).
    const byId: Record<string, Record<string, unknown>> = {};
    await takeUntil('orders.sales.dead', (message) => {
      const headers = message.properties.headers ?? {};
      byId[String(headers['x-original-message-id'])] = headers;
      return 'junk-1' in byId && `order-${unknownId}` in byId;
    });
    expect(byId['junk-1']).toMatchObject({
      'x-dead-letter-reason': 'invalid',
      'x-retry-last-error': "Error: not a placed order: message must have required property 'product_ids'",
    });
    expect(byId[`order-${unknownId}`]).toMatchObject({
      'x-dead-letter-reason': 'permanent',
      'x-retry-last-error': `PermanentError: order ${unknownId} is not in this store`,
    });
  });

  it.skipIf(!broker.faults)(
    'RabbitMQ restarted while orders are posted: every accepted order is done, none lost',
    async () => {
      const { place, settled, sales } = await store();
      const ids: number[] = [];
      for (let n = 0; n < 20; n++) ids.push(await place(`before ${n}`, [n + 1]));
      const restarting = broker.faults!.restart();
      // Accepted while the broker goes down and comes back: the outbox keeps them.
      for (let n = 0; n < 20; n++) ids.push(await place(`during ${n}`, [n + 1]));
      await restarting;
      for (let n = 0; n < 20; n++) ids.push(await place(`after ${n}`, [n + 1]));

      await Promise.all(ids.map((id) => settled(id, 'done')));
      expect(sales.sales.size).toBe(60);
    },
    120_000,
  );
});
