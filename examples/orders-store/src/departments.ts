import { EventEmitter } from 'node:events';
import { Ajv } from 'ajv';
import { PermanentError, type RabbitClient, type RetryPolicy } from 'retry-kit';
import {
  countForCustomer,
  type Department,
  type DepartmentProgress,
  progressOf,
  type Store,
  setProgress,
} from './db.js';
import { orderSchema } from './order-schema.js';
import { ORDERS_EXCHANGE } from './relay.js';
import { renderSlip } from './slip.js';
import { announce, statusTopology } from './status-feed.js';

export interface PlacedOrder {
  id: number;
  customer_name: string;
  product_ids: number[];
}

// What the relay publishes: the order as posted, with its id.
const isPlacedOrder = new Ajv().compile<PlacedOrder>({
  ...orderSchema,
  required: [...orderSchema.required, 'id'],
  properties: { ...orderSchema.properties, id: { type: 'integer', minimum: 1 } },
});

/** Anything else on a department's queue is dead-lettered as invalid, saying why. */
export function placedOrder(payload: unknown): PlacedOrder {
  if (isPlacedOrder(payload)) return payload;
  const [first] = isPlacedOrder.errors ?? [];
  throw new Error(`not a placed order: ${first?.instancePath || 'message'} ${first?.message ?? ''}`.trim());
}

export interface DepartmentOptions {
  db: Store;
  rabbit: RabbitClient;
  /** The sales system's endpoint. */
  salesUrl: string;
  /** Where the warehouse's printer picks up packing slips. */
  slipDir: string;
  retry?: RetryPolicy;
}

/**
 * How the shop retries: 1, 2, 4, 8 and 16 s apart, so a sales system that is
 * down for half a minute still gets every order, and one that stays down
 * marks the order failed after about 30 s, when people should look.
 */
export const SHOP_RETRY: RetryPolicy = {
  attempts: 6,
  backoff: { type: 'exponential', initialDelay: 1_000, factor: 2 },
};

export const queueOf = (department: Department) => `orders.${department}`;

/** Every order, fanned out to one queue per department. */
export function ordersTopology(departments: readonly Department[]) {
  return {
    exchanges: [{ name: ORDERS_EXCHANGE, type: 'fanout' as const }],
    queues: departments.map((department) => ({ name: queueOf(department) })),
    bindings: departments.map((department) => ({ source: ORDERS_EXCHANGE, queue: queueOf(department) })),
  };
}

/** The work itself: each safe to run twice for the same order. */
const work: Record<Department, (order: PlacedOrder, options: DepartmentOptions) => Promise<void>> = {
  async sales(order, { salesUrl }) {
    // The sales system keeps one sale per idempotency key: a redelivery is not a second sale.
    const response = await fetch(salesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `order-${order.id}` },
      body: JSON.stringify(order),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`sales system answered ${response.status}`);
  },
  async marketing(order, { db }) {
    countForCustomer(db, order);
  },
  async warehouse(order, { slipDir }) {
    await renderSlip(slipDir, order);
  },
};

/**
 * Consumes one department's queue. Progress goes to the store as it happens:
 * retrying (with the attempt count), done, or failed (with the dead-letter
 * reason), and out as 'progress' events.
 */
export async function startDepartment(
  department: Department,
  options: DepartmentOptions,
): Promise<EventEmitter<{ progress: [number, DepartmentProgress] }>> {
  const { db, rabbit } = options;
  const events = new EventEmitter<{ progress: [number, DepartmentProgress] }>();
  const report = async (orderId: number, progress: DepartmentProgress) => {
    setProgress(db, orderId, department, progress);
    events.emit('progress', orderId, progress);
    await announce(rabbit, { orderId, department, ...progress });
  };
  const queue = queueOf(department);
  await rabbit.declare(ordersTopology([department]));
  await rabbit.declare(statusTopology);
  rabbit.on('dead-lettered', ({ queue: from, messageId, reason }) => {
    const orderId = Number(String(messageId).replace('order-', ''));
    if (from !== queue || !Number.isInteger(orderId)) return;
    const last = progressOf(db, orderId, department);
    report(orderId, {
      state: 'failed',
      attempts: last?.attempts ?? 0,
      reason: `${reason}: ${last?.reason ?? ''}`,
    }).catch(
      // The store has it already; only the live announcement failed (RabbitMQ going away).
      () => {},
    );
  });
  await rabbit.consume<PlacedOrder>(
    queue,
    async (order) => {
      const before = progressOf(db, order.id, department);
      // Another shop's order (a different store on the same queues): nothing here can handle it.
      if (!before) throw new PermanentError(`order ${order.id} is not in this store`);
      if (before.state === 'done') return; // done before: a redelivery
      try {
        await work[department](order, options);
      } catch (error) {
        const attempts = (progressOf(db, order.id, department)?.attempts ?? 0) + 1;
        await report(order.id, { state: 'retrying', attempts, reason: (error as Error).message });
        throw error;
      }
      const attempts = progressOf(db, order.id, department)?.attempts ?? 0;
      await report(order.id, { state: 'done', attempts, reason: null });
    },
    { retry: options.retry ?? SHOP_RETRY, prefetch: 10, validate: placedOrder },
  );
  return events;
}
