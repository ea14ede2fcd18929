import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { type Program, stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { beforeEach, describe, expect, it } from 'vitest';

const broker = await useTestVhost('work-queues');
const QUEUE = 'task_queue';
const WORK_SECOND_MS = '50';
const env = { AMQP_URL: broker.amqpUrl, WORK_SECOND_MS };

const { program, official } = stepPrograms(import.meta.url, env);

async function onChannel<T>(use: (channel: amqp.ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(broker.amqpUrl);
  try {
    return await use(await connection.createConfirmChannel());
  } finally {
    await connection.close();
  }
}

async function startWorkers(prefetch: number): Promise<Program[]> {
  const workers = [
    program('worker', [], { PREFETCH: String(prefetch) }),
    program('worker', [], { PREFETCH: String(prefetch) }),
  ];
  for (const worker of workers) await worker.line('Waiting for messages');
  return workers;
}

/** What new_task sends, for several tasks at once: plain text, persistent. */
const sendTasks = (tasks: string[]) =>
  onChannel(async (channel) => {
    for (const task of tasks) channel.sendToQueue(QUEUE, Buffer.from(task), { persistent: true });
    await channel.waitForConfirms();
  });

/** The tasks a worker received, in order. */
const received = (worker: Program) => worker.output.flatMap((line) => /Received '?([^']*)'?$/.exec(line)?.[1] ?? []);

/** Resolves once the workers together have printed `count` "Done" lines. */
async function done(workers: Program[], count: number): Promise<void> {
  const doneCount = () =>
    workers.reduce((sum, worker) => sum + worker.output.filter((line) => line.includes('Done')).length, 0);
  while (doneCount() < count) await Promise.race(workers.map((worker) => worker.nextLine()));
}

/** Messages ready in the queue (a quorum queue's declare-ok counts only those). */
const ready = () => onChannel(async (channel) => (await channel.checkQueue(QUEUE)).messageCount);

beforeEach(() =>
  onChannel(async (channel) => {
    await channel.assertQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.purgeQueue(QUEUE);
  }),
);

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
    await other.line('Done');
    expect(await ready()).toBe(0);
  });

  it('new_task exits only once the broker has the task, and declares no queue but task_queue', async () => {
    const send = program('new_task', ['Confirmed.']);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    expect(send.output).toEqual([" [x] Sent 'Confirmed.'"]);
    expect(await ready()).toBe(1);

    const worker = program('worker');
    await worker.line('Done');
    // No delay, dead-letter or unroutable queues: this step uses no retries.
    const queues = await broker.management.request<{ name: string }[]>(
      'GET',
      `/queues/${encodeURIComponent(broker.vhost)}`,
    );
    expect(queues.map((queue) => queue.name)).toEqual([QUEUE]);
  });

  it("the official tutorial's new_task.py (pika) hands plain-text tasks to our worker", async () => {
    const worker = program('worker');
    await worker.line('Waiting for messages');
    for (const task of ['First message.', 'Second message..'])
      expect((await (await official('new_task', [task])).exit()).code).toBe(0);
    await done([worker], 2);
    expect(received(worker)).toEqual(['First message.', 'Second message..']);
  });

  it("our new_task hands tasks to the official tutorial's worker.py (pika), which acks them", async () => {
    const worker = await official('worker');
    await worker.line('Waiting for messages');
    expect((await program('new_task', ['From Node..']).exit()).code).toBe(0);
    expect(await worker.line('Received')).toBe(' [x] Received From Node..');
    await worker.line('Done');
    await expect.poll(ready).toBe(0);
  });

  it('a worker without its ack line keeps its task unacknowledged, gets no other, and gives it back when it dies', async () => {
    // The page's experiment: delete the ack line from worker.ts.
    const source = fileURLToPath(new URL('../src/worker.ts', import.meta.url));
    const copy = source.replace(/worker\.ts$/, 'worker-without-ack.generated.ts');
    const text = readFileSync(source, 'utf8');
    const withoutAck = text.replace(/^ *channel\.ack\(message\);\n/m, '');
    expect(withoutAck).not.toBe(text);
    writeFileSync(copy, withoutAck);
    try {
      const worker = program('worker-without-ack.generated');
      await worker.line('Waiting for messages');
      await sendTasks(['one.', 'two.', 'three.']);
      await worker.line('Done');
      // One unacknowledged at the worker, the other two ready: prefetch 1 gives it nothing more.
      await expect.poll(ready).toBe(2);
      expect(received(worker)).toEqual(['one.']);

      worker.child.kill('SIGKILL');
      await worker.exit();
      await expect.poll(ready).toBe(3);
    } finally {
      rmSync(copy, { force: true });
    }
  });

  it.skipIf(!broker.faults)(
    'on a classic queue, a persistent task survives a broker restart and a transient one does not',
    async () => {
      const first = program('persistence');
      expect(await first.exit()).toEqual({ code: 0, signal: null });
      expect(first.output[0]).toBe(' [x] classic_tasks held: nothing');

      await broker.faults!.restart();

      const second = program('persistence');
      expect(await second.exit()).toEqual({ code: 0, signal: null });
      expect(second.output[0]).toBe(" [x] classic_tasks held: 'persistent task'");
    },
  );
});
