import amqp from 'amqplib';
import { connect, silentLogger } from 'retry-kit';
import { type Program, runProgram } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE } from '../src/work.js';

const broker = await useTestVhost('work-queues');
const WORK_SECOND_MS = '50';
let running: Program[] = [];

function program(name: 'worker' | 'new_task', args: string[] = [], env: Record<string, string> = {}): Program {
  const started = runProgram(new URL(`../src/${name}.ts`, import.meta.url), args, {
    AMQP_URL: broker.amqpUrl,
    WORK_SECOND_MS,
    ...env,
  });
  running.push(started);
  return started;
}

async function startWorkers(prefetch: number): Promise<Program[]> {
  const workers = [
    program('worker', [], { PREFETCH: String(prefetch) }),
    program('worker', [], { PREFETCH: String(prefetch) }),
  ];
  for (const worker of workers) await worker.line('Waiting for messages');
  return workers;
}

async function sendTasks(tasks: string[]): Promise<void> {
  const rabbit = await connect({ url: broker.amqpUrl, logger: silentLogger });
  for (const task of tasks) await rabbit.sendToQueue(QUEUE, { task });
  await rabbit.close();
}

/** The tasks a worker received, in order. */
const received = (worker: Program) => worker.output.flatMap((line) => /Received '(.*)'/.exec(line)?.[1] ?? []);

/** Resolves once the workers together have printed `count` "Done" lines. */
async function done(workers: Program[], count: number): Promise<void> {
  const doneCount = () =>
    workers.reduce((sum, worker) => sum + worker.output.filter((line) => line.includes('Done')).length, 0);
  while (doneCount() < count) await Promise.race(workers.map((worker) => worker.nextLine()));
}

async function queueDepth(): Promise<number> {
  const connection = await amqp.connect(broker.amqpUrl);
  try {
    const channel = await connection.createChannel();
    return (await channel.assertQueue(QUEUE, { durable: true })).messageCount;
  } finally {
    await connection.close();
  }
}

beforeEach(async () => {
  const connection = await amqp.connect(broker.amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertQueue(QUEUE, { durable: true });
  await channel.purgeQueue(QUEUE);
  await connection.close();
});

afterEach(async () => {
  for (const worker of running) worker.child.kill('SIGKILL');
  await Promise.all(running.map((worker) => worker.exit()));
  running = [];
});

describe('work-queues', () => {
  it('round-robin (no prefetch limit) gives each worker every other task, however heavy', async () => {
    const workers = await startWorkers(0);
    const tasks = ['t1.....', 't2.', 't3.....', 't4.', 't5.....', 't6.'];
    await sendTasks(tasks);
    await done(workers, tasks.length);

    const split = workers.map(received).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
    expect(split).toEqual([
      ['t1.....', 't3.....', 't5.....'],
      ['t2.', 't4.', 't6.'],
    ]);
  });

  it('fair dispatch (prefetch 1) sends the next task to the idle worker', async () => {
    const workers = await startWorkers(1);
    const heavy = `heavy${'.'.repeat(20)}`;
    await sendTasks([heavy, 'light 1.', 'light 2.', 'light 3.', 'light 4.']);
    await done(workers, 5);

    const split = workers.map(received).sort((a, b) => a.length - b.length);
    expect(split).toEqual([[heavy], ['light 1.', 'light 2.', 'light 3.', 'light 4.']]);
  });

  it('a worker killed with SIGKILL mid-task has its task redelivered to the other and completed', async () => {
    const workers = await startWorkers(1);
    await sendTasks([`long${'.'.repeat(40)}`]);
    const first = await Promise.race(workers.map((worker) => worker.line('Received').then(() => worker)));
    const other = workers.find((worker) => worker !== first)!;

    first.child.kill('SIGKILL');

    expect(await other.line('Received')).toContain('long');
    // 40 dots of 50 ms: the other worker finishes it too.
    await other.line('Done');
    expect(await queueDepth()).toBe(0);
  }, 20_000);

  it('new_task exits only once the broker has the task', async () => {
    const send = program('new_task', ['Confirmed.']);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    expect(send.output).toEqual([" [x] Sent 'Confirmed.'"]);
    expect(await queueDepth()).toBe(1);
  });

  it.skipIf(!broker.faults)(
    'persistent tasks in the durable queue survive a broker restart; transient ones do not',
    async () => {
      const send = program('new_task', ['Persistent.']);
      expect((await send.exit()).code).toBe(0);
      const connection = await amqp.connect(broker.amqpUrl);
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ task: 'Transient.' })), {
        persistent: false,
        contentType: 'application/json',
      });
      await channel.waitForConfirms();
      await connection.close();
      expect(await queueDepth()).toBe(2);

      await broker.faults!.restart();

      expect(await queueDepth()).toBe(1);
      const worker = program('worker');
      expect(await worker.line('Received')).toBe(" [x] Received 'Persistent.'");
    },
  );
});
