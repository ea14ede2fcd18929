import { readFileSync } from 'node:fs';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifySchemaValidationError,
  LogController,
} from 'fastify';
import { createOrder, findOrder, type NewOrder, type Store } from './db.js';
import { orderSchema } from './order-schema.js';
import type { StatusFeed } from './status-feed.js';

/** One validation failure in words, naming the field: `body has an unknown field "coupon"`. */
function describeSchemaError(error: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${error.instancePath}`;
  if (error.keyword === 'additionalProperties')
    return `${where} has an unknown field "${error.params.additionalProperty}"`;
  if (error.keyword === 'required') return `${where} needs the field "${error.params.missingProperty}"`;
  return `${where} ${error.message}`;
}

export interface ApiOptions {
  /** Called after each order is stored: wakes a relay in the same process. */
  onOrder?: (id: number) => void;
  /** Live status for GET /orders/:id/events; without it that route answers 503. */
  feed?: StatusFeed;
  log?: FastifyBaseLogger;
}

/**
 * The shop's API. POST /orders stores the order and its outbox row, and
 * answers at once: publishing is the relay's job, so a slow or absent broker
 * never slows an order down.
 */
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

  // Server-Sent Events: the order as it is now, then every change, until the client goes.
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

  return app;
}
