import amqp from 'amqplib';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { keptQueueKind } from '../src/delays/delay-topology.js';
import {
  type DeadLetteredEvent,
  type DelayOptions,
  type Delivery,
  PermanentError,
  type RetryScheduledEvent,
} from '../src/index.js';
import { HEADERS } from '../src/tooling.js';
import { queueArguments } from '../src/topology.js';
import { connectTo, deferred, takeOne } from './helpers.js';

const broker = await useTestVhost('outcomes');

const topologies: [string, DelayOptions][] = [
  ['one queue per delay', { topology: 'queues', prefix: 'rk-queues' }],
  ['the delay ladder', { topology: 'ladder', prefix: 'rk-ladder', resolution: 10, levels: 3 }],
  // For clusters: quorum delay queues, dead-lettering at least once.
  ['quorum delay queues', { topology: 'queues', prefix: 'rk-quorum', queueType: 'quorum' }],
  [
    'a quorum delay ladder',
    { topology: 'ladder', prefix: 'rk-quorum-ladder', radix: 2, levels: 12, queueType: 'quorum' },
  ],
];

describe.each(topologies)('handler outcomes, with %s', (_name, delays) => {
  const fast = { backoff: { type: 'fixed' as const, delays: [50] } };

  // Dead-letter queues are quorum when the delay queues are (see the README).
  const deadLetterType = delays.queueType ?? 'classic';
  const takeDead = (queue: string) =>
    takeOne(
      broker.amqpUrl,
      `${queue}.dead`,
      queueArguments({ name: `${queue}.dead`, ...keptQueueKind(deadLetterType) }),
    );

  async function setup(retry = {}) {
    const rabbit = await connectTo(broker, { delays, retry: { ...fast, ...retry } });
    const queue = broker.name('work');
    await rabbit.declare({ queues: [{ name: queue }] });
    return { rabbit, queue };
  }

  it('a handler that keeps failing ends in the dead-letter queue with reason "exhausted" after 3 attempts', async () => {
    const { rabbit, queue } = await setup({ attempts: 3 });
    const attemptsSeen: number[] = [];
    await rabbit.consume(queue, (_payload, delivery) => {
      attemptsSeen.push(delivery.attempts);
      throw new Error(`boom ${delivery.attempts + 1}`);
    });
    await rabbit.sendToQueue(queue, { card: '4242' }, { messageId: 'pay-1' });

    const dead = await takeDead(queue);
    expect((await broker.management.getQueue(broker.vhost, `${queue}.dead`)).type).toBe(deadLetterType);

    expect(attemptsSeen).toEqual([0, 1, 2]);
    expect(JSON.parse(dead.content.toString())).toEqual({ card: '4242' });
    expect(dead.properties.messageId).toBe('pay-1');
    const headers = dead.properties.headers ?? {};
    expect(headers).toMatchObject({
      [HEADERS.reason]: 'exhausted',
      [HEADERS.attempts]: 3,
      [HEADERS.lastError]: 'Error: boom 3',
      [HEADERS.queue]: queue,
      [HEADERS.originalMessageId]: 'pay-1',
    });
    expect(headers[HEADERS.firstFailure]).toBeLessThanOrEqual(headers[HEADERS.lastFailure]);
    expect(headers['x-death']).toBeUndefined();
  });

  it('a retried message travels without its per-message TTL, which would bring head-of-line blocking back', async () => {
    const { rabbit, queue } = await setup({ attempts: 2 });
    const retried = deferred<Delivery>();
    await rabbit.consume(queue, (_payload, delivery) => {
      if (delivery.attempts === 0) throw new Error('once');
      retried.resolve(delivery);
    });
    await rabbit.sendToQueue(queue, { ttl: 'set' }, { expiration: '60000' });

    const delivery = await retried.promise;
    expect(delivery.raw.properties.expiration).toBeUndefined();
  });

  it('a PermanentError goes to the dead-letter queue at once with reason "permanent"', async () => {
    const { rabbit, queue } = await setup({ attempts: 5 });
    let calls = 0;
    await rabbit.consume(queue, () => {
      calls++;
      throw new PermanentError('card declined');
    });
    await rabbit.sendToQueue(queue, { card: '0000' });

    const dead = await takeDead(queue);
    expect(calls).toBe(1);
    expect(dead.properties.headers).toMatchObject({
      [HEADERS.reason]: 'permanent',
      [HEADERS.attempts]: 1,
      [HEADERS.lastError]: 'PermanentError: card declined',
    });
  });

  it('shouldRetry returning false dead-letters as "permanent"; onFailedAttempt sees every failure', async () => {
    const seen: { attemptNumber: number; retriesLeft: number; delay: number | undefined }[] = [];
    const { rabbit, queue } = await setup({
      attempts: 4,
      shouldRetry: ({ error }: { error: unknown }) => !(error instanceof RangeError),
      onFailedAttempt: ({
        attemptNumber,
        retriesLeft,
        delay,
      }: {
        attemptNumber: number;
        retriesLeft: number;
        delay: number | undefined;
      }) => {
        seen.push({ attemptNumber, retriesLeft, delay });
      },
    });
    await rabbit.consume(queue, (_payload, delivery) => {
      throw delivery.attempts === 0 ? new Error('flaky') : new RangeError('hopeless');
    });
    await rabbit.sendToQueue(queue, {});

    const dead = await takeDead(queue);
    expect(dead.properties.headers).toMatchObject({ [HEADERS.reason]: 'permanent', [HEADERS.attempts]: 2 });
    expect(seen).toEqual([
      { attemptNumber: 1, retriesLeft: 3, delay: 50 },
      { attemptNumber: 2, retriesLeft: 2, delay: undefined },
    ]);
  });

  it('a message past its deadline (from its first failure) goes to the dead-letter queue with reason "deadline"', async () => {
    const { rabbit, queue } = await setup({ deadline: 300, deadlineFrom: 'first-failure' });
    let calls = 0;
    await rabbit.consume(queue, () => {
      calls++;
      throw new Error('still down');
    });
    await rabbit.sendToQueue(queue, { text: 'translate me' });

    const dead = await takeDead(queue);
    expect(dead.properties.headers).toMatchObject({ [HEADERS.reason]: 'deadline' });
    // Tried at 0, 50, 100 ... and once more at the deadline itself.
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(dead.properties.headers?.[HEADERS.attempts]).toBe(calls);
    const headers = dead.properties.headers ?? {};
    expect(headers[HEADERS.lastFailure] - headers[HEADERS.firstFailure]).toBeGreaterThanOrEqual(300);
  });

  it('a deadline counted from publish (the message timestamp, 1 s precision) ends retries too', async () => {
    const { rabbit, queue } = await setup({ deadline: 2_500, backoff: { type: 'fixed', delays: [200] } });
    let calls = 0;
    await rabbit.consume(queue, () => {
      calls++;
      throw new Error('still down');
    });
    await rabbit.sendToQueue(queue, { text: 'translate me' });

    const dead = await takeDead(queue);
    expect(dead.properties.headers).toMatchObject({ [HEADERS.reason]: 'deadline' });
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('the events carry the error, the attempts and the delivery', async () => {
    const { rabbit, queue } = await setup({ attempts: 2 });
    const retried: RetryScheduledEvent[] = [];
    rabbit.on('retry-scheduled', (event) => retried.push(event));
    const deadLettered = new Promise<DeadLetteredEvent>((resolve) => rabbit.once('dead-lettered', resolve));
    await rabbit.consume(queue, (_payload, delivery) => {
      throw new Error(`boom ${delivery.attempts + 1}`);
    });
    await rabbit.sendToQueue(queue, { order: 7 }, { messageId: 'order-7' });

    const dead = await deadLettered;
    expect(retried).toHaveLength(1);
    const [retry] = retried as [RetryScheduledEvent];
    expect(retry).toMatchObject({ queue, messageId: 'order-7', attemptNumber: 1, delay: 50 });
    expect((retry.error as Error).message).toBe('boom 1');
    expect(retry.delivery).toMatchObject({ queue, messageId: 'order-7', attempts: 0 });
    expect(dead).toMatchObject({ queue, messageId: 'order-7', reason: 'exhausted', attempts: 2 });
    expect((dead.error as Error).message).toBe('boom 2');
    expect(dead.delivery).toMatchObject({ messageId: 'order-7', attempts: 1 });
  });

  it('succeeds on a later attempt, and nothing is dead-lettered', async () => {
    const { rabbit, queue } = await setup({ attempts: 5 });
    const done = deferred<Delivery>();
    await rabbit.consume(queue, (_payload, delivery) => {
      if (delivery.attempts < 2) throw new Error('not yet');
      done.resolve(delivery);
    });
    await rabbit.sendToQueue(queue, { n: 1 });

    const delivery = await done.promise;
    expect(delivery.attempts).toBe(2);
    expect(delivery.headers[HEADERS.lastError]).toBe('Error: not yet');
    expect((await broker.management.getQueue(broker.vhost, `${queue}.dead`)).name).toBe(`${queue}.dead`);
  });

  it('an invalid payload goes to the dead-letter queue as "invalid" without reaching the handler', async () => {
    const { rabbit, queue } = await setup();
    let calls = 0;
    await rabbit.consume<{ amount: number }>(queue, () => calls++, {
      validate: (payload) => {
        const amount = (payload as { amount?: unknown }).amount;
        if (typeof amount !== 'number') throw new TypeError('amount must be a number');
        return { amount };
      },
    });
    await rabbit.sendToQueue(queue, { amount: 'ten' });

    const dead = await takeDead(queue);
    expect(calls).toBe(0);
    expect(dead.properties.headers).toMatchObject({
      [HEADERS.reason]: 'invalid',
      [HEADERS.attempts]: 0,
      [HEADERS.lastError]: 'TypeError: amount must be a number',
    });
  });

  it('an undecodable body goes to the dead-letter queue as "invalid", bytes intact', async () => {
    const { rabbit, queue } = await setup();
    await rabbit.consume(queue, () => {});
    await rabbit.sendToQueue(queue, Buffer.from('{oops'), { contentType: 'application/json' });

    const dead = await takeDead(queue);
    expect(dead.content.toString()).toBe('{oops');
    expect(dead.properties.headers).toMatchObject({ [HEADERS.reason]: 'invalid' });
  });

  it('routes by message type, and an unknown type goes to the dead-letter queue as "unknown-type"', async () => {
    const { rabbit, queue } = await setup();
    const placed = deferred<{ id: number }>();
    await rabbit.consume<{ 'order.placed': { id: number }; 'order.cancelled': { id: number } }>(queue, {
      'order.placed': (order) => placed.resolve(order),
      'order.cancelled': () => {},
    });
    await rabbit.sendToQueue(queue, { id: 1 }, { type: 'order.placed' });
    await rabbit.sendToQueue(queue, { id: 2 }, { type: 'order.refunded' });

    expect(await placed.promise).toEqual({ id: 1 });
    const dead = await takeDead(queue);
    expect(dead.properties.type).toBe('order.refunded');
    expect(dead.properties.headers).toMatchObject({ [HEADERS.reason]: 'unknown-type' });
  });

  it('chains queues: what a handler returns is published to the next queue', async () => {
    const { rabbit, queue } = await setup();
    const next = broker.name('next');
    await rabbit.declare({ queues: [{ name: next }] });
    await rabbit.consume<{ text: string }>(queue, ({ text }) => ({ text: text.toUpperCase() }), { next });
    await rabbit.sendToQueue(queue, { text: 'hello' }, { messageId: 'step-1' });

    const chained = await takeOne(broker.amqpUrl, next);
    expect(JSON.parse(chained.content.toString())).toEqual({ text: 'HELLO' });
    expect(chained.properties.correlationId).toBe('step-1');
  });

  it('delays a publish: the message reaches its queue no sooner than asked', async () => {
    const { rabbit, queue } = await setup();
    const arrived = deferred<number>();
    await rabbit.consume(queue, () => arrived.resolve(Date.now()));
    const sentAt = Date.now();
    await rabbit.sendToQueue(queue, { later: true }, { delay: 400 });

    expect((await arrived.promise) - sentAt).toBeGreaterThanOrEqual(400);
  });
});

describe('a quorum dead-letter queue', () => {
  it('keeps its letters however often they are read and given back (RabbitMQ 4 drops them after 20 by default)', async () => {
    const rabbit = await connectTo(broker, { delays: { prefix: 'rk-kept', queueType: 'quorum' } });
    const queue = broker.name('kept');
    await rabbit.declare({ queues: [{ name: queue }] });
    const dead = new Promise((resolve) => rabbit.once('dead-lettered', resolve));
    await rabbit.consume(queue, () => {
      throw new PermanentError('for people to read');
    });
    await rabbit.sendToQueue(queue, { card: '4242' }, { messageId: 'kept-1' });
    await dead;

    // What `retry-kit dead list` does: read without acking, then close the channel.
    const connection = await amqp.connect(broker.amqpUrl);
    try {
      for (let read = 1; read <= 25; read++) {
        const channel = await connection.createChannel();
        const letter = await channel.get(`${queue}.dead`, { noAck: false });
        expect(letter === false ? 'empty' : letter.properties.messageId, `read ${read}`).toBe('kept-1');
        await channel.close();
      }
    } finally {
      await connection.close();
    }
  });
});
