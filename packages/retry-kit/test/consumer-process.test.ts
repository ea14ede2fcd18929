import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../src/index.js';
import { connectTo, deferred } from './helpers.js';

const broker = await useTestVhost('consumer-process');
const rabbit = await connectTo(broker);
const SLOW_CONSUMER = fileURLToPath(new URL('./fixtures/slow-consumer.ts', import.meta.url));

function startSlowConsumer(queue: string, workMs: number): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', SLOW_CONSUMER], {
    env: { ...process.env, AMQP_URL: broker.amqpUrl, QUEUE: queue, WORK_MS: String(workMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, lines: readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string | undefined> {
  return (await lines.next()).value;
}

describe('a consumer in another process', () => {
  it('killed with SIGKILL mid-message leaves the message to another consumer, marked redelivered', async () => {
    const queue = broker.name('work');
    await rabbit.declare({ queues: [{ name: queue }] });
    const { child, lines } = startSlowConsumer(queue, 60_000);
    expect(await nextLine(lines)).toBe('ready');
    await rabbit.sendToQueue(queue, { n: 1 });
    expect(await nextLine(lines)).toBe('handling 1');

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const redelivered = deferred<{ n: number; delivery: Delivery }>();
    await rabbit.consume<{ n: number }>(queue, ({ n }, delivery) => redelivered.resolve({ n, delivery }));
    const { n, delivery } = await redelivered.promise;
    expect(n).toBe(1);
    expect(delivery.redelivered).toBe(true);
  });

  it('on SIGINT finishes the message in hand, acks it, and exits 0', async () => {
    const queue = broker.name('graceful');
    await rabbit.declare({ queues: [{ name: queue }] });
    const { child, lines } = startSlowConsumer(queue, 500);
    expect(await nextLine(lines)).toBe('ready');
    await rabbit.sendToQueue(queue, { n: 2 });
    expect(await nextLine(lines)).toBe('handling 2');

    const exitCode = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');

    expect(await nextLine(lines)).toBe('done 2');
    expect(await exitCode).toBe(0);
    const channel = await (await import('amqplib')).connect(broker.amqpUrl);
    const check = await channel.createChannel();
    expect(await check.checkQueue(queue)).toMatchObject({ messageCount: 0, consumerCount: 0 });
    await channel.close();
  });
});
