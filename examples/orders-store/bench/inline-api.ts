// The baseline the outbox is measured against: "write, then publish" inside
// the request, with raw amqplib and a confirm awaited before answering.
// Same store, same schema; only the publishing differs.
import amqplib from 'amqplib';
import Fastify from 'fastify';
import { createOrder } from '../src/outbox.js';
import { config } from '../src/plumbing/config.js';
import { type NewOrder, orderSchema } from '../src/plumbing/order-schema.js';
import { openStore } from '../src/plumbing/store.js';

const EXCHANGE = 'orders-inline';
const db = openStore(config.storeFile);
const connection = await amqplib.connect(process.env.AMQP_URL ?? 'amqp://localhost');
const channel = await connection.createConfirmChannel();
await channel.assertExchange(EXCHANGE, 'fanout');
await channel.assertQueue(`${EXCHANGE}.sink`);
await channel.bindQueue(`${EXCHANGE}.sink`, EXCHANGE, '');

const app = Fastify({ bodyLimit: 16 * 1024 });
app.post<{ Body: NewOrder }>('/orders', { schema: { body: orderSchema } }, async (request, reply) => {
  const id = createOrder(db, request.body);
  await new Promise<void>((resolve, reject) =>
    channel.publish(
      EXCHANGE,
      '',
      Buffer.from(JSON.stringify({ id, ...request.body })),
      { persistent: true, messageId: `order-${id}`, contentType: 'application/json' },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
  return reply.status(201).send({ id, status: 'pending' });
});
await app.listen({ host: '127.0.0.1', port: config.port });
console.log('inline API listening');
process.on('SIGINT', async () => {
  await app.close();
  await connection.close();
  db.close();
  process.exit(0);
});
