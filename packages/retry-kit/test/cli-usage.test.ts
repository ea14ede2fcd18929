import { once } from 'node:events';
import amqp from 'amqplib';
import getPort from 'get-port';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { retryKit, startRetryKit } from './cli-run.js';
import { connectTo } from './helpers.js';

const broker = await useTestVhost('cli-usage');

describe('retry-kit usage', () => {
  it.each([
    ['--help'],
    ['worker', '--help'],
    ['inspect', '--help'],
    ['dead', '--help'],
    ['dead', 'replay', '--help'],
    ['topology', '--help'],
  ])('%s %s prints usage and exits 0', async (...args) => {
    const run = await retryKit(broker, args.filter(Boolean) as string[]);
    expect(run.code).toBe(0);
    expect(run.output[0]).toMatch(/^usage: retry-kit /);
  });

  it.each([
    [[], 'retry-kit needs a command'],
    [['peek'], 'unknown command "peek"'],
    [['dead'], 'retry-kit dead: dead needs list, replay or purge'],
    [['dead', 'list'], 'retry-kit dead: --queue is required'],
    [
      ['dead', 'list', '--queue', 'q', '--limit', 'ten'],
      'retry-kit dead: --limit must be a whole number above 0, not "ten"',
    ],
    [
      ['dead', 'list', '--queue', 'q', '--reason', 'tired'],
      'retry-kit dead: --reason must be one of exhausted, deadline, permanent, invalid, unknown-type, crash-loop, not "tired"',
    ],
    [['dead', 'purge', '--queue', 'q', '--force'], "retry-kit dead: Unknown option '--force'"],
    [['worker', '--queue', 'q'], 'retry-kit worker: --handlers is required'],
    [
      ['topology', '--queue', 'q', '--delays', 'tower'],
      'retry-kit topology: --delays must be queues or ladder, not "tower"',
    ],
  ])('retry-kit %j is a usage error: exit 2, saying what is wrong', async (args, message) => {
    const run = await retryKit(broker, args);
    expect(run.code).toBe(2);
    expect(run.output[0]).toBe(message);
  });

  it('a broker that does not answer is one line, password hidden, exit 1', async () => {
    const run = await retryKit(broker, ['dead', 'list', '--queue', 'q', '--url', 'amqp://ops:s3cret@127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.output).toEqual([
      'Nothing answers at amqp://ops:***@127.0.0.1:1 (ECONNREFUSED). Is RabbitMQ running there? Check AMQP_URL.',
    ]);
  });

  it('a management API that does not answer is one line for inspect, exit 1', async () => {
    const port = await getPort();
    const run = await retryKit(broker, ['inspect', '--management-url', `http://admin:s3cret@127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.output).toEqual([
      `Cannot reach the management API at http://127.0.0.1:${port} (ECONNREFUSED): inspect needs it to list queues. Set RABBITMQ_MANAGEMENT_URL or --management-url.`,
    ]);
  });
});

describe('retry-kit worker', () => {
  it('consumes with the module’s handlers, retry policy and breaker (logged), and stops cleanly on SIGTERM', async () => {
    const queue = broker.name('worker');
    const worker = startRetryKit(broker, [
      'worker',
      '--queue',
      queue,
      '--handlers',
      new URL('./fixtures/cli-handlers.ts', import.meta.url).pathname,
    ]);
    await worker.line(`worker consuming "${queue}" (greeting); Ctrl+C to stop`);
    const rabbit = await connectTo(broker);
    await rabbit.sendToQueue(queue, { text: 'hello' }, { type: 'greeting' });
    await rabbit.sendToQueue(queue, { text: 'fail' }, { type: 'greeting', messageId: 'failing-1' });
    await worker.line('handled hello');
    // One attempt in the module's policy: the failing message is dead at once.
    const deadLine = await worker.line('message failing-1 dead-lettered');
    expect(deadLine).toContain(`to "${queue}.dead" (exhausted): Error: told to fail`);
    expect(worker.output.some((line) => line.includes('attempt 2 failed'))).toBe(false);
    // The module's breaker: its change is in the worker's log.
    expect(await worker.line('circuit breaker open')).toContain(
      `"${queue}": circuit breaker open: consuming paused for 60 s`,
    );

    worker.child.kill('SIGTERM');
    expect(await worker.exit()).toEqual({ code: 0, signal: null });
  });

  it('takes the crash-loop guard’s limit from the module: a message that kills the worker (prefetch 10) is dead after maxRedeliveries + 1 deliveries, once', async () => {
    const queue = broker.name('worker-crash');
    const rabbit = await connectTo(broker);
    await rabbit.declare({ queues: [{ name: queue }] });
    await rabbit.sendToQueue(queue, { crash: true }, { messageId: 'crashing-1' });
    const handlersModule = new URL('./fixtures/cli-crash-handlers.ts', import.meta.url).pathname;
    // The supervisor: start the worker again each time it dies, as systemd or Kubernetes would.
    let crashes = 0;
    let deadLine: string | undefined;
    for (let starts = 0; starts < 5 && deadLine === undefined; starts++) {
      const worker = startRetryKit(broker, ['worker', '--queue', queue, '--handlers', handlersModule]);
      // 'close', not 'exit': every line the worker wrote before it died has been read.
      const closed = once(worker.child, 'close');
      // Rejects when the worker dies first.
      deadLine = await worker.line('dead-lettered').catch(() => undefined);
      if (deadLine !== undefined) worker.child.kill('SIGTERM');
      await closed;
      crashes += worker.output.filter((line) => line === 'crashing').length;
      if (deadLine !== undefined) expect(worker.child.exitCode).toBe(0);
    }
    // The module says 1; the kit's default would have let it crash the worker more often.
    expect(crashes).toBe(2);
    expect(deadLine).toContain(`message crashing-1 dead-lettered to "${queue}.dead" (crash-loop)`);
    expect(deadLine).toContain('more than maxRedeliveries (1)');
    // Once: no copy of it is left in the queue, and one is dead.
    const connection = await amqp.connect(broker.amqpUrl);
    const channel = await connection.createChannel();
    expect((await channel.checkQueue(queue)).messageCount).toBe(0);
    expect((await channel.checkQueue(`${queue}.dead`)).messageCount).toBe(1);
    await connection.close();
  });

  it('says in one line when the module cannot be loaded, or exports no handlers (exit 1)', async () => {
    const missing = await retryKit(broker, ['worker', '--queue', 'q', '--handlers', '/nowhere/handlers.ts']);
    expect(missing.code).toBe(1);
    expect(missing.output[0]).toMatch(/^Cannot load the handlers module \/nowhere\/handlers\.ts: /);
    const empty = await retryKit(broker, [
      'worker',
      '--queue',
      'q',
      '--handlers',
      new URL('./helpers.ts', import.meta.url).pathname,
    ]);
    expect(empty.code).toBe(1);
    expect(empty.output[0]).toMatch(
      /helpers\.ts must export "handlers": a function, or an object of functions by message type$/,
    );
  });
});
