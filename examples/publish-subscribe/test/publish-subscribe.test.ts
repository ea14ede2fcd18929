import amqp from 'amqplib';
import { type Program, stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';

const broker = await useTestVhost('publish-subscribe');
const env = { AMQP_URL: broker.amqpUrl };

const { program, official } = stepPrograms(import.meta.url, env);

async function receiving(started: Program | Promise<Program>): Promise<Program> {
  const receiver = await started;
  await receiver.line('Waiting for logs');
  return receiver;
}

async function emit(text: string): Promise<void> {
  const emitter = program('emit_log', [text]);
  expect(await emitter.exit()).toEqual({ code: 0, signal: null });
  expect(emitter.output).toEqual([` [x] Sent '${text}'`]);
}

/** The logs a receiver printed, in order. */
const logs = (receiver: Program) => receiver.output.flatMap((line) => /^ \[x\] (.*)$/.exec(line)?.[1] ?? []);

describe('publish/subscribe: a fanout exchange', () => {
  it('start shows who got which log: both receivers every log but the one sent before they were bound', async () => {
    const demo = program('start');
    expect(await demo.exit()).toEqual({ code: 0, signal: null });
    const table = demo.output.slice(demo.output.findIndex((line) => line.includes('log (emitter arguments)')) + 1);
    expect(table.map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['info: nobody listens yet', '-', '-'],
      ['info: the shop opened', 'yes', 'yes'],
      ['warning: paper is low', 'yes', 'yes'],
      ['error: the printer is jammed', 'yes', 'yes'],
    ]);
  });

  it('each bound receiver gets every log; one emitted before it was bound never reaches it', async () => {
    await emit('info: before anyone listens');
    const receivers = [await receiving(program('receive_logs')), await receiving(program('receive_logs'))];

    await emit('info: one');
    await emit('error: two');

    // A queue delivers in order: had the first log been kept, it would come first.
    for (const receiver of receivers) {
      await receiver.line('two');
      expect(logs(receiver)).toEqual(['info: one', 'error: two']);
    }
  });

  it('a receiver queue is server-named and exclusive, and goes when its receiver does', async () => {
    const receiver = await receiving(program('receive_logs'));
    const queue = /in (amq\.gen-\S+)\./.exec(await receiver.line('Waiting for logs'))?.[1];
    expect(queue).toBeDefined();
    const vhostQueues = () =>
      broker.management.request<{ name: string; exclusive: boolean }[]>(
        'GET',
        `/queues/${encodeURIComponent(broker.vhost)}`,
      );
    expect((await vhostQueues()).find((q) => q.name === queue)).toMatchObject({ exclusive: true });

    receiver.child.kill('SIGINT');
    expect(await receiver.exit()).toEqual({ code: 0, signal: null });
    const connection = await amqp.connect(broker.amqpUrl);
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    await expect(channel.checkQueue(queue!)).rejects.toThrow(/NOT_FOUND/);
    await connection.close().catch(() => undefined);
  });

  it("the official tutorial's emit_log.py (pika) reaches our receive_logs", async () => {
    const receiver = await receiving(program('receive_logs'));
    expect((await (await official('emit_log', ['warning: from Python'])).exit()).code).toBe(0);
    expect(await receiver.line('from Python')).toBe(' [x] warning: from Python');
  });

  it("our emit_log reaches the official tutorial's receive_logs.py (pika)", async () => {
    const receiver = await receiving(official('receive_logs'));
    await emit('info: from Node');
    expect(await receiver.line('from Node')).toBe(' [x] info: from Node');
  });

  it('a durable "logs" exchange from another course: one line naming it and the setting, exit 1', async () => {
    const connection = await amqp.connect(broker.amqpUrl);
    const channel = await connection.createChannel();
    await channel.deleteExchange('logs');
    await channel.assertExchange('logs', 'fanout', { durable: true });
    try {
      for (const name of ['emit_log', 'receive_logs']) {
        const started = program(name);
        expect(await started.exit()).toEqual({ code: 1, signal: null });
        expect(started.output).toEqual([
          '[retry-kit] Exchange "logs" already exists with other settings: its durable is true, this program declares false. Delete it (management UI, Exchanges tab), or declare it as it is.',
        ]);
      }
    } finally {
      await channel.deleteExchange('logs');
      await connection.close();
    }
  });
});
