import { once } from 'node:events';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../src/index.js';
import { connectTo, deferred } from './helpers.js';
import { publishNumbers, StreamTally } from './stream.js';

const broker = await useTestVhost('faults');
const faults = broker.faults;
const TOTAL = 20_000;

/** Runs a producer and a consumer over TOTAL messages, injecting `fault` at the given fractions of the stream. */
async function streamThroughFaults(atFractions: number[], fault: () => Promise<void>) {
  const queue = broker.name('stream');
  const producer = await connectTo(broker, { connectionName: 'producer' });
  const consumer = await connectTo(broker, { connectionName: 'consumer' });
  await producer.declare({ queues: [{ name: queue }] });
  const drops = { producer: 0, consumer: 0 };
  producer.on('disconnected', () => drops.producer++);
  consumer.on('disconnected', () => drops.consumer++);
  const tally = new StreamTally(TOTAL);
  await consumer.consume<{ n: number }>(queue, ({ n }) => tally.record(n), { prefetch: 100 });

  // Faults run one after another, each once both clients are back from the
  // previous one, so each drops both connections exactly once.
  const thresholds = atFractions.map((fraction) => Math.floor(TOTAL * fraction));
  const reconnectedBoth = () => Promise.all([once(producer, 'connected'), once(consumer, 'connected')]);
  let faultsDone = Promise.resolve();
  await publishNumbers(producer, queue, TOTAL, {
    ratePerSecond: 2_000,
    onProgress: (confirmed) => {
      if (confirmed !== thresholds[0]) return;
      thresholds.shift();
      faultsDone = faultsDone.then(async () => {
        const back = reconnectedBoth();
        await fault();
        await back;
      });
    },
  });
  await faultsDone;
  await tally.complete;

  const report = { published: TOTAL, lost: tally.missing().length, duplicates: tally.duplicates, drops };
  console.log(JSON.stringify(report));
  return { tally, drops };
}

describe.skipIf(!faults)('surviving faults mid-stream', () => {
  it(`every confirmed message of ${TOTAL} is consumed when the broker closes all connections three times`, async () => {
    const { tally, drops } = await streamThroughFaults([0.25, 0.5, 0.75], () =>
      faults!.closeAllConnections(broker.vhost),
    );
    expect(drops).toEqual({ producer: 3, consumer: 3 });
    expect(tally.missing()).toEqual([]);
  });

  it(`every confirmed message of ${TOTAL} is consumed when the broker restarts once`, async () => {
    const { tally, drops } = await streamThroughFaults([0.5], () => faults!.restart());
    expect(drops).toEqual({ producer: 1, consumer: 1 });
    expect(tally.missing()).toEqual([]);
  });
});

describe.skipIf(!faults)('publishing while the broker is down', () => {
  it('waits for the broker up to timeoutMs: fails with TimeoutError before it, is confirmed once it is back', async () => {
    const queue = broker.name('while-down');
    const rabbit = await connectTo(broker);
    const inspector = await connectTo(broker);
    await rabbit.declare({ queues: [{ name: queue }] });
    const dropped = once(rabbit, 'disconnected');
    await faults!.stop();
    await dropped;

    await expect(rabbit.sendToQueue(queue, { n: 'too soon' }, { timeoutMs: 300 })).rejects.toThrow(TimeoutError);
    const patient = rabbit.sendToQueue(queue, { n: 'patient' }, { timeoutMs: 60_000 });
    await faults!.start();
    await patient;

    const received: unknown[] = [];
    const got = deferred();
    await inspector.consume(queue, (payload) => {
      received.push(payload);
      got.resolve();
    });
    await got.promise;
    await inspector.close();
    expect(received).toEqual([{ n: 'patient' }]);
  });
});

describe.skipIf(!faults)('a handler that outlives its channel', () => {
  it('finishes without crashing on the stale delivery tag, and the message comes again on the new connection', async () => {
    const queue = broker.name('stale-tag');
    const rabbit = await connectTo(broker);
    await rabbit.declare({ queues: [{ name: queue }] });
    const firstDelivery = deferred();
    const release = deferred();
    const redelivered = deferred<boolean>();
    let deliveries = 0;
    await rabbit.consume(queue, async (_payload, delivery) => {
      deliveries++;
      if (deliveries === 1) {
        firstDelivery.resolve();
        await release.promise;
        return; // acks on a channel that is gone: must be a no-op
      }
      redelivered.resolve(delivery.redelivered);
    });
    await rabbit.sendToQueue(queue, { once: 'or twice' });
    await firstDelivery.promise;

    const back = once(rabbit, 'connected');
    await faults!.closeAllConnections(broker.vhost);
    await back;
    release.resolve();

    expect(await redelivered.promise).toBe(true);
    expect(deliveries).toBe(2);
  });
});

describe.skipIf(!faults)('a broker low on memory', () => {
  it('reports blocked and unblocked, and the publish it held back is confirmed after', async () => {
    const queue = broker.name('blocked');
    const rabbit = await connectTo(broker);
    await rabbit.declare({ queues: [{ name: queue }] });
    const blocked = once(rabbit, 'blocked');
    const unblocked = once(rabbit, 'unblocked');
    await faults!.memoryAlarm(true);
    let published: Promise<void>;
    try {
      published = rabbit.sendToQueue(queue, { held: 'back' });
      const [{ reason }] = await blocked;
      expect(reason).toMatch(/memory/i);
    } finally {
      await faults!.memoryAlarm(false);
    }
    await unblocked;
    await published;
  });
});

describe.skipIf(!faults)('a consumer whose queue is gone after a reconnect', () => {
  it('does not keep the other consumers of the connection from coming back', async () => {
    const rabbit = await connectTo(broker);
    const doomed = broker.name('doomed');
    const healthy = broker.name('healthy');
    await rabbit.declare({ queues: [{ name: healthy }] });
    const path = `/queues/${encodeURIComponent(broker.vhost)}/${encodeURIComponent(doomed)}`;
    // Created behind the client's back, so nothing declares it again.
    await broker.management.request('PUT', path, { durable: true });
    await rabbit.consume(doomed, () => {});
    const received = deferred<unknown>();
    await rabbit.consume(healthy, (payload) => received.resolve(payload));

    await broker.management.request('DELETE', path);
    const back = once(rabbit, 'connected');
    await faults!.closeAllConnections(broker.vhost);
    await back;

    const sender = await connectTo(broker);
    await sender.sendToQueue(healthy, { still: 'here' });
    expect(await received.promise).toEqual({ still: 'here' });
  });
});

describe.skipIf(!faults)('backpressure', () => {
  it('a producer faster than the broker waits for drain instead of buffering every message', async () => {
    const queue = broker.name('drain');
    const rabbit = await connectTo(broker);
    await rabbit.declare({ queues: [{ name: queue }] });
    const megabyte = Buffer.alloc(1024 * 1024, 1);
    const count = 200;
    const blocked = once(rabbit, 'blocked');
    await faults!.memoryAlarm(true);
    const published: Promise<void>[] = [];
    let buffered: number;
    try {
      published.push(rabbit.sendToQueue(queue, Buffer.from('first'), { timeoutMs: 60_000 }));
      await blocked;
      // The broker reads nothing from a blocked connection: whatever is written
      // now stays in this process. Without waiting for drain, all 200 MB would.
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < count; i++) published.push(rabbit.sendToQueue(queue, megabyte, { timeoutMs: 60_000 }));
      await new Promise((resolve) => setImmediate(resolve));
      buffered = process.memoryUsage().arrayBuffers - before;
    } finally {
      await faults!.memoryAlarm(false);
    }
    await Promise.all(published);

    console.log(JSON.stringify({ test: 'drain', published_mb: count, buffered_mb: Math.round(buffered / 2 ** 20) }));
    expect(buffered).toBeLessThan(48 * 2 ** 20);
  });
});
