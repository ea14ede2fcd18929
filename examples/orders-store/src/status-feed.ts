import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RabbitClient } from 'retry-kit';
import type { Department, DepartmentProgress } from './db.js';

export const STATUS_EXCHANGE = 'order-status';

export interface StatusEvent extends DepartmentProgress {
  orderId: number;
  department: Department;
}

/** Where departments announce progress: routing key `order.<id>`. */
export const statusTopology = { exchanges: [{ name: STATUS_EXCHANGE, type: 'topic' as const }] };

export async function announce(rabbit: RabbitClient, event: StatusEvent): Promise<void> {
  // Nobody watching is normal: not mandatory.
  await rabbit.publish(STATUS_EXCHANGE, `order.${event.orderId}`, event, { mandatory: false, persistent: false });
}

export interface StatusFeed {
  /** This process's own queue. */
  queue: string;
  /** Calls `listener` with each status change of the order until the returned function is called. */
  watch(orderId: number, listener: (event: StatusEvent) => void): Promise<() => Promise<void>>;
}

/**
 * One exclusive queue per API process, bound only to the orders its clients
 * watch (bound on the first watcher, unbound after the last), so several API
 * processes behind a load balancer each receive only what they need.
 */
export async function startStatusFeed(rabbit: RabbitClient): Promise<StatusFeed> {
  const queue = `order-status.api-${randomUUID()}`;
  await rabbit.declare({ ...statusTopology, queues: [{ name: queue, durable: false, exclusive: true }] });
  const events = new EventEmitter();
  events.setMaxListeners(0);
  await rabbit.consume<StatusEvent>(queue, (event) => {
    events.emit(String(event.orderId), event);
  });
  const binding = (orderId: number) => ({ source: STATUS_EXCHANGE, queue, routingKey: `order.${orderId}` });
  return {
    queue,
    async watch(orderId, listener) {
      const name = String(orderId);
      if (events.listenerCount(name) === 0) await rabbit.bind(binding(orderId));
      events.on(name, listener);
      return async () => {
        events.off(name, listener);
        if (events.listenerCount(name) === 0) await rabbit.unbind(binding(orderId));
      };
    },
  };
}
