// The API: answers in milliseconds because it never waits for RabbitMQ or a
// department. POST /orders stores the order with its outbox row (outbox.ts)
// and answers 201; the relay publishes it.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { type StatusFeed, serveLiveStatus } from './live-status.js';
import { createOrder } from './outbox.js';
import { describeSchemaError, type NewOrder, orderSchema } from './plumbing/order-schema.js';
import { findOrder, type Store } from './plumbing/store.js';

export interface ApiOptions {
  /** Called after each order is stored: wakes a relay in the same process. */
  onOrder?: (id: number) => void;
  /** Live status for GET /orders/:id/events; without it that route answers 503. */
  feed?: StatusFeed;
  log?: FastifyBaseLogger;
}

export function buildApi(db: Store, { onOrder, feed, log }: ApiOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(log ? { loggerInstance: log } : {}),
    // One line per order is logged below; one per request would drown it.
    logController: new LogController({ disableRequestLogging: true }),
    // 16 KB is far more than an order needs; anything bigger is refused (413).
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    schemaErrorFormatter: (errors, dataVar) => new Error(errors.map((e) => describeSchemaError(e, dataVar)).join('; ')),
  });

  // The page: place an order, watch its departments turn green.
  const page = readFileSync(new URL('../public/index.html', import.meta.url), 'utf8');
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: 'bad request', message: error.message });
    }
    // The client learns only that it failed; the log has why.
    request.log.error(error);
    return reply.status(500).send({ error: 'internal error', message: 'The order could not be handled' });
  });

  app.post<{ Body: NewOrder }>('/orders', { schema: { body: orderSchema } }, async (request, reply) => {
    const id = createOrder(db, request.body);
    request.log.info(`order ${id} placed by ${request.body.customer_name}`);
    onOrder?.(id);
    return reply.status(201).send({ id, status: 'pending' });
  });

  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const order = /^\d+$/.test(request.params.id) ? findOrder(db, Number(request.params.id)) : undefined;
    if (!order) return reply.status(404).send({ error: 'not found', message: `No order ${request.params.id}` });
    return order;
  });

  serveLiveStatus(app, db, feed);
  return app;
}
