// Lesson 4, live status: departments announce each change on a topic
// exchange; each API process binds its own queue to the orders its clients
// watch, and streams the changes to them as Server-Sent Events.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { RabbitClient } from 'retry-kit';
import type { Department } from './fan-out.js';
import { type DepartmentProgress, findOrder, type Store } from './plumbing/store.js';

export const STATUS_EXCHANGE = 'order-status';
/** Where departments announce progress: routing key `order.<id>`. */
export const statusTopology = { exchanges: [{ name: STATUS_EXCHANGE, type: 'topic' as const }] };

export interface StatusEvent extends DepartmentProgress {
  orderId: number;
  department: Department;
}

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

/** GET /orders/:id/events: the order as it is now, then every change, until the client goes. */
export function serveLiveStatus(app: FastifyInstance, db: Store, feed: StatusFeed | undefined): void {
  app.get<{ Params: { id: string } }>('/orders/:id/events', async (request, reply) => {
    const id = /^\d+$/.test(request.params.id) ? Number(request.params.id) : undefined;
    if (id === undefined || !findOrder(db, id)) {
      return reply.status(404).send({ error: 'not found', message: `No order ${request.params.id}` });
    }
    if (!feed) return reply.status(503).send({ error: 'unavailable', message: 'Live status needs RabbitMQ' });
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Watch first, then read: departments write the store before they
    // announce, so events that arrive before the snapshot is sent are
    // already in it, and every later one is streamed.
    let live = false;
    const unwatch = await feed.watch(id, (event) => {
      if (live) out.write(`event: status\ndata: ${JSON.stringify(event)}\n\n`);
    });
    out.write(`event: order\ndata: ${JSON.stringify(findOrder(db, id))}\n\n`);
    live = true;
    // Unbinding fails only when RabbitMQ is gone, and the queue goes with the connection then.
    request.raw.on('close', () => unwatch().catch(() => {}));
  });
}
