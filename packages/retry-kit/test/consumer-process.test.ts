import { runProgram } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../src/index.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('consumer-process');
const rabbit = await connectTo(broker);
const SLOW_CONSUMER = new URL('./fixtures/slow-consumer.ts', import.meta.url);

const startSlowConsumer = (queue: string, workMs: number) =>
  runProgram(SLOW_CONSUMER, [], { AMQP_URL: broker.amqpUrl, QUEUE: queue, WORK_MS: String(workMs) });

describe('a consumer in another process', () => {
  it('killed with SIGKILL mid-message leaves the message to another consumer, marked redelivered', async () => {
    const queue = broker.name('work');
    await rabbit.declare({ queues: [{ name: queue }] });
    const consumer = startSlowConsumer(queue, 60_000);
    await consumer.line('ready');
    await rabbit.sendToQueue(queue, { n: 1 });
    await consumer.line('handling 1');

    consumer.child.kill('SIGKILL');
    await consumer.exit();

    const redelivered = deferred<{ n: number; delivery: Delivery }>();
    await rabbit.consume<{ n: number }>(queue, ({ n }, delivery) => redelivered.resolve({ n, delivery }));
    const { n, delivery } = await redelivered.promise;
    expect(n).toBe(1);
    expect(delivery.redelivered).toBe(true);
  });

  it('on SIGINT finishes the message in hand, acks it, and exits 0', async () => {
    const queue = broker.name('graceful');
    await rabbit.declare({ queues: [{ name: queue }] });
    const consumer = startSlowConsumer(queue, 500);
    await consumer.line('ready');
    await rabbit.sendToQueue(queue, { n: 2 });
    await consumer.line('handling 2');

    consumer.child.kill('SIGINT');
    expect(await consumer.exit()).toEqual({ code: 0, signal: null });
    expect(consumer.output).toContain('done 2');
    const channel = await (await import('amqplib')).connect(broker.amqpUrl);
    const check = await channel.createChannel();
    expect(await check.checkQueue(queue)).toMatchObject({ messageCount: 0, consumerCount: 0 });
    await channel.close();
  });
});
