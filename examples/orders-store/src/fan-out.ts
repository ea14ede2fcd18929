// Lesson 2, the fan-out: every order is published once, to one fanout
// exchange, and each department has a durable queue of its own bound to it.
import type { RabbitClient } from 'retry-kit';
import type { PlacedOrder } from './plumbing/order-schema.js';

export const ORDERS_EXCHANGE = 'orders';

export const DEPARTMENTS = ['sales', 'marketing', 'warehouse'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const queueOf = (department: Department) => `orders.${department}`;

/**
 * The exchange and the departments' queues, bound to it. Declared by each
 * department before it consumes: a queue bound once keeps every order, even
 * one placed while its department is down.
 */
export function ordersTopology(departments: readonly Department[]) {
  return {
    exchanges: [{ name: ORDERS_EXCHANGE, type: 'fanout' as const }],
    queues: departments.map((department) => ({ name: queueOf(department) })),
    bindings: departments.map((department) => ({ source: ORDERS_EXCHANGE, queue: queueOf(department) })),
  };
}

/**
 * Publishes one order to every department at once; resolves when the broker
 * has confirmed it. A fanout exchange ignores the routing key: the message
 * type says what it is.
 */
export function publishOrder(rabbit: RabbitClient, order: PlacedOrder): Promise<void> {
  return rabbit.publish(ORDERS_EXCHANGE, 'order.placed', order, {
    messageId: `order-${order.id}`,
    type: 'order.placed',
    timeoutMs: 5_000,
  });
}
