import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import {
  type Delivery,
  ExchangeNotFoundError,
  PublishNackedError,
  QueueFullError,
  UnroutableError,
} from '../src/index.js';
import { connectTo, deferred, recordingLogger } from './helpers.js';

const broker = await useTestVhost('publish');
const logger = recordingLogger();
const rabbit = await connectTo(broker, { logger });

interface Order {
  id: number;
  items: string[];
}

describe('publishing with confirms and consuming', () => {
  it('delivers a JSON payload with its id, type, headers and persistence to a typed handler', async () => {
    const queue = broker.name('orders');
    await rabbit.declare({ queues: [{ name: queue }] });
    const received = deferred<{ order: Order; delivery: Delivery }>();
    await rabbit.consume<Order>(queue, (order, delivery) => received.resolve({ order, delivery }));

    await rabbit.sendToQueue(
      queue,
      { id: 7, items: ['tea'] },
      { messageId: 'order-7', type: 'order.placed', headers: { source: 'test' } },
    );

    const { order, delivery } = await received.promise;
    expect(order).toEqual({ id: 7, items: ['tea'] });
    expect(delivery).toMatchObject({ queue, messageId: 'order-7', type: 'order.placed', redelivered: false });
    expect(delivery.headers).toEqual({ source: 'test' });
    expect(delivery.raw.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2 });
    expect(delivery.raw.properties.timestamp).toBeGreaterThan(0);
  });

  it('passes a Buffer through untouched and hands it to the handler as a Buffer', async () => {
    const queue = broker.name('bytes');
    await rabbit.declare({ queues: [{ name: queue }] });
    const received = deferred<unknown>();
    await rabbit.consume(queue, (payload) => received.resolve(payload));

    await rabbit.sendToQueue(queue, Buffer.from([0, 1, 2, 255]));

    expect(await received.promise).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('rejects with UnroutableError when no queue is bound for the message', async () => {
    const exchange = broker.name('nowhere');
    await rabbit.declare({ exchanges: [{ name: exchange, type: 'direct' }] });

    await expect(rabbit.publish(exchange, 'no-binding', { lost: false })).rejects.toThrow(UnroutableError);
  });

  it('rejects with ExchangeNotFoundError for a missing exchange, and keeps publishing elsewhere', async () => {
    const queue = broker.name('after-404');
    await rabbit.declare({ queues: [{ name: queue }] });

    await expect(rabbit.publish('no-such-exchange', 'x', {})).rejects.toThrow(ExchangeNotFoundError);

    await rabbit.sendToQueue(queue, { still: 'working' });
    expect(await broker.management.getQueue(broker.vhost, queue).then((q) => q.name)).toBe(queue);
  });

  it('rejects with QueueFullError when a reject-publish queue is full', async () => {
    const queue = broker.name('full');
    await rabbit.declare({ queues: [{ name: queue, maxLength: 2, overflow: 'reject-publish' }] });
    await rabbit.sendToQueue(queue, 1);
    await rabbit.sendToQueue(queue, 2);

    await expect(rabbit.sendToQueue(queue, 3)).rejects.toThrow(QueueFullError);
  });

  describe('a nack from a queue the kit did not declare (a quorum queue failing over nacks this way too)', () => {
    /** A queue that holds one message and refuses more, declared behind the kit's back. */
    async function fullQueue(name: string) {
      const queue = broker.name(name);
      const connection = await amqp.connect(broker.amqpUrl);
      const channel = await connection.createChannel();
      await channel.assertQueue(queue, { durable: true, maxLength: 1, overflow: 'reject-publish' });
      await connection.close();
      await rabbit.sendToQueue(queue, 'first');
      return queue;
    }

    /** The message at the head of `queue`, taken. */
    async function take(queue: string): Promise<string | undefined> {
      const connection = await amqp.connect(broker.amqpUrl);
      const message = await (await connection.createChannel()).get(queue, { noAck: true });
      await connection.close();
      return message ? message.content.toString() : undefined;
    }

    it('is sent again until the queue takes it', async () => {
      const queue = await fullQueue('nacked-then-taken');
      const publishing = rabbit.sendToQueue(queue, 'second', { timeoutMs: 10_000 });
      // Without sending again, the first nack would have failed it by now.
      const early = await Promise.race([
        publishing.then(
          () => 'confirmed',
          () => 'failed',
        ),
        sleep(500).then(() => 'waiting'),
      ]);
      expect(early).toBe('waiting');

      expect(await take(queue)).toBe('"first"');
      await publishing;
      expect(await take(queue)).toBe('"second"');
    });

    it('fails with PublishNackedError, not QueueFullError, when the publish times out', async () => {
      const queue = await fullQueue('nacked-until-timeout');
      const error = await rabbit.sendToQueue(queue, 'second', { timeoutMs: 300 }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(PublishNackedError);
      expect(error).not.toBeInstanceOf(QueueFullError);
      expect((error as Error).message).toContain('kept refusing');
    });
  });

  it('a handler that throws has its message set aside for a retry, and the consumer goes on with the next', async () => {
    const queue = broker.name('failing');
    await rabbit.declare({ queues: [{ name: queue }] });
    const second = deferred<unknown>();
    await rabbit.consume<{ n: number }>(
      queue,
      (payload) => {
        if (payload.n === 1) throw new Error('first one fails');
        second.resolve(payload);
      },
      { prefetch: 1 },
    );

    await rabbit.sendToQueue(queue, { n: 1 });
    await rabbit.sendToQueue(queue, { n: 2 });

    expect(await second.promise).toEqual({ n: 2 });
    expect(logger.lines.some((line) => line.includes('attempt 1 failed') && line.includes('first one fails'))).toBe(
      true,
    );
  });

  it('an undecodable body never reaches the handler or crashes the consumer', async () => {
    const queue = broker.name('garbage');
    await rabbit.declare({ queues: [{ name: queue }] });
    const good = deferred<unknown>();
    const handled: unknown[] = [];
    await rabbit.consume(queue, (payload) => {
      handled.push(payload);
      good.resolve(payload);
    });

    const deadLettered = once(rabbit, 'dead-lettered');
    await rabbit.sendToQueue(queue, Buffer.from('{not json'), { contentType: 'application/json' });
    await rabbit.sendToQueue(queue, { fine: true });

    expect(await good.promise).toEqual({ fine: true });
    expect((await deadLettered)[0]).toMatchObject({ queue, reason: 'invalid' });
    expect(handled).toEqual([{ fine: true }]);
    expect(logger.lines.some((line) => line.includes('(invalid)') && line.includes('not valid JSON'))).toBe(true);
  });
});
