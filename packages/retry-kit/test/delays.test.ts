import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { pollUntil, runProgram } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import type { DelayOptions, Delivery, RabbitClient } from '../src/index.js';
import { HEADERS } from '../src/tooling.js';
import { connectTo, deferred, takeOne } from './helpers.js';
import { StreamTally } from './stream.js';

const broker = await useTestVhost('delays');
const RETRY_THEN_DIE = fileURLToPath(new URL('./fixtures/retry-then-die.ts', import.meta.url));

const queuesTopology: DelayOptions = { topology: 'queues', prefix: 'rk-q' };
const ladderTopology: DelayOptions = { topology: 'ladder', prefix: 'rk-l', resolution: 10, levels: 4 };

/** Resolves with each message's arrival time, by its `id`. */
async function arrivals(rabbit: RabbitClient, queue: string, ids: string[]) {
  const times = new Map<string, number>();
  const all = deferred<Map<string, number>>();
  await rabbit.consume<{ id: string }>(queue, ({ id }) => {
    times.set(id, Date.now());
    if (ids.every((expected) => times.has(expected))) all.resolve(times);
  });
  return all.promise;
}

/** The naive way: one queue, per-message TTL (`expiration`), dead-lettering to `target`. */
async function perMessageTtl(target: string, delays: [string, number][]) {
  const connection = await amqp.connect(broker.amqpUrl);
  const channel = await connection.createConfirmChannel();
  const waiting = broker.name('per-message-ttl');
  await channel.assertQueue(waiting, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: target });
  for (const [id, delay] of delays) {
    channel.sendToQueue(waiting, Buffer.from(JSON.stringify({ id })), {
      expiration: String(delay),
      contentType: 'application/json',
    });
  }
  await channel.waitForConfirms();
  await connection.close();
}

describe('delays without head-of-line blocking', () => {
  it('a 1 s delay published behind a 10 s one arrives first in both topologies, unlike per-message TTL', async () => {
    const runs = await Promise.all(
      [queuesTopology, ladderTopology, undefined].map(async (delays) => {
        const rabbit = await connectTo(broker, { delays: delays ?? queuesTopology });
        const queue = broker.name('arrivals');
        await rabbit.declare({ queues: [{ name: queue }] });
        const arrived = arrivals(rabbit, queue, ['ten', 'one']);
        const sentAt = Date.now();
        if (delays) {
          await rabbit.sendToQueue(queue, { id: 'ten' }, { delay: 10_000 });
          await rabbit.sendToQueue(queue, { id: 'one' }, { delay: 1_000 });
        } else {
          await perMessageTtl(queue, [
            ['ten', 10_000],
            ['one', 1_000],
          ]);
        }
        const times = await arrived;
        return {
          kind: delays?.topology ?? 'per-message TTL',
          one: times.get('one')! - sentAt,
          ten: times.get('ten')! - sentAt,
        };
      }),
    );
    console.log(JSON.stringify(runs));
    const [queues, ladder, naive] = runs;
    for (const fixed of [queues!, ladder!]) {
      expect(fixed.one).toBeGreaterThanOrEqual(1_000);
      expect(fixed.one).toBeLessThan(fixed.ten);
      expect(fixed.ten).toBeGreaterThanOrEqual(10_000);
    }
    // The caveat: the 1 s message waits behind the 10 s one at the head.
    expect(naive!.one).toBeGreaterThanOrEqual(naive!.ten);
  });
});

describe.skipIf(!broker.faults)('delays across a broker restart', () => {
  it('none of 1,000 messages waiting in delay queues is lost, in either topology', async () => {
    const total = 1_000;
    const setups = await Promise.all(
      [queuesTopology, ladderTopology].map(async (delays) => {
        const rabbit = await connectTo(broker, { delays });
        const queue = broker.name('survivors');
        await rabbit.declare({ queues: [{ name: queue }] });
        const tally = new StreamTally(total);
        await rabbit.consume<{ n: number }>(queue, ({ n }) => tally.record(n), { prefetch: 100 });
        // 2 to 4 s: spread over many delay queues, and over the ladder's levels.
        await Promise.all(
          Array.from({ length: total }, (_, n) =>
            rabbit.sendToQueue(queue, { n }, { delay: 2_000 + ((n * 37) % 2_000) }),
          ),
        );
        return tally;
      }),
    );
    // They are all still waiting when the broker goes down.
    expect(setups.map((tally) => tally.seen.size)).toEqual([0, 0]);
    await broker.faults!.restart();
    await Promise.all(setups.map((tally) => tally.complete));
    for (const tally of setups) expect(tally.missing()).toEqual([]);
    console.log(
      JSON.stringify(setups.map((tally) => ({ lost: tally.missing().length, duplicates: tally.duplicates }))),
    );
  });
});

describe('a consumer killed between storing the retry and acking the original', () => {
  it('produces a duplicate, never a loss', async () => {
    const rabbit = await connectTo(broker, { delays: queuesTopology });
    const queue = broker.name('crash');
    await rabbit.declare({ queues: [{ name: queue }] });
    await rabbit.declare({ queues: [{ name: `${queue}.dead` }] });
    const consumer = runProgram(RETRY_THEN_DIE, [], { AMQP_URL: broker.amqpUrl, QUEUE: queue, DELAY_PREFIX: 'rk-q' });
    await consumer.line('ready');
    await rabbit.sendToQueue(queue, { charge: 10 }, { messageId: 'charge-1' });
    expect(await consumer.exit()).toEqual({ code: null, signal: 'SIGKILL' });

    const deliveries: Delivery[] = [];
    const both = deferred();
    await rabbit.consume(queue, (_payload, delivery) => {
      deliveries.push(delivery);
      if (deliveries.length === 2) both.resolve();
    });
    await both.promise;
    expect(deliveries.map((d) => d.messageId)).toEqual(['charge-1', 'charge-1']);
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([0, 1]);
  });
});

describe('delay queue lifetime', () => {
  it('a delay queue is never deleted by x-expires while it holds messages, and goes once idle', async () => {
    const prefix = 'rk-expiring';
    const rabbit = await connectTo(broker, { delays: { topology: 'queues', prefix, idleMs: 400 } });
    const queue = broker.name('expiring');
    await rabbit.declare({ queues: [{ name: queue }] });
    const arrived = arrivals(rabbit, queue, ['first', 'second']);

    // x-expires is 1.5 s + 0.4 s. Declared once only, the queue would be
    // deleted 1.9 s after the first publish, with the second message in it.
    await rabbit.sendToQueue(queue, { id: 'first' }, { delay: 1_500 });
    await sleep(1_000);
    await rabbit.sendToQueue(queue, { id: 'second' }, { delay: 1_500 });
    const times = await arrived;
    expect(times.size).toBe(2);

    const delayQueue = `${prefix}.delay.1500`;
    const info = await broker.management.getQueue(broker.vhost, delayQueue).catch(() => undefined);
    if (info) expect(info.arguments).toMatchObject({ 'x-message-ttl': 1_500, 'x-expires': 1_900 });
    await pollUntil(
      () =>
        broker.management.getQueue(broker.vhost, delayQueue).then(
          () => false,
          () => true,
        ),
      {
        timeoutMs: 20_000,
        what: 'the idle delay queue to expire',
      },
    );
  });
});

describe('jitter', () => {
  it('keeps the number of delay queues within the bound while 100 messages retry', async () => {
    const prefix = 'rk-jitter';
    const rabbit = await connectTo(broker, {
      delays: { topology: 'queues', prefix },
      retry: { attempts: 3, backoff: { type: 'exponential', initialDelay: 200 }, jitter: 'full' },
    });
    const queue = broker.name('jittery');
    await rabbit.declare({ queues: [{ name: queue }] });
    let dead = 0;
    const allDead = deferred();
    rabbit.on('dead-lettered', () => {
      if (++dead === 100) allDead.resolve();
    });
    await rabbit.consume(queue, () => {
      throw new Error('always');
    });
    for (let n = 0; n < 100; n++) await rabbit.sendToQueue(queue, { n });
    await allDead.promise;

    const delayQueues = (await broker.management.listQueues(broker.vhost)).filter((q) =>
      q.name.startsWith(`${prefix}.delay.`),
    );
    // Delays of 0 to 400 ms, at most 4 queues per doubling: 1 ms to 400 ms is under 9 doublings.
    expect(delayQueues.length).toBeGreaterThan(3);
    expect(delayQueues.length).toBeLessThanOrEqual(9 * 4);
  });
});

describe.each([
  ['one queue per delay', 'queues', 'return'],
  ['the ladder', 'ladder', 'ladder-out'],
] as const)('a delayed message with nowhere to return to, %s', (_name, topology, returnExchange) => {
  it('is parked in the unroutable queue instead of vanishing', async () => {
    const prefix = `rk-parked-${topology}`;
    const delays: DelayOptions =
      topology === 'ladder' ? { topology, prefix, resolution: 10, levels: 2 } : { topology, prefix };
    const rabbit = await connectTo(broker, { delays });
    const queue = broker.name('unbound');
    await rabbit.declare({ queues: [{ name: queue }] });
    await rabbit.sendToQueue(queue, { first: true }, { delay: 50 });
    await takeOne(broker.amqpUrl, queue);
    // Remove the way back to the queue, then delay another message to it.
    const vhost = encodeURIComponent(broker.vhost);
    const bindings = await broker.management.request<{ properties_key: string }[]>(
      'GET',
      `/bindings/${vhost}/e/${prefix}.${returnExchange}/q/${encodeURIComponent(queue)}`,
    );
    for (const binding of bindings) {
      await broker.management.request(
        'DELETE',
        `/bindings/${vhost}/e/${prefix}.${returnExchange}/q/${encodeURIComponent(queue)}/${encodeURIComponent(binding.properties_key)}`,
      );
    }
    await rabbit.sendToQueue(queue, { second: true }, { messageId: 'lost-without-ae', delay: 50 });

    const parked = await takeOne(broker.amqpUrl, `${prefix}.unroutable`);
    expect(bindings.length).toBe(1);
    expect(parked.properties.messageId).toBe('lost-without-ae');
    expect(parked.properties.headers?.[HEADERS.queue]).toBe(queue);
  });
});

describe('a ladder upgraded from the headers way out (before December 2026)', () => {
  it('still brings home the messages already in it, and brings each message home once', async () => {
    const prefix = 'rk-upgrade';
    const queue = broker.name('upgraded');
    // What the old kit left on the broker: after.0 sends `<prefix>:0>home`
    // to a headers exchange that matches the `retry-queue` header.
    const connection = await amqp.connect(broker.amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertExchange(`${prefix}.after.0`, 'direct', { alternateExchange: `${prefix}.unroutable` });
      await channel.assertExchange(`${prefix}.ladder-return`, 'headers', {
        alternateExchange: `${prefix}.unroutable`,
      });
      await channel.assertQueue(queue, { durable: true });
      await channel.bindExchange(`${prefix}.ladder-return`, `${prefix}.after.0`, `${prefix}:0>home`);
      await channel.bindQueue(queue, `${prefix}.ladder-return`, '', { 'x-match': 'all', [HEADERS.queue]: queue });

      const rabbit = await connectTo(broker, { delays: { topology: 'ladder', prefix, resolution: 10, levels: 2 } });
      await rabbit.declare({ queues: [{ name: queue }] });
      // A message the new kit delays (which declares the ladder)...
      await rabbit.sendToQueue(queue, {}, { messageId: 'new', delay: 50 });
      // ...and one the old kit put in it, 50 ms from home.
      channel.sendToQueue(`${prefix}.level.0.5`, Buffer.from('{}'), {
        messageId: 'old',
        CC: [`${prefix}:0>home`],
        headers: { [HEADERS.queue]: queue },
      });
      await channel.waitForConfirms();

      await pollUntil(async () => (await channel.checkQueue(queue)).messageCount >= 2, {
        timeoutMs: 10_000,
        intervalMs: 20,
        what: 'both messages to come home',
      });
      const arrived: string[] = [];
      for (let message = await channel.get(queue); message; message = await channel.get(queue)) {
        arrived.push(String(message.properties.messageId));
        channel.ack(message);
      }
      expect(arrived.sort()).toEqual(['new', 'old']);
    } finally {
      await connection.close();
    }
  });
});
