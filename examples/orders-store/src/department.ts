// Lesson 3, the idempotent department: consumes its queue with retry-kit (retries with
// backoff, then the dead-letter queue), and makes an order delivered twice harmless.
import { EventEmitter } from 'node:events';
import { type BreakerOptions, type Delivery, PermanentError, type RabbitClient, type RetryPolicy } from 'retry-kit';
import { request } from 'undici';
import { type Department, ordersTopology, queueOf } from './fan-out.js';
import { announce, statusTopology } from './live-status.js';
import { orderIdIn, type PlacedOrder, placedOrder } from './plumbing/order-schema.js';
import { renderSlip } from './plumbing/packing-slip.js';
import { countForCustomer, type DepartmentProgress, progressOf, type Store, setProgress } from './plumbing/store.js';

/**
 * How the shop retries: 1, 2, 4, 8 and 16 s apart. A sales system down for half a minute still gets
 * every order; one that stays down marks the order failed after about 30 s, when people should look.
 */
export const SHOP_RETRY: RetryPolicy = {
  attempts: 6,
  backoff: { type: 'exponential', initialDelay: 1_000, factor: 2 },
};

/**
 * Sales calls a system the shop does not run: when it is down, five failures in a row pause the
 * department, so a backlog of orders waits in the queue instead of spending its attempts; one
 * order is tried after 5 s, then 10, 20, up to a minute, and the department resumes when it succeeds.
 */
export const SALES_BREAKER: BreakerOptions = { failures: 5, coolDown: 5_000, maxCoolDown: 60_000 };

export interface DepartmentOptions {
  db: Store;
  rabbit: RabbitClient;
  salesUrl: string;
  /** Where the warehouse's printer picks up packing slips. */
  slipDir: string;
  retry?: RetryPolicy;
  /** The sales department's circuit breaker. @default SALES_BREAKER */
  salesBreaker?: BreakerOptions;
}

type Work = (order: PlacedOrder, options: DepartmentOptions, delivery: Delivery) => Promise<unknown>;

/** The work itself: each safe to run twice for the same order. */
const work: Record<Department, Work> = {
  async sales(order, { salesUrl }) {
    // The sales system keeps one sale per idempotency key: a redelivery is not a second sale.
    // undici's request on kept-alive connections: a fifth of fetch's CPU per call.
    const { statusCode, body } = await request(salesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `order-${order.id}` },
      body: JSON.stringify(order),
      signal: AbortSignal.timeout(10_000),
    });
    await body.dump();
    if (statusCode < 200 || statusCode > 299) throw new Error(`sales system answered ${statusCode}`);
  },
  // Counted and marked done in one transaction, skipped when done before.
  marketing: async (order, { db }, { attempts }) => countForCustomer(db, order, attempts),
  // Written under a temporary name, then renamed: a second rendering replaces the first.
  warehouse: (order, { slipDir }) => renderSlip(slipDir, order),
};

/**
 * Consumes one department's queue. Progress goes to the store, to the status
 * exchange and out as 'progress' events: done from the handler; retrying and
 * failed from the kit's events, with the kit's count of failed attempts.
 */
export async function startDepartment(department: Department, options: DepartmentOptions) {
  const { db, rabbit } = options;
  const queue = queueOf(department);
  const events = new EventEmitter<{ progress: [number, DepartmentProgress] }>();
  const report = async (orderId: number, progress: DepartmentProgress) => {
    setProgress(db, orderId, department, progress);
    events.emit('progress', orderId, progress);
    await announce(rabbit, { orderId, department, ...progress });
  };
  // The events carry the delivery; the order id is in its body. Stored first: announcing fails only if RabbitMQ goes.
  const reportFromEvent = (delivery: Delivery, progress: DepartmentProgress) => {
    const orderId = orderIdIn(delivery);
    if (delivery.queue === queue && orderId !== undefined) report(orderId, progress).catch(() => {});
  };
  rabbit.on('retry-scheduled', ({ attemptNumber, error, delivery }) =>
    reportFromEvent(delivery, { state: 'retrying', attempts: attemptNumber, reason: messageOf(error) }),
  );
  rabbit.on('dead-lettered', ({ reason, attempts, error, delivery }) =>
    reportFromEvent(delivery, { state: 'failed', attempts, reason: `${reason}: ${messageOf(error)}` }),
  );
  await rabbit.declare(ordersTopology([department]));
  await rabbit.declare(statusTopology);
  await rabbit.consume<PlacedOrder>(
    queue,
    async (order, delivery) => {
      const before = progressOf(db, order.id, department);
      // Another shop's order (a different store on the same queues): nothing here can handle it.
      if (!before) throw new PermanentError(`order ${order.id} is not in this store`);
      if (before.state === 'done') return; // done before: a redelivery
      await work[department](order, options, delivery);
      await report(order.id, { state: 'done', attempts: delivery.attempts, reason: null });
    },
    {
      retry: options.retry ?? SHOP_RETRY,
      prefetch: 10,
      validate: placedOrder,
      ...(department === 'sales' ? { breaker: options.salesBreaker ?? SALES_BREAKER } : {}),
    },
  );
  return events;
}

/** What a handler threw, in words: handlers may throw anything, not only Errors. */
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
